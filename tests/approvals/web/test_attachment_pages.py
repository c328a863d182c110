"""Attachments and the dashboard through the web pages."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.roles import Role
from approvals.actions import create_nomination, submit_nomination
from approvals.models import Attachment
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
