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


# --- the status panel (issue 18: a next step for everyone) -----------------------------------


def _open(scene: Scene, *, deadline_in: timedelta = timedelta(days=5)) -> None:
    from workflows.models import Campaign

    Campaign.objects.filter(pk=scene.campaign.pk).update(
        status=Campaign.Status.OPEN,
        opens_at=timezone.now() - timedelta(days=3),
        submission_deadline=timezone.now() + deadline_in,
    )


def _post_status(user, scene: Scene, transition: str):
    client = Client()
    client.force_login(user)
    return client.post(f"/campaigns/{scene.campaign.pk}/status", {"transition": transition}, follow=True)


def test_the_campaign_admin_closes_intake_from_the_dashboard(people, scene) -> None:
    from audit.models import AuditEvent
    from workflows.models import Campaign

    _open(scene)
    page = _dashboard(people.campaign_admin, scene)
    assert 'name="transition" value="close"' in page
    assert "截止征集后，各单位不能再新建或首次提交申报" in page
    # reopen and start review are shown, disabled, with why
    assert 'value="reopen"' not in page
    assert "只有“征集结束”的活动可以重新开放征集" in page

    response = _post_status(people.campaign_admin, scene, "close")

    assert response.status_code == 200
    campaign = Campaign.objects.get(pk=scene.campaign.pk)
    assert campaign.status == Campaign.Status.CLOSED
    assert campaign.closed_at is not None
    assert AuditEvent.objects.filter(action="campaign.status_changed", object_id=str(campaign.pk)).exists()
    html = response.content.decode()
    assert "已截止征集" in html
    assert 'name="transition" value="reopen"' in html
    assert 'name="transition" value="start_review"' in html


def test_after_an_early_close_the_dashboard_shows_the_actual_close_time(people, scene) -> None:
    from config.dates import official_time
    from workflows.models import Campaign

    _open(scene, deadline_in=timedelta(days=10))
    _post_status(people.campaign_admin, scene, "close")
    campaign = Campaign.objects.get(pk=scene.campaign.pk)

    page = _dashboard(people.committee, scene)

    assert f"已于 {official_time(campaign.closed_at)} 截止征集" in page
    assert f"原定申报截止 {official_time(campaign.submission_deadline)}" in page

    _post_status(people.campaign_admin, scene, "reopen")
    assert Campaign.objects.get(pk=scene.campaign.pk).closed_at is None
    assert "已于" not in _dashboard(people.committee, scene)


def test_the_committee_is_told_why_publicity_cannot_start_and_gets_no_status_buttons(people, scene) -> None:
    from workflows.models import Campaign

    _open(scene)
    page = _dashboard(people.committee, scene)

    assert "活动仍在征集中，不能开始公示：须先截止征集。" in page
    assert "截止征集由本活动的活动管理员" in page
    assert 'name="transition"' not in page
    # and posting anyway is refused, nothing changes
    response = _post_status(people.committee, scene, "close")
    assert "您没有" in response.content.decode() or "权限" in response.content.decode()
    assert Campaign.objects.get(pk=scene.campaign.pk).status == Campaign.Status.OPEN


def test_the_district_table_counts_publicity_and_final(people, scene) -> None:
    from approvals.models import Nomination

    Nomination.objects.filter(pk=scene.first.pk).update(status=Nomination.Status.IN_PUBLICITY)
    Nomination.objects.filter(pk=scene.second.pk).update(status=Nomination.Status.FINAL)

    page = _dashboard(people.committee, scene)

    assert '<th scope="col">公示中</th>' in page
    assert '<th scope="col">最终确定</th>' in page
    # first and second are in the same district: one in 公示, one final
    assert "<td>0</td><td>1</td><td>1</td></tr>" in page
