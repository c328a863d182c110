"""Supplement definitions (``Campaign.supplements``) change only in draft: from the opening of intake,
and once any nomination has added a supplement, a change is 409 ``supplements_locked``."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from approvals.actions import add_supplement, create_nomination, submit_nomination
from audit.models import AuditEvent
from tests.campaigns import CASE_FORM, CASE_RULES, STAGES, campaign_admin, make_campaign, valid_case_form
from workflows.models import Campaign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def definitions(label: str = "项目总结材料") -> list[dict]:
    deadline = (timezone.localdate() + timedelta(days=30)).isoformat()
    return [{"key": "summary", "label": label, "type": "long_text", "max_length": 2000, "deadline": deadline}]


@pytest.fixture
def admin(tree):
    return campaign_admin(tree.committee)


def test_supplements_change_in_draft_and_are_locked_once_intake_opens(tree, admin, client_for):
    client = client_for(admin)
    body = {
        "title": "2026年案例征集", "host_org": tree.committee.pk, "forms": {"case": copy.deepcopy(CASE_FORM)},
        "eligibility": {"case": copy.deepcopy(CASE_RULES)}, "opens_at": "2026-08-01",
        "submission_deadline": "2026-09-18", "stages": copy.deepcopy(STAGES), "supplements": definitions(),
    }  # fmt: skip
    campaign_id = client.post("/api/v1/campaigns", body, format="json").json()["id"]
    changed = client.patch(
        f"/api/v1/campaigns/{campaign_id}", {"supplements": definitions("总结材料（约1500字）")}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert Campaign.objects.get().supplements[0]["label"] == "总结材料（约1500字）"

    assert client.post(f"/api/v1/campaigns/{campaign_id}/open").status_code == 200
    refused = client.patch(f"/api/v1/campaigns/{campaign_id}", {"supplements": []}, format="json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "supplements_locked"
    assert Campaign.objects.get().supplements[0]["label"] == "总结材料（约1500字）"
    # other fields of an open campaign keep their own refusal
    other = client.patch(f"/api/v1/campaigns/{campaign_id}", {"per_unit_max": 5}, format="json")
    assert other.json()["code"] == "campaign_not_editable"
    assert (
        not AuditEvent.objects.filter(object_id=str(campaign_id), action="campaign.updated")
        .exclude(data__changed=["supplements"])
        .exists()
    )


def test_supplements_stay_locked_once_a_nomination_added_one(tree, submitter, client_for):
    campaign = make_campaign(tree.committee, supplements=definitions())
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老案例", form=valid_case_form()
    )
    submit_nomination(nomination.pk, actor=submitter)
    add_supplement(nomination.pk, actor=submitter, key="summary", text="总结" * 50)
    # Even a campaign put back to draft by hand (a data repair) keeps what was sealed against it.
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)

    refused = client_for(campaign_admin(tree.committee)).patch(
        f"/api/v1/campaigns/{campaign.pk}", {"supplements": []}, format="json"
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "supplements_locked"
    assert Campaign.objects.get(pk=campaign.pk).supplements == definitions()
