"""The five seed campaigns: each opens and takes a valid nomination of each of its kinds through the API."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import User
from approvals.models import Nomination
from audit.verification import verify_audit
from tests.approvals.test_uploads import make_docx, make_image, make_pdf
from workflows import forms
from workflows.demo import demo_definitions
from workflows.models import Campaign
from workflows.seed_forms import SEED_CAMPAIGNS, SEED_SAMPLE_ATTACHMENTS, SEED_SAMPLES, SEED_SUBMISSION_DATES

pytestmark = pytest.mark.django_db

SUBMITTERS = {"002": "ljz_submitter", "003": "taishan_submitter", "000": "dehua_submitter",
              "001": "pingshan_submitter", "004": "sishui_submitter"}  # fmt: skip
CASES = [(d["seed"], kind) for d in demo_definitions() for kind in SEED_CAMPAIGNS[d["seed"]]["forms"]]
BUILDERS: dict[str, Callable[[], bytes]] = {
    "jpg": lambda: make_image("JPEG"),
    "png": lambda: make_image("PNG"),
    "pdf": make_pdf,
    "docx": make_docx,
}


def client_as(username: str) -> APIClient:
    _instance, token = AuthToken.objects.create(user=User.objects.get(username=username))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_load_demo_creates_and_opens_the_five_campaigns_once():
    call_command("load_demo")
    call_command("load_demo")

    campaigns = Campaign.objects.order_by("id")
    assert campaigns.count() == 5
    assert set(campaigns.values_list("status", flat=True)) == {"open"}
    shanghai = campaigns.get(title__contains="一网通办")
    assert shanghai.quotas.count() == 16
    assert sum(q.max for q in shanghai.quotas.all()) == 85
    assert [s.key for s in shanghai.stages.order_by("position")] == [
        "district_review",
        "city_review",
        "committee_review",
    ]
    assert all(s.seal for s in shanghai.stages.all())
    assert shanghai.publicity_days == 3
    assert shanghai.publicity_working_days
    assert campaigns.get(title__contains="台山").per_unit_max == 3
    assert verify_audit().valid


@pytest.mark.parametrize(("seed", "kind"), CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_seed_campaign_takes_a_valid_nomination_of_each_kind(seed, kind, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    # The samples' dates satisfy the rules on the seed's own submission date: go there.
    day = datetime.combine(SEED_SUBMISSION_DATES[seed], time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(day, tick=False):
        call_command("load_demo")
        campaign = next(c for c in Campaign.objects.all() if seed_of(c) == seed)
        client = client_as(SUBMITTERS[seed])
        submitter = User.objects.get(username=SUBMITTERS[seed])
        unit = submitter.grants.get(role="submitter").org
        assert unit is not None
        definition = campaign.forms[kind]
        sample = copy.deepcopy(SEED_SAMPLES[seed][kind])
        file_fields = {f["key"]: f for f in definition["fields"] if f["type"] in forms.ATTACHMENT_FIELD_TYPES}
        form = {k: v for k, v in sample.items() if k not in file_fields}

        created = client.post(
            "/api/v1/nominations",
            {"campaign": campaign.pk, "unit": unit.pk, "kind": kind, "title": "示例申报", "form": form},
            format="json",
        )
        assert created.status_code == 201, created.content
        nomination_id = created.json()["id"]
        for key, field in file_fields.items():
            for attachment_id in sample.get(key, []):
                info = SEED_SAMPLE_ATTACHMENTS[attachment_id]
                upload = SimpleUploadedFile(info.name, BUILDERS[info.type]())
                response = client.post(
                    f"/api/v1/nominations/{nomination_id}/attachments",
                    {"field": key, "file": upload},
                    format="multipart",
                )
                assert response.status_code == 201, (field["label"], response.content)
        submitted = client.post(f"/api/v1/nominations/{nomination_id}/submit")

    assert submitted.status_code == 200, submitted.content
    first_stage = campaign.stages.order_by("position").first()
    assert first_stage is not None
    assert submitted.json()["stage"] == first_stage.key
    assert Nomination.objects.get(pk=nomination_id).status == "in_review"


def seed_of(campaign: Campaign) -> str:
    return next(d["seed"] for d in demo_definitions() if d["title"] == campaign.title)


@pytest.mark.parametrize("seed", sorted(SEED_CAMPAIGNS))
def test_no_seed_form_asks_for_the_unit_again(seed):
    """The unit is chosen when the draft is made and printed as 申报单位（盖章） from the nomination;
    a form field for it would be typed twice and could disagree with the unit that seals."""
    for kind, definition in SEED_CAMPAIGNS[seed]["forms"].items():
        labels = {field["label"] for field in definition["fields"]}
        assert not labels & {"申报单位", "单位/组织名称", "单位名称"}, (seed, kind, labels)
