"""update_campaign and PATCH /api/v1/campaigns/{id}: a draft's definition changed whole, audited;
what the setup pages save goes through the same action (tests/portal/test_campaign_setup.py)."""

from __future__ import annotations

import copy

import pytest

from accounts.roles import Role
from audit.models import AuditEvent
from tests.campaigns import CASE_FORM, STAGES, campaign_admin
from tests.factories import user_with_role
from workflows import actions
from workflows.exceptions import CampaignNotEditable
from workflows.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tree):
    return campaign_admin(tree.committee)


@pytest.fixture
def draft_id(tree, admin, client_for) -> int:
    body = {
        "title": "草稿活动",
        "host_org": tree.committee.pk,
        "forms": {"case": copy.deepcopy(CASE_FORM)},
        "opens_at": "2027-01-01",
        "submission_deadline": "2027-03-31",
        "stages": copy.deepcopy(STAGES),
    }
    response = client_for(admin).post("/api/v1/campaigns", body, format="json")
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_patch_reorders_stages_and_sets_a_fixed_date_in_one_audited_change(admin, client_for, draft_id):
    stages = copy.deepcopy(STAGES)
    stages[1]["due_date"] = "2027-04-10"

    response = client_for(admin).patch(
        f"/api/v1/campaigns/{draft_id}", {"stages": [stages[1], stages[0], stages[2]]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert [s["key"] for s in response.json()["stages"]] == ["district_review", "unit_opinion", "committee_review"]
    assert response.json()["stages"][0]["due_date"] == "2027-04-10"
    event = AuditEvent.objects.get(action="campaign.updated", object_id=str(draft_id))
    assert event.data["changed"] == ["stages"]
    assert event.actor == admin


def test_patch_refuses_a_date_before_the_deadline_per_field_and_changes_nothing(admin, client_for, draft_id):
    stages = copy.deepcopy(STAGES)
    stages[0]["due_date"] = "2027-03-01"

    response = client_for(admin).patch(f"/api/v1/campaigns/{draft_id}", {"stages": stages}, format="json")

    assert response.status_code == 400
    assert "stages[0].due_date" in response.json()["errors"]
    assert Campaign.objects.get(pk=draft_id).stages.get(key="unit_opinion").due_date is None
    assert not AuditEvent.objects.filter(action="campaign.updated").exists()


def test_the_admin_of_another_host_may_not_patch(tree, client_for, draft_id):
    other = user_with_role(Role.CAMPAIGN_ADMIN, tree.city, username="city_cadmin")

    response = client_for(other).patch(f"/api/v1/campaigns/{draft_id}", {"title": "改名"}, format="json")

    assert response.status_code in (403, 404)
    assert Campaign.objects.get(pk=draft_id).title == "草稿活动"


def test_an_open_campaign_is_not_editable(admin, draft_id):
    actions.change_campaign_status(draft_id, actor=admin, transition="open")

    with pytest.raises(CampaignNotEditable) as refused:
        actions.update_campaign(draft_id, actor=admin, changes={"title": "改名"})

    assert refused.value.code == "campaign_not_editable"
    assert Campaign.objects.get(pk=draft_id).title == "草稿活动"
