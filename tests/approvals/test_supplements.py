"""Supplements after submission (补充材料, [003]): added once by the unit, sealed as an addendum, by its date."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from approvals import seals
from approvals.actions import create_nomination, submit_nomination
from approvals.models import Nomination, Supplement
from approvals.sealing import nomination_content_hash
from audit.models import AuditEvent
from tests.approvals.test_paper_documents import docx_all_text, pdf_text, squeeze
from tests.campaigns import make_campaign, valid_case_form

pytestmark = pytest.mark.django_db

SUMMARY = "本项目自2013年起组织党员义工开展助老服务。" * 40  # ~900 characters


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def supplement_defs(days: int = 30) -> list[dict]:
    deadline = (timezone.localdate() + timedelta(days=days)).isoformat()
    return [
        {"key": "summary", "label": "项目总结材料", "type": "long_text", "max_length": 2000, "deadline": deadline},
        {"key": "evidence", "label": "佐证材料", "type": "files", "allowed_types": ["pdf"], "deadline": deadline},
    ]


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.committee, supplements=supplement_defs())


@pytest.fixture
def draft(campaign, tree, submitter) -> Nomination:
    return create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老服务案例", form=valid_case_form()
    )


@pytest.fixture
def submitted(draft, submitter) -> Nomination:
    return submit_nomination(draft.pk, actor=submitter)


def add(client, nomination, **data):
    return client.post(f"/api/v1/nominations/{nomination.pk}/supplements", data, format="multipart")


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_summary_is_added_sealed_with_the_units_key_and_verifies(submitted, submitter, client_for, tree):
    # A stage sealed the nomination before: the addendum must not make its content look changed.
    with transaction.atomic():
        locked = Nomination.objects.select_for_update().get(pk=submitted.pk)
        first = seals.create_seal(
            locked, stage="district_review", decision="approve", opinion="同意推荐", signer=submitter,
            org=tree.district, content_hash=nomination_content_hash(locked),
        )  # fmt: skip

    response = add(client_for(submitter), submitted, key="summary", text=SUMMARY)

    assert response.status_code == 201, response.content
    supplement = Supplement.objects.get(nomination=submitted)
    assert supplement.text == SUMMARY
    assert supplement.seal.sequence == first.sequence + 1
    assert supplement.seal.key.org == tree.unit
    assert supplement.seal.stage == "supplement:summary"
    assert response.json()["seal_sequence"] == supplement.seal.sequence
    assert seals.verify_nomination(submitted) == []
    exported = seals.export_chain(submitted)
    keys = {k: (v["algorithm"], v["public_key"]) for k, v in exported["public_keys"].items()}
    assert seals.verify_payload_chain(exported["seals"], keys, nomination_id=submitted.pk) == []
    actions = list(AuditEvent.objects.filter(object_id=str(submitted.pk)).values_list("action", flat=True))
    assert actions[-2:] == ["seal.created", "supplement.added"]
    shown = client_for(submitter).get(f"/api/v1/nominations/{submitted.pk}").json()["supplements"]
    assert [(s["key"], s["text"]) for s in shown] == [("summary", SUMMARY)]
    submitted.refresh_from_db()
    public = Client().get(f"/api/v1/public/verify/{submitted.verification_code}").json()
    assert public["valid"] is True
    assert [(s["sequence"], s["stage_name"], s["org"]) for s in public["seals"]][-1] == (
        supplement.seal.sequence,
        "补充材料：项目总结材料",
        tree.unit.name,
    )


def test_a_changed_supplement_is_found(submitted, submitter, client_for):
    add(client_for(submitter), submitted, key="summary", text=SUMMARY)
    Supplement.objects.filter(nomination=submitted).update(text=SUMMARY + "（事后修改）")

    problems = seals.verify_nomination(submitted)

    assert [p.kind for p in problems] == ["content_changed_since_seal"]


def test_files_are_checked_and_sealed(submitted, submitter, client_for):
    client = client_for(submitter)
    refused = add(client, submitted, key="evidence", files=[SimpleUploadedFile("a.pdf", b"MZ" + b"\x00" * 100)])
    assert refused.status_code == 400
    assert not Supplement.objects.exists()

    response = add(client, submitted, key="evidence", files=[SimpleUploadedFile("佐证.pdf", pdf())])

    assert response.status_code == 201, response.content
    assert [f["name"] for f in response.json()["files"]] == ["佐证.pdf"]
    assert seals.verify_nomination(submitted) == []


def test_after_its_deadline_a_supplement_is_refused_with_409(tree, submitter, client_for):
    campaign = make_campaign(tree.committee, supplements=supplement_defs(days=-1))
    draft = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="案例", form=valid_case_form()
    )
    nomination = submit_nomination(draft.pk, actor=submitter)

    response = add(client_for(submitter), nomination, key="summary", text=SUMMARY)

    assert response.status_code == 409
    assert response.json()["code"] == "supplement_deadline_passed"
    assert not Supplement.objects.exists()


def test_before_submission_a_supplement_is_refused_with_409(draft, submitter, client_for):
    response = add(client_for(submitter), draft, key="summary", text=SUMMARY)

    assert response.status_code == 409
    assert response.json()["code"] == "supplement_before_submission"


def test_a_supplement_is_added_once_and_only_by_the_units_submitter(
    submitted, submitter, district_reviewer, client_for
):
    assert add(client_for(district_reviewer), submitted, key="summary", text=SUMMARY).status_code == 403
    assert add(client_for(submitter), submitted, key="summary", text=SUMMARY).status_code == 201

    again = add(client_for(submitter), submitted, key="summary", text="另一版")

    assert again.status_code == 409
    assert again.json()["code"] == "supplement_already_added"
    assert Supplement.objects.get().text == SUMMARY


def test_too_long_or_unknown_is_a_400(submitted, submitter, client_for):
    client = client_for(submitter)

    too_long = add(client, submitted, key="summary", text="字" * 2001)
    unknown = add(client, submitted, key="nothing", text="x")

    assert too_long.json()["code"] == "text_too_long"
    assert unknown.json()["code"] == "unknown_supplement"
    assert not Supplement.objects.exists()


def test_the_campaign_definition_checks_supplements(tree, client_for):
    from tests.campaigns import campaign_admin
    from tests.workflows.test_campaigns_api import body

    bad = [{"key": "Summary!", "label": "", "type": "video", "deadline": "12月30日"}]
    response = client_for(campaign_admin(tree.committee)).post(
        "/api/v1/campaigns", body(tree, supplements=bad), format="json"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"supplements[0].key", "supplements[0].label", "supplements[0].type", "supplements[0].deadline"} <= set(
        errors
    )


def test_the_supplement_is_printed_with_the_units_seal_in_pdf_and_word(submitted, submitter, client_for, tree):
    add(client_for(submitter), submitted, key="summary", text=SUMMARY)
    client = Client()
    client.force_login(submitter)

    pdf = client.get(f"/nominations/{submitted.pk}/form.pdf").content
    docx = client.get(f"/nominations/{submitted.pk}/form.docx").content

    printed = squeeze(pdf_text(pdf))
    assert "补充材料：项目总结材料" in printed
    assert squeeze(SUMMARY[:60]) in printed
    assert "签署人" in printed
    word = docx_all_text(docx)
    assert "补充材料：项目总结材料" in word
    assert SUMMARY[:60] in word
    images = [n for n in zipfile.ZipFile(io.BytesIO(docx)).namelist() if n.startswith("word/media/")]
    assert len(images) == 2  # the unit's seal over the supplement and the QR code


def test_the_nomination_page_shows_the_supplements_and_takes_one(submitted, submitter):
    client = Client()
    client.force_login(submitter)
    page = client.get(f"/nominations/{submitted.pk}/").content.decode()
    assert "项目总结材料" in page
    assert f'action="/nominations/{submitted.pk}/supplements/summary"' in page

    response = client.post(f"/nominations/{submitted.pk}/supplements/summary", {"text": SUMMARY})

    assert response.status_code == 302
    page = client.get(f"/nominations/{submitted.pk}/").content.decode()
    assert "已加盖" in page
    assert "(" + submitter.username + ")" not in page.split("supplements-h")[1]
    assert f'action="/nominations/{submitted.pk}/supplements/summary"' not in page
    assert Supplement.objects.get().text == SUMMARY


def test_the_demo_gives_003_its_summary_two_months_after_the_form():
    from django.core.management import call_command

    from workflows import supplements
    from workflows.models import Campaign

    call_command("load_demo")

    campaign = Campaign.objects.get(title__startswith="2014年台山市")
    [summary] = campaign.supplements
    assert (summary["key"], summary["type"]) == ("summary", "long_text")
    gap = timezone.localdate(supplements.deadline_of(summary)) - timezone.localdate(campaign.submission_deadline)
    assert gap == timedelta(days=61)
