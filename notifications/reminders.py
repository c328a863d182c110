"""Timers as database rows, fired by beat: overdue notices and deadline reminders, once each.

The deadlines are columns already (``Nomination.stage_deadline``, ``Campaign.submission_deadline``);
beat runs ``scan_deadlines`` every ``SEALFLOW_REMINDER_SCAN_MINUTES``. Each notice is an outbox
message whose ``dedupe_key`` names the task (or campaign) and the reminder, so it is written
once however often the scan runs, across restarts of beat and worker; the scan skips rows whose
key exists with an index lookup. No Celery ETA is used anywhere.

Reminders come in bands: with ``SEALFLOW_REMINDER_DAYS = [3, 1]``, a deadline 1 to 3 days away
gets the 3-day reminder, one less than a day away the 1-day reminder. A task that opened after
a band's point (a 2-day time limit) gets no reminder for that band.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from approvals.models import Nomination
from judging.models import Assignment, Round
from notifications import events
from notifications.events import Kind
from notifications.models import OutboxMessage
from workflows.models import Campaign


def _not_sent(prefix: str, ref: str, suffix: str = "") -> Any:
    key = Concat(Value(prefix), Cast(OuterRef(ref), CharField()), Value(suffix), output_field=CharField())
    return ~Exists(OutboxMessage.objects.filter(dedupe_key=key))


def _bands(now: datetime) -> list[tuple[int, datetime, datetime]]:
    """(N, from, to): deadlines in (from, to] get the N-day reminder; nearest band first."""
    days = sorted(set(settings.SEALFLOW_REMINDER_DAYS))
    bands, lower = [], now
    for n in days:
        upper = now + timedelta(days=n)
        bands.append((n, lower, upper))
        lower = upper
    return bands


def _open_tasks() -> QuerySet[Nomination]:
    return Nomination.objects.filter(status=Nomination.Status.IN_REVIEW, task__isnull=False).select_related(
        "campaign", "unit"
    )


def scan_deadlines(now: datetime | None = None) -> int:
    """Write the notices that are due and not yet written; returns how many were written."""
    now = now or timezone.now()
    written = 0
    overdue = _open_tasks().filter(stage_deadline__lte=now).filter(_not_sent(f"{Kind.TASK_OVERDUE}:task:", "task_id"))
    for nomination in overdue.order_by("pk").iterator(chunk_size=500):
        with transaction.atomic():
            written += events.task_overdue(nomination)
    for n, lower, upper in _bands(now):
        due = (
            _open_tasks()
            .filter(stage_deadline__gt=lower, stage_deadline__lte=upper)
            .filter(stage_entered_at__lte=F("stage_deadline") - timedelta(days=n))
            .filter(_not_sent(f"{Kind.STAGE_DEADLINE_REMINDER}:task:", "task_id", f":{n}d"))
        )
        for nomination in due.order_by("pk").iterator(chunk_size=500):
            with transaction.atomic():
                written += events.stage_deadline_reminder(nomination, days=n)
        campaigns = Campaign.objects.filter(
            status=Campaign.Status.OPEN, submission_deadline__gt=lower, submission_deadline__lte=upper
        ).filter(_not_sent(f"{Kind.SUBMISSION_DEADLINE_REMINDER}:campaign:", "pk", f":{n}d"))
        for campaign in campaigns.order_by("pk"):
            # The people concerned: whoever holds an unsubmitted nomination of the campaign.
            users = set(
                Nomination.objects.filter(campaign=campaign, status__in=Nomination.EDITABLE).values_list(
                    "created_by_id", flat=True
                )
            )
            if not users:
                continue
            with transaction.atomic():
                written += events.submission_deadline_reminder(campaign, days=n, user_ids=users)
        written += _remind_judges(n, lower, upper)
    return written


def _remind_judges(n: int, lower: datetime, upper: datetime) -> int:
    """The N-day reminder of an open judging round's deadline, to the judges with open sheets."""
    written = 0
    rounds = Round.objects.filter(status=Round.Status.OPEN, deadline__gt=lower, deadline__lte=upper).filter(
        _not_sent(f"{Kind.JUDGING_DEADLINE_REMINDER}:round:", "pk", f":{n}d")
    )
    for current in rounds.select_related("campaign").order_by("pk"):
        judges = set(
            Assignment.objects.filter(round=current, status=Assignment.Status.PENDING).values_list(
                "judge_id", flat=True
            )
        )
        if not judges:
            continue
        with transaction.atomic():
            written += events.judging_deadline_reminder(current, days=n, judge_ids=judges)
    return written
