"""``manage.py verify_seals``: check every nomination's seal chain; exit 1 on any problem."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast

from approvals import audit_events
from approvals.models import Nomination, Seal
from approvals.seals import verify_nomination
from audit.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Verify the electronic seals of every nomination (hash chain, signatures, keys, the audit "
        "trail's seal events, content changed after sealing); report each broken place."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=500)

    def handle(self, *args: Any, chunk_size: int, **options: Any) -> None:
        sealed = Nomination.objects.filter(
            Q(Exists(Seal.objects.filter(nomination=OuterRef("pk"))))
            # A nomination whose seals were all removed still has its seal events in the audit trail.
            | Q(
                Exists(
                    AuditEvent.objects.filter(
                        object_type=Nomination._meta.label_lower,
                        object_id=Cast(OuterRef("pk"), output_field=CharField()),
                        action=audit_events.SEAL_CREATED,
                    )
                )
            )
        ).order_by("pk")
        checked = problems = 0
        for nomination in sealed.iterator(chunk_size=chunk_size):
            checked += 1
            for problem in verify_nomination(nomination):
                problems += 1
                line = f"PROBLEM {problem.kind} nomination={nomination.pk} seal={problem.sequence} {problem.detail}"
                self.stdout.write(line.rstrip())
        self.stdout.write(
            f"{checked} sealed nomination(s): " + ("valid" if problems == 0 else f"{problems} problem(s)")
        )
        if problems:
            sys.exit(1)
