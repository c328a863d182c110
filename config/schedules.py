"""Periodic tasks that beat fires, kept in the database (django-celery-beat) so they survive restarts.

``manage.py setup_schedules`` writes these rows idempotently; the launcher runs it at start.
An administrator may change an interval in the admin; a later start keeps the change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    every_seconds: int
    description: str


def schedules() -> list[Schedule]:
    return [
        Schedule(
            name="审计链锚定 (audit anchor)",
            task="approvals.anchor_audit",
            every_seconds=settings.SEALFLOW_AUDIT_ANCHOR_MINUTES * 60,
            description="Sign the audit chain heads that grew since the last anchor.",
        ),
        Schedule(
            name="通知发送 (outbox drain)",
            task="notifications.drain_outbox",
            every_seconds=settings.SEALFLOW_OUTBOX_POLL_SECONDS,
            description="Deliver the outbox; catches up whatever a lost nudge (broker down) left waiting.",
        ),
        Schedule(
            name="到期提醒 (deadline reminders)",
            task="notifications.scan_deadlines",
            every_seconds=settings.SEALFLOW_REMINDER_SCAN_MINUTES * 60,
            description="Overdue notices and reminders before submission deadlines and stage time limits, once each.",
        ),
        Schedule(
            name="公示期届满检查 (publicity window end)",
            task="approvals.notice_ended_publicity",
            every_seconds=60,
            description="Mark each ended 公示 window once and tell the committee (it never finalises).",
        ),
    ]
