"""Attachments: checked from their content before anything is stored, limits from the form."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from approvals.models import Attachment, Nomination
from audit.models import AuditEvent
from tests.campaigns import make_campaign, valid_case_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def draft(tree, submitter, client_for):
    campaign = make_campaign(tree.committee)
    response = client_for(submitter).post(
        "/api/v1/nominations",
        {"campaign": campaign.pk, "unit": tree.unit.pk, "kind": "case", "title": "案例", "form": valid_case_form()},
        format="json",
    )
    return Nomination.objects.get(pk=response.json()["id"])


def jpeg(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(client, nomination, name, content, field="photos"):
    return client.post(
        f"/api/v1/nominations/{nomination.pk}/attachments",
        {"field": field, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_photo_is_stored_under_its_hash_and_audited(draft, submitter, client_for, media):
    content = jpeg()

    response = upload(client_for(submitter), draft, "活动照片.jpg", content)

    assert response.status_code == 201, response.content
    data = response.json()
    digest = hashlib.sha256(content).hexdigest()
    assert data["sha256"] == digest
    assert (data["type"], data["width"], data["height"], data["name"]) == ("jpg", 40, 30, "活动照片.jpg")
    stored = list(media.rglob("*.jpg"))
    assert [p.name for p in stored] == [f"{digest}.jpg"]
    assert stored[0].read_bytes() == content
    event = AuditEvent.objects.get(action="attachment.added")
    assert event.data["sha256"] == digest


def test_executable_named_jpg_is_refused_and_nothing_is_stored(draft, submitter, client_for, media):
    response = upload(client_for(submitter), draft, "photo.jpg", b"MZ\x90\x00" + b"\x00" * 200)

    assert response.status_code == 400
    assert response.json()["code"] in ("file_type_mismatch", "file_type_not_allowed")
    assert "file" in response.json()["errors"]
    assert not Attachment.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_oversize_image_is_refused(draft, submitter, client_for):
    noisy = Image.effect_noise((1200, 1200), 100).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 1024 * 1024  # the field allows 1 MB

    response = upload(client_for(submitter), draft, "big.png", buffer.getvalue())

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert not Attachment.objects.exists()


def test_count_limit_of_the_field(draft, submitter, client_for):
    client = client_for(submitter)
    for i in range(2):
        assert upload(client, draft, f"p{i}.jpg", jpeg(10 + i)).status_code == 201

    response = upload(client, draft, "p3.jpg", jpeg(20))

    assert response.status_code == 400
    assert response.json()["code"] == "attachment_limit"
    assert Attachment.objects.count() == 2


def test_field_that_takes_no_files_is_refused(draft, submitter, client_for):
    response = upload(client_for(submitter), draft, "p.jpg", jpeg(), field="summary")

    assert response.status_code == 400
    assert response.json()["code"] == "not_a_file_field"


def test_only_the_units_submitters_upload(draft, district_reviewer, client_for):
    response = upload(client_for(district_reviewer), draft, "p.jpg", jpeg())

    assert response.status_code == 404  # a draft is not visible to the district
    assert not Attachment.objects.exists()


def test_removed_attachment_is_kept_on_record_and_leaves_the_form(draft, submitter, client_for):
    client = client_for(submitter)
    attachment_id = upload(client, draft, "p.jpg", jpeg()).json()["id"]

    assert client.delete(f"/api/v1/attachments/{attachment_id}").status_code == 204

    assert Attachment.objects.get().removed_at is not None
    assert client.get(f"/api/v1/nominations/{draft.pk}").json()["attachments"] == []


def test_attachments_are_bound_into_the_content_hash(draft, submitter, client_for):
    client = client_for(submitter)
    upload(client, draft, "p.jpg", jpeg())

    submitted = client.post(f"/api/v1/nominations/{draft.pk}/submit").json()

    assert submitted["status"] == "in_review"
    other = Nomination.objects.get(pk=draft.pk)
    assert other.content_hash == submitted["content_hash"]
    assert len(other.content_hash) == 64


def test_download_is_scoped(draft, submitter, client_for):
    content = jpeg()
    client = client_for(submitter)
    attachment_id = upload(client, draft, "p.jpg", content).json()["id"]

    response = client.get(f"/api/v1/attachments/{attachment_id}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
