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
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import Organization, User
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
    individual = shanghai.quotas.filter(kind="individual")
    assert individual.count() == 16
    assert sum(q.max for q in individual) == 85
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


def test_shanghai_counts_centres_district_teams_and_individuals_apart():
    """[002]: 24 受理中心 by the ranking (浦东 6 … four districts 1), one 区运管团队 per district, 85 people."""
    call_command("load_demo")
    shanghai = Campaign.objects.get(title__contains="一网通办")
    centres = {q.org.code: q.max for q in shanghai.quotas.filter(kind="collective", value="受理中心组")}
    teams = {q.org.code: q.max for q in shanghai.quotas.filter(kind="collective", value="区运管团队组")}

    assert centres == {"SH-PD": 6, "SH-HP": 3, "SH-JA": 4, "SH-XH": 2, "SH-QP": 5,
                       "SH-YP": 1, "SH-MH": 1, "SH-JD": 1, "SH-JS": 1}  # fmt: skip
    assert sum(centres.values()) == 24
    assert len(teams) == 16
    assert set(teams.values()) == {1}
    assert shanghai.total_max == 24 + 16 + 85
    district = shanghai.stages.get(key="district_review")
    assert district.due_date is not None
    assert district.time_limit_days is None
    assert district.due_date > timezone.localdate(shanghai.submission_deadline)


def test_taishan_party_stage_may_be_signed_by_the_unit_leader_and_seals_with_the_unit():
    call_command("load_demo")
    taishan = Campaign.objects.get(title__contains="台山")
    party = taishan.stages.get(key="party_opinion")
    assert (party.same_signer_as_previous, party.seal, party.seal_org) == (True, True, "unit")
    assert not taishan.stages.get(key="unit_opinion").same_signer_as_previous
    both = User.objects.get(username="ygl_leader")
    assert set(both.grants.values_list("role", "org__code")) == {
        ("unit_leader", "JM-TS-YGL"),
        ("party_secretary", "JM-TS-YGL-P"),
    }


def test_shandong_runs_county_city_province():
    """[004]: 省民政厅 → 济宁市民政局 → 泗水县民政局, and the chain climbs it."""
    call_command("load_demo")
    jining = Organization.objects.get(code="SD-SS").parent
    assert jining is not None
    assert jining.parent is not None
    assert [jining.kind, jining.code, jining.parent.kind] == ["city", "SD-JN", "province"]
    shandong = Campaign.objects.get(title__contains="全省民政")
    assert [(s.key, s.role, s.signer_org) for s in shandong.stages.order_by("position")] == [
        ("county_review", "district_reviewer", "district"),
        ("city_review", "city_reviewer", "city"),
        ("first_screening", "province_reviewer", "province"),
        ("expert_review", "committee", "host"),
    ]


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
