"""The host's campaign dashboard (portal/views.py): it offers what the actions allow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from approvals.actions import objections as objection_actions
from approvals.actions import publicity as publicity_actions
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import People, Scene

pytestmark = pytest.mark.django_db
people = publicity_helpers.people
scene = publicity_helpers.scene
calendar_seeded = publicity_helpers.calendar_seeded
generous_objection_limits = publicity_helpers.generous_objection_limits


def _dashboard(user, scene: Scene) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/campaigns/{scene.campaign.pk}/dashboard")
    assert response.status_code == 200
    return response.content.decode()


def _objection_link(scene: Scene) -> str:
    return f'href="/campaigns/{scene.campaign.pk}/objections/"'


def _file_objection(people: People, scene: Scene) -> int:
    now = timezone.now()
    publicity_actions.start_publicity(
        scene.campaign.pk,
        actor=people.committee,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
        short_reason="测试",
    )
    objection = objection_actions.file_objection(
        scene.first.pk,
        objector=objection_actions.ObjectorInput(kind="person", name="赵异议", phone="13900001111"),
        content="该案例的服务对象数量与实际不符，请核实。",
    )
    return objection.pk


def test_the_objection_link_is_for_the_committee_not_the_campaign_admin(people, scene) -> None:
    _file_objection(people, scene)

    assert _objection_link(scene) in _dashboard(people.committee, scene)
    assert _objection_link(scene) not in _dashboard(people.campaign_admin, scene)


def test_a_campaign_admin_named_investigator_gets_the_link(people, scene) -> None:
    objection_id = _file_objection(people, scene)
    objection_actions.assign_investigator(
        objection_id, actor=people.committee, investigator_id=people.campaign_admin.pk
    )

    page = _dashboard(people.campaign_admin, scene)

    assert _objection_link(scene) in page
    client = Client()
    client.force_login(people.campaign_admin)
    assert client.get(f"/campaigns/{scene.campaign.pk}/objections/").status_code == 200


def test_the_quota_table_names_kinds_as_users_read_them(people, scene) -> None:
    # given: a quota on one kind and one over every kind
    from workflows.models import Quota

    Quota.objects.create(campaign=scene.campaign, org=scene.campaign.host_org, kind="individual", max=3)
    Quota.objects.create(campaign=scene.campaign, org=people.committee.org or scene.campaign.host_org, max=9)
    # when / then: 个人 and 全部, never the code
    html = _dashboard(people.committee, scene)
    assert "<td>个人</td>" in html
    assert "<td>全部</td>" in html
    assert ">individual<" not in html
