"""POST/GET/PATCH /api/v1/campaigns: definitions as data, checked whole, by the host's admin only."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from audit.models import AuditEvent
from tests.campaigns import CASE_FORM, CASE_RULES, STAGES, campaign_admin
from workflows.models import Campaign

pytestmark = pytest.mark.django_db


def body(tree, **overrides):
    data = {
        "title": "2024年微服务案例评选",
        "host_org": tree.committee.pk,
        "forms": {"case": copy.deepcopy(CASE_FORM)},
        "eligibility": {"case": copy.deepcopy(CASE_RULES)},
        "opens_at": "2024-08-01",
        "submission_deadline": "2024-09-18",
        "stages": copy.deepcopy(STAGES),
        "quotas": [{"org": tree.district.pk, "max": 14}, {"org": tree.other_district.pk, "max": 4}],
        "per_unit_max": 3,
        "total_max": 85,
        "publicity_days": 3,
        "publicity_working_days": True,
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin(tree):
    return campaign_admin(tree.committee)


def test_campaign_admin_of_the_host_creates_a_draft(tree, admin, client_for):
    response = client_for(admin).post("/api/v1/campaigns", body(tree), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft"
    assert [s["key"] for s in data["stages"]] == ["unit_opinion", "district_review", "committee_review"]
    assert data["stages"][1]["signer_org"] == "district"
    assert {q["org"]: (q["max"], q["used"], q["remaining"]) for q in data["quotas"]} == {
        tree.district.pk: (14, 0, 14),
        tree.other_district.pk: (4, 0, 4),
    }
    campaign = Campaign.objects.get()
    # A deadline given as a date means 23:59:59 local time that day.
    assert campaign.submission_deadline == datetime(2024, 9, 18, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert data["submission_deadline"] == "2024-09-18T23:59:59+08:00"
    assert AuditEvent.objects.filter(action="campaign.created", object_id=str(campaign.pk)).exists()


@pytest.mark.parametrize("role_fixture", ["district_reviewer", "security_admin", "submitter"])
def test_others_may_not_create_a_campaign(tree, request, client_for, role_fixture):
    user = request.getfixturevalue(role_fixture)

    response = client_for(user).post("/api/v1/campaigns", body(tree), format="json")

    assert response.status_code in (403, 404)
    assert not Campaign.objects.exists()


def test_admin_of_another_host_may_not_create_here(tree, client_for):
    other = campaign_admin(tree.city)

    response = client_for(other).post("/api/v1/campaigns", body(tree), format="json")

    assert response.status_code == 403
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stages": [*STAGES, {"key": "unit_opinion", "name": "重复", "role": "committee"}]}, "stages[3].key"),
        ({"stages": [{"key": "x", "name": "x", "role": "wizard"}]}, "stages"),
        ({"stages": [{"key": "x", "name": "x", "role": "security_admin"}]}, "stages[0].role"),
        ({"stages": []}, "stages"),
        ({"quotas": [{"org": 999999, "max": 3}]}, "quotas[0].org"),
        ({"opens_at": "2024-10-01"}, "submission_deadline"),
        ({"submission_deadline": "18/09/2024"}, "submission_deadline"),
        ({"forms": {"case": {"fields": [{"key": "a", "label": "A", "type": "hologram"}]}}}, "forms.case.fields[0]"),
        ({"eligibility": {"case": [{"type": "max_count", "field": "nope", "max": 5}]}}, "eligibility.case.rules[0]"),
        ({"kinds": ["collective"]}, "forms"),
    ],
)  # fmt: skip
def test_invalid_definitions_are_400_per_field_and_nothing_is_saved(tree, admin, client_for, change, field):
    response = client_for(admin).post("/api/v1/campaigns", body(tree, **change), format="json")

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert any(key == field or key.startswith(field) for key in errors), errors
    assert not Campaign.objects.exists()


def test_draft_can_be_changed_and_an_open_one_cannot(tree, admin, client_for):
    client = client_for(admin)
    campaign_id = client.post("/api/v1/campaigns", body(tree), format="json").json()["id"]

    changed = client.patch(f"/api/v1/campaigns/{campaign_id}", {"per_unit_max": 2}, format="json")
    assert changed.status_code == 200
    assert changed.json()["per_unit_max"] == 2
    assert changed.json()["stages"][0]["key"] == "unit_opinion"

    assert client.post(f"/api/v1/campaigns/{campaign_id}/open").json()["status"] == "open"
    refused = client.patch(f"/api/v1/campaigns/{campaign_id}", {"per_unit_max": 5}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "campaign_not_editable"
    assert Campaign.objects.get().per_unit_max == 2
    events = AuditEvent.objects.filter(object_type="workflows.campaign", object_id=str(campaign_id))
    assert list(events.values_list("action", flat=True)) == [
        "campaign.created",
        "campaign.updated",
        "campaign.status_changed",
    ]


def test_status_moves_only_along_its_path(tree, admin, client_for):
    client = client_for(admin)
    campaign_id = client.post("/api/v1/campaigns", body(tree), format="json").json()["id"]

    assert client.post(f"/api/v1/campaigns/{campaign_id}/close").status_code == 409
    assert client.post(f"/api/v1/campaigns/{campaign_id}/open").status_code == 200
    assert client.post(f"/api/v1/campaigns/{campaign_id}/close").status_code == 200
    assert client.post(f"/api/v1/campaigns/{campaign_id}/start-review").json()["status"] == "reviewing"


def test_drafts_are_hidden_from_everyone_but_the_hosts_admins(tree, admin, submitter, client_for):
    campaign_id = client_for(admin).post("/api/v1/campaigns", body(tree), format="json").json()["id"]

    assert client_for(submitter).get(f"/api/v1/campaigns/{campaign_id}").status_code == 404
    client_for(admin).post(f"/api/v1/campaigns/{campaign_id}/open")
    assert client_for(submitter).get(f"/api/v1/campaigns/{campaign_id}").status_code == 200
    listed = client_for(submitter).get("/api/v1/campaigns").json()["results"]
    assert [c["id"] for c in listed] == [campaign_id]
