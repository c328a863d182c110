"""``manage.py verify_audit``: recompute every audit chain and anchor; exit 1 on any problem.

The run is recorded as ``audit.verified`` by the system, as a check from the page or the API is.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.verification import Problem, run_verification


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chains and check its anchors; report each broken place."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args: Any, chunk_size: int, quiet: bool, **options: Any) -> None:
        def on_problem(problem: Problem) -> None:
            self.stdout.write(self._line(problem.as_dict()))

        progress = None if quiet else (lambda n: self.stderr.write(f"... {n} events checked"))
        report = run_verification(None, chunk_size=chunk_size, on_problem=on_problem, on_progress=progress)
        problems = len(report.problems)
        summary = f"{report.events} events in {report.chains} chains, {report.anchors} anchors: " + (
            "valid" if problems == 0 else f"{problems} problem(s)"
        )
        self.stdout.write(summary)
        if problems:
            sys.exit(1)

    @staticmethod
    def _line(problem: dict[str, Any]) -> str:
        return (
            f"PROBLEM {problem['kind']} object={problem['object']} event_id={problem['event_id']} "
            f"seq={problem['seq']} {problem['detail']}".rstrip()
        )
