"""Celery tasks of the approvals package: thin adapters around the actions."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="approvals.notice_ended_publicity")
def notice_ended_publicity_task() -> list[int]:
    """Mark 公示 windows that have ended and tell the committee, once each (fired by beat)."""
    from approvals.actions.publicity import notice_ended_windows

    return notice_ended_windows()
