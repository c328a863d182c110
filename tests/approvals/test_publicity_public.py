"""What the public sees of a 公示 (approvals/publicity_public.py): nothing of a round before it starts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from approvals.actions import publicity as publicity_actions
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import People, Scene

pytestmark = pytest.mark.django_db
people = publicity_helpers.people
scene = publicity_helpers.scene
calendar_seeded = publicity_helpers.calendar_seeded
generous_objection_limits = publicity_helpers.generous_objection_limits


def _starting_tomorrow(people: People, scene: Scene) -> None:
    now = timezone.now()
    publicity_actions.start_publicity(
        scene.campaign.pk,
        actor=people.committee,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=6),
        short_reason="测试",
    )


def test_a_round_that_starts_tomorrow_is_not_public_today(people, scene) -> None:
    _starting_tomorrow(people, scene)
    committee = Client()
    committee.force_login(people.committee)

    assert APIClient().get(f"/api/v1/public/campaigns/{scene.campaign.pk}/publicity").status_code == 404
    assert Client().get(f"/publicity/{scene.campaign.pk}").status_code == 404
    notice = committee.get(f"/campaigns/{scene.campaign.pk}/publicity-notice.pdf")
    assert notice.status_code == 302  # back to the dashboard: "该活动尚未公示"
    objection = APIClient().post(
        "/api/v1/public/objections", publicity_helpers.objection_body(scene.first), format="json"
    )
    assert objection.status_code == 409


def test_the_round_is_public_from_its_start(people, scene) -> None:
    _starting_tomorrow(people, scene)

    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1), tick=False):
        response = APIClient().get(f"/api/v1/public/campaigns/{scene.campaign.pk}/publicity")
        page = Client().get(f"/publicity/{scene.campaign.pk}")

    assert response.status_code == 200
    assert {e["nomination"] for e in response.json()["rounds"][0]["entries"]} == {
        scene.first.pk,
        scene.second.pk,
        scene.other.pk,
    }
    assert page.status_code == 200
