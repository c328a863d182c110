"""A stage ends after N days or on a fixed date ([002]: 8月9日前); overdue marks and reminders for both."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.roles import Role
from approvals.actions import create_nomination, submit_nomination
from approvals.models import Nomination
from notifications.models import OutboxMessage
from notifications.reminders import scan_deadlines
from tests.campaigns import CASE_FORM, CASE_RULES, STAGES, campaign_admin, make_campaign, valid_case_form
from tests.factories import user_with_role
from workflows.calendar import end_of_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@pytest.fixture(params=["due_date", "time_limit_days"])
def ending(request) -> str:
    return request.param


@pytest.fixture
def leader(tree):
    return user_with_role(Role.UNIT_LEADER, tree.unit, username="leader")


def submitted_with(tree, submitter, ending: str, *, due_in_days: int = 5) -> Nomination:
    campaign = make_campaign(tree.committee)
    first = campaign.stages.get(key="unit_opinion")
    if ending == "due_date":
        first.due_date = timezone.localdate() + timedelta(days=due_in_days)
    else:
        first.time_limit_days = due_in_days
    first.save()
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老服务案例", form=valid_case_form()
    )
    nomination = submit_nomination(nomination.pk, actor=submitter)
    OutboxMessage.objects.all().delete()  # the submission's own messages
    return nomination


def test_the_deadline_is_the_end_of_the_date_or_n_days_after_entering(tree, submitter, ending):
    nomination = submitted_with(tree, submitter, ending)

    assert nomination.stage_entered_at is not None
    if ending == "due_date":
        expected = end_of_day(timezone.localdate() + timedelta(days=5))
    else:
        expected = nomination.stage_entered_at + timedelta(days=5)
    assert nomination.stage_deadline == expected


def test_past_the_deadline_the_task_is_marked_overdue(tree, submitter, leader, client_for, ending):
    nomination = submitted_with(tree, submitter, ending)
    assert nomination.stage_deadline is not None

    before = client_for(leader).get("/api/v1/tasks").json()["results"]
    with time_machine.travel(nomination.stage_deadline + timedelta(hours=1), tick=False):
        client = client_for(leader)
        after = client.get("/api/v1/tasks").json()["results"]
        only_overdue = client.get("/api/v1/tasks?overdue=1").json()["results"]

    assert [t["overdue"] for t in before] == [False]
    assert [t["overdue"] for t in after] == [True]
    assert [t["nomination"] for t in only_overdue] == [nomination.pk]


def test_reminders_and_the_overdue_notice_come_for_both(tree, submitter, leader, settings, ending):
    settings.SEALFLOW_REMINDER_DAYS = [3, 1]
    nomination = submitted_with(tree, submitter, ending)
    deadline = nomination.stage_deadline
    assert deadline is not None

    assert scan_deadlines(deadline - timedelta(days=2, hours=12)) == 1
    assert scan_deadlines(deadline - timedelta(hours=12)) == 1
    assert scan_deadlines(deadline + timedelta(hours=1)) == 1
    assert scan_deadlines(deadline + timedelta(hours=2)) == 0

    task = nomination.task_id
    assert sorted(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == [
        f"stage_deadline_reminder:task:{task}:1d",
        f"stage_deadline_reminder:task:{task}:3d",
        f"task_overdue:task:{task}",
    ]


def test_a_stage_entered_after_its_date_is_overdue_at_once(tree, submitter, leader):
    nomination = submitted_with(tree, submitter, "due_date", due_in_days=-1)

    assert nomination.stage_deadline is not None
    assert nomination.stage_deadline < timezone.now()
    assert scan_deadlines() == 1
    assert list(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == [
        f"task_overdue:task:{nomination.task_id}"
    ]


def campaign_body(tree, stages):
    return {
        "title": "截止日期测试", "host_org": tree.committee.pk, "forms": {"case": copy.deepcopy(CASE_FORM)},
        "eligibility": {"case": copy.deepcopy(CASE_RULES)}, "opens_at": "2024-07-05",
        "submission_deadline": "2024-07-31", "stages": stages,
    }  # fmt: skip


def test_the_api_takes_a_fixed_date_and_shows_it(tree, client_for):
    stages = copy.deepcopy(STAGES)
    stages[1]["due_date"] = "2024-08-09"

    response = client_for(campaign_admin(tree.committee)).post(
        "/api/v1/campaigns", campaign_body(tree, stages), format="json"
    )

    assert response.status_code == 201, response.content
    assert [(s["due_date"], s["time_limit_days"]) for s in response.json()["stages"]] == [
        (None, None),
        ("2024-08-09", None),
        (None, None),
    ]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({1: {"due_date": "2024-08-09", "time_limit_days": 10}}, "both days and a date"),
        ({1: {"due_date": "2024-07-30"}}, "before the submission deadline"),
        ({1: {"due_date": "2024-08-20"}, 2: {"due_date": "2024-08-09"}}, "before an earlier stage's date"),
    ],
)
def test_a_fixed_date_that_cannot_hold_is_refused(tree, client_for, changes, reason):
    stages = copy.deepcopy(STAGES)
    for index, change in changes.items():
        stages[index].update(change)

    response = client_for(campaign_admin(tree.committee)).post(
        "/api/v1/campaigns", campaign_body(tree, stages), format="json"
    )

    assert response.status_code == 400, reason
    assert any(key.endswith(".due_date") for key in response.json()["errors"]), reason
