"""Celery tasks of the notifications package: thin adapters around notifications/delivery.py."""

from __future__ import annotations

from celery import shared_task

from notifications.nudge import DRAIN_EXPIRES, DRAIN_TASK


@shared_task(name=DRAIN_TASK, ignore_result=True, expires=DRAIN_EXPIRES)
def drain_outbox_task() -> tuple[int, int]:
    """Deliver what the outbox holds (nudged after commits, polled by beat; idempotent)."""
    from notifications.delivery import drain_outbox

    return drain_outbox()


@shared_task(name="notifications.scan_deadlines", ignore_result=True)
def scan_deadlines_task() -> int:
    """Write the overdue notices and deadline reminders that are due (fired by beat; once each)."""
    from notifications.reminders import scan_deadlines

    return scan_deadlines()
