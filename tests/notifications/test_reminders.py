"""Overdue notices and deadline reminders: written by beat's scan, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.actions import create_nomination
from approvals.models import Nomination
from notifications.delivery import drain_outbox
from notifications.models import Notification, OutboxMessage
from notifications.reminders import scan_deadlines
from tests.campaigns import make_campaign, valid_case_form

pytestmark = pytest.mark.django_db


def set_deadline(nomination, *, entered_days_ago, due_in):
    now = timezone.now()
    Nomination.objects.filter(pk=nomination.pk).update(
        stage_entered_at=now - timedelta(days=entered_days_ago), stage_deadline=now + due_in
    )


def kinds():
    return sorted(OutboxMessage.objects.values_list("dedupe_key", flat=True))


def test_an_overdue_task_is_noticed_once_however_often_beat_scans(submitted, people):
    set_deadline(submitted, entered_days_ago=10, due_in=-timedelta(hours=1))

    assert scan_deadlines() == 1
    assert scan_deadlines() == 0

    assert kinds() == [f"task_overdue:task:{submitted.task_id}"]
    drain_outbox()
    notification = Notification.objects.get()
    assert notification.user == people["leader"]
    assert notification.title == "【已超时】“助老服务案例”已超过办理时限"


def test_reminders_come_in_bands_each_once(submitted, settings):
    settings.SEALFLOW_REMINDER_DAYS = [3, 1]
    set_deadline(submitted, entered_days_ago=10, due_in=timedelta(days=2, hours=12))
    now = timezone.now()

    assert scan_deadlines(now) == 1
    assert scan_deadlines(now + timedelta(hours=6)) == 0
    assert scan_deadlines(now + timedelta(days=2)) == 1  # now less than a day away
    assert scan_deadlines(now + timedelta(days=2, hours=6)) == 0
    assert scan_deadlines(now + timedelta(days=3)) == 1  # overdue

    task = submitted.task_id
    assert kinds() == [
        f"stage_deadline_reminder:task:{task}:1d",
        f"stage_deadline_reminder:task:{task}:3d",
        f"task_overdue:task:{task}",
    ]


def test_a_task_that_opened_inside_a_band_gets_no_reminder_for_it(submitted, settings):
    settings.SEALFLOW_REMINDER_DAYS = [3, 1]
    set_deadline(submitted, entered_days_ago=0, due_in=timedelta(days=2))

    assert scan_deadlines() == 0


def test_decided_tasks_get_nothing(submitted):
    set_deadline(submitted, entered_days_ago=10, due_in=-timedelta(hours=1))
    Nomination.objects.filter(pk=submitted.pk).update(status=Nomination.Status.RETURNED)

    assert scan_deadlines() == 0


def test_submitters_with_unsubmitted_nominations_are_reminded_of_the_deadline(tree, submitter, settings):
    settings.SEALFLOW_REMINDER_DAYS = [3]
    campaign = make_campaign(tree.committee, submission_deadline=timezone.now() + timedelta(days=2))
    create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="草稿", form=valid_case_form()
    )

    assert scan_deadlines() == 1
    assert scan_deadlines() == 0

    drain_outbox()
    notification = Notification.objects.get()
    assert notification.user == submitter
    assert notification.title == "【申报提醒】测试评选活动还有 3 天截止申报"
