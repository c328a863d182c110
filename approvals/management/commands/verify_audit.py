"""``manage.py verify_audit``: recompute every audit chain and anchor; exit 1 on any problem."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from approvals.audit import VerifyReport, iter_anchor_problems, iter_chain_problems


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chains and check its anchors; report each broken place."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args: Any, chunk_size: int, quiet: bool, **options: Any) -> None:
        report = VerifyReport()
        problems = 0
        progress = None if quiet else (lambda n: self.stderr.write(f"... {n} events checked"))
        for problem in iter_chain_problems(report, chunk_size=chunk_size, on_progress=progress):
            problems += 1
            self.stdout.write(self._line(problem.as_dict()))
        for problem in iter_anchor_problems(report):
            problems += 1
            self.stdout.write(self._line(problem.as_dict()))
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
