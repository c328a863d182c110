"""Attachments, the auditor's pages and the dashboard through the web pages."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.roles import Role
from approvals.actions import create_nomination, submit_nomination
from approvals.models import Attachment, AuditEvent
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SEALFLOW_SEAL_KEY_FILE = str(tmp_path / "seal-master.key")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def draft(tree, submitter):
    campaign = make_campaign(tree.committee)
    return create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老", form=valid_case_form()
    )


def test_upload_download_and_remove_an_attachment(draft, submitter):
    client = login(submitter)
    upload = SimpleUploadedFile("现场.png", png(), content_type="image/png")
    response = client.post(f"/nominations/{draft.pk}/attachments", {"field": "photos", "file": upload})
    assert response.status_code == 302
    attachment = Attachment.objects.get(nomination=draft)
    edit = client.get(f"/nominations/{draft.pk}/edit").content.decode()
    assert "现场.png" in edit
    assert client.get(f"/attachments/{attachment.pk}").status_code == 200
    assert client.post(f"/attachments/{attachment.pk}/remove").status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is not None


def test_an_upload_of_the_wrong_type_is_refused_in_chinese(draft, submitter):
    upload = SimpleUploadedFile("a.png", b"%PDF-1.4 not an image", content_type="image/png")
    response = login(submitter).post(
        f"/nominations/{draft.pk}/attachments", {"field": "photos", "file": upload}, follow=True
    )
    assert 'class="message error"' in response.content.decode()
    assert not Attachment.objects.filter(nomination=draft).exists()


def test_a_stranger_cannot_download_the_attachment(draft, submitter, tree):
    login(submitter).post(
        f"/nominations/{draft.pk}/attachments",
        {"field": "photos", "file": SimpleUploadedFile("p.png", png(), content_type="image/png")},
    )
    attachment = Attachment.objects.get(nomination=draft)
    stranger = user_with_role(Role.SUBMITTER, tree.other_unit, username="stranger")
    assert login(stranger).get(f"/attachments/{attachment.pk}").status_code == 404


def test_auditor_filters_pages_and_exports_the_trail(draft, submitter, auditor):
    submit_nomination(draft.pk, actor=submitter)
    client = login(auditor)
    page = client.get(f"/audit/?object=nomination:{draft.pk}").content.decode()
    assert "提交申报" in page
    assert "创建申报" in page
    export = client.get(f"/audit/export.csv?object=nomination:{draft.pk}")
    csv = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    assert "nomination.submitted" in csv
    assert csv.startswith("\ufeff")
    verify = client.post("/audit/verify").content.decode()
    assert "审计链完整" in verify
    assert AuditEvent.objects.filter(action=AuditEvent.Action.AUDIT_VERIFIED, actor_id=auditor.pk).exists()


def test_audit_keyset_paging_moves_past_the_last_id(auditor):
    # 55 events of one action: the auditor's own verifications; a page holds 50.
    client = login(auditor)
    for _ in range(55):
        client.post("/audit/verify")
    first = client.get("/audit/?action=audit.verified")
    assert first.context["next_query"]
    last_id = first.context["events"][-1].pk
    second = client.get(f"/audit/?action=audit.verified&after={last_id}")
    assert all(e.pk > last_id for e in second.context["events"])
    assert len(second.context["events"]) == 5


def test_no_one_but_the_auditor_reads_the_trail_and_the_refusal_is_audited(submitter):
    response = login(submitter).get("/audit/")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED, actor_id=submitter.pk).exists()
    assert login(submitter).get("/audit/export.csv").status_code == 403


def test_dashboard_only_for_the_host(draft, submitter, tree):
    committee = user_with_role(Role.COMMITTEE, tree.committee, username="cmt")
    submit_nomination(draft.pk, actor=submitter)
    page = login(committee).get(f"/campaigns/{draft.campaign_id}/dashboard").content.decode()
    assert "浦东新区民政局" in page
    assert login(submitter).get(f"/campaigns/{draft.campaign_id}/dashboard").status_code == 404


def test_someone_without_a_unit_cannot_start_a_nomination(draft, tree):
    reviewer = user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="rev")
    page = login(reviewer).get(f"/campaigns/{draft.campaign_id}/nominations/new").content.decode()
    assert "您不是任何单位的申报经办人" in page


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    from approvals.web.audit import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("张三") == "张三"
