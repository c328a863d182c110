"""A reminder before a round's scoring deadline, through the reminders scan, once per band."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from judging import actions
from judging.models import Assignment, Round
from notifications.models import OutboxMessage
from notifications.reminders import scan_deadlines
from tests.judging.conftest import make_scene, panel_round, sheet

pytestmark = pytest.mark.django_db


def test_judges_with_open_sheets_are_reminded_once_before_the_deadline(tree, submitter, settings):
    settings.SEALFLOW_REMINDER_DAYS = [3, 1]
    deadline = timezone.now() + timedelta(days=2)
    scene = make_scene(tree, submitter, rounds=[panel_round(deadline=deadline.isoformat())], entries=1, judges=2)
    actions.set_up_panel(scene.campaign.pk, "review", actor=scene.committee, judge_ids=[j.pk for j in scene.judges])
    assert Round.objects.get().deadline == deadline
    done = Assignment.objects.get(judge=scene.judges[0])
    actions.submit_score(done.pk, actor=scene.judges[0], scores=sheet(1, 1, 1))

    assert scan_deadlines() == 1
    assert scan_deadlines() == 0

    message = OutboxMessage.objects.get(kind="judging_deadline_reminder")
    assert message.recipients["users"] == [scene.judges[1].pk]
    assert message.payload["days"] == 3
