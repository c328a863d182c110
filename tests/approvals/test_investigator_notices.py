"""Who hears of an objection (issue 18): the named investigator, with a 我的核查 menu entry and
list, and the nominee's unit, which is told that one came in but never who filed it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from approvals.actions import objections as objection_actions
from approvals.actions import publicity as publicity_actions
from notifications.delivery import drain_outbox
from notifications.models import Notification
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import People, Scene

pytestmark = pytest.mark.django_db
people = publicity_helpers.people
scene = publicity_helpers.scene
calendar_seeded = publicity_helpers.calendar_seeded
generous_objection_limits = publicity_helpers.generous_objection_limits


def _file(people: People, scene: Scene) -> int:
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


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_named_investigator_is_notified_and_finds_it_under_my_investigations(people, scene) -> None:
    objection_id = _file(people, scene)
    assert "我的核查" not in _page(people.judge, "/")

    objection_actions.assign_investigator(objection_id, actor=people.committee, investigator_id=people.judge.pk)
    drain_outbox()

    notice = Notification.objects.get(user=people.judge, kind="objection_assigned")
    assert "陆家嘴助老服务" in notice.title
    assert notice.link == f"/objections/{objection_id}/"
    assert "赵异议" not in notice.body
    assert "13900001111" not in notice.body
    home = _page(people.judge, "/")
    assert 'href="/objections/mine/"' in home
    assert "我的核查" in home
    mine = _page(people.judge, "/objections/mine/")
    assert f'href="/objections/{objection_id}/"' in mine
    assert "陆家嘴助老服务" in mine
    assert "待核查" in mine


def test_my_investigations_lists_only_ones_own(people, scene) -> None:
    objection_id = _file(people, scene)
    objection_actions.assign_investigator(objection_id, actor=people.committee, investigator_id=people.judge.pk)

    page = _page(people.campaign_admin, "/objections/mine/")

    assert f"/objections/{objection_id}/" not in page
    assert "目前没有指定您核查的异议" in page


def test_the_nominees_unit_is_told_of_an_objection_without_the_objector(people, scene) -> None:
    _file(people, scene)
    drain_outbox()

    notices = Notification.objects.filter(kind="objection_against_unit")
    assert set(notices.values_list("user__username", flat=True)) >= {people.submitter.username, "leader"}
    for notice in notices:
        assert "陆家嘴助老服务" in notice.title
        assert "赵异议" not in notice.body
        assert "13900001111" not in notice.body
        assert "服务对象数量" not in notice.body
    # the other unit's nomination had no objection: its people hear nothing of it
    assert not Notification.objects.filter(kind="objection_against_unit", body__contains="南京东路").exists()


def test_the_menu_asks_about_objections_only_for_those_who_may_investigate(people, scene) -> None:
    """Issue 18: the 我的核查 entry costs no query on the pages of a unit's people (they are never named)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    objection_id = _file(people, scene)
    objection_actions.assign_investigator(objection_id, actor=people.committee, investigator_id=people.judge.pk)

    def objection_queries(user) -> int:
        with CaptureQueriesContext(connection) as captured:
            _page(user, "/notifications/")
        return sum('"approvals_objection"' in q["sql"] for q in captured.captured_queries)

    assert objection_queries(people.submitter) == 0
    assert objection_queries(people.judge) == 1
