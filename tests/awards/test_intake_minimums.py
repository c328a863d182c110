"""Minimums per township [000] and per unit, reported at the close of intake (audited, committee
notified) and on demand (API and dashboard); the township part is issue 15's report, extended."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from approvals.actions import create_nomination, submit_nomination
from audit.models import AuditEvent
from notifications.models import OutboxMessage
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role
from workflows.actions import change_campaign_status
from workflows.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree, submitter):
    """One submitted nomination, from 陆家嘴中心; 南京东路 (township and unit) has none."""
    campaign = make_campaign(tree.committee, min_per_township=1, min_per_unit=1)
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="案例", form=valid_case_form()
    )
    submit_nomination(nomination.pk, actor=submitter)
    return campaign


def test_closing_intake_audits_who_is_below_the_minimums_and_tells_the_committee(campaign, tree):
    admin = user_with_role(Role.CAMPAIGN_ADMIN, tree.committee, username="cadmin")

    change_campaign_status(campaign.pk, actor=admin, transition="close")

    event = AuditEvent.objects.get(action="awards.intake_below_minimum")
    assert event.data["townships_short"] == [tree.other_township.pk]
    assert event.data["units_short"] == [tree.other_unit.pk]
    message = OutboxMessage.objects.get(kind="intake_below_minimum")
    assert message.recipients["roles"] == [[Role.COMMITTEE.value, tree.committee.pk]]
    assert "南京东路中心" in message.payload["units"]
    assert "陆家嘴" not in message.payload["units"] + message.payload["townships"]
    from notifications.delivery import render

    text = render(message.kind, message.payload)
    assert "未达到每乡镇（街道）最低申报数：南京东路街道" in text.body
    assert "未达到每单位最低申报数：南京东路中心" in text.body


def test_closing_intake_with_every_minimum_met_reports_nothing(campaign, tree):
    Campaign.objects.filter(pk=campaign.pk).update(min_per_township=None)
    campaign.refresh_from_db()
    other_submitter = user_with_role(Role.SUBMITTER, tree.other_unit, username="njd")
    nomination = create_nomination(
        actor=other_submitter, campaign=campaign, unit=tree.other_unit, kind="case", title="案例",
        form=valid_case_form(),
    )  # fmt: skip
    submit_nomination(nomination.pk, actor=other_submitter)
    admin = user_with_role(Role.CAMPAIGN_ADMIN, tree.committee, username="cadmin")

    change_campaign_status(campaign.pk, actor=admin, transition="close")

    assert not AuditEvent.objects.filter(action="awards.intake_below_minimum").exists()
    assert not OutboxMessage.objects.filter(kind="intake_below_minimum").exists()


def test_the_intake_report_lists_units_below_the_minimum_on_demand(campaign, tree, client_for):
    committee = user_with_role(Role.COMMITTEE, tree.committee, username="cmt")

    report = client_for(committee).get(f"/api/v1/campaigns/{campaign.pk}/awards/intake").json()

    assert report["min_per_unit"] == 1
    assert [u["name"] for u in report["units_short"]] == ["南京东路中心"]
    assert [t["name"] for t in report["townships_short"]] == ["南京东路街道"]


def test_the_dashboard_shows_who_is_below_the_minimums(campaign, tree, client):
    committee = user_with_role(Role.COMMITTEE, tree.committee, username="cmt")
    client.force_login(committee)

    page = client.get(f"/campaigns/{campaign.pk}/dashboard")

    assert page.status_code == 200
    html = page.content.decode()
    assert "征集情况（最低申报数）" in html
    assert "南京东路中心：0 个" in html
