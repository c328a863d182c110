"""The disk holding uploads is full: the real write fails (ENOSPC on a 64 KiB tmpfs, or EFBIG under
``RLIMIT_FSIZE`` where mounting is not permitted), the upload answers 507 ``storage_full`` (a
Chinese message on the page), nothing is half-written (no attachment row, no partial file, no
audit event) and the nomination is untouched; once there is room the same upload succeeds.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import resource
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from approvals.models import Attachment, Nomination
from audit.models import AuditEvent
from tests.campaigns import make_campaign, valid_case_form

pytestmark = pytest.mark.django_db

SMALL_DISK = 64 * 1024


def _system(*args: str) -> int:
    """mount/umount, by their full path; the return code."""
    command = [shutil.which(args[0]) or f"/bin/{args[0]}", *args[1:]]
    return subprocess.run(command, capture_output=True, check=False).returncode  # noqa: S603 - fixed commands


@dataclass
class FullDisk:
    """Where uploads go, and how the disk is made full (``limited``) and given room again (``grow``)."""

    media: Path
    kind: str  # "tmpfs" or "rlimit"
    expected_errno: int

    @contextlib.contextmanager
    def limited(self) -> Iterator[None]:
        """tmpfs: always full. rlimit: this process may not grow a file past SMALL_DISK meanwhile."""
        if self.kind == "tmpfs":
            yield
            return
        previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of the signal's kill
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (SMALL_DISK, hard))
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            signal.signal(signal.SIGXFSZ, previous)

    def grow(self) -> None:
        if self.kind == "tmpfs":
            assert _system("mount", "-o", "remount,size=4m", str(self.media)) == 0


def _mount_tmpfs(target: Path) -> bool:
    target.mkdir(parents=True)
    return _system("mount", "-t", "tmpfs", "-o", f"size={SMALL_DISK}", "tmpfs", str(target)) == 0


@pytest.fixture
def tmpfs_or_rlimit(settings: Any, tmp_path: Path) -> Iterator[FullDisk]:
    """A 64 KiB tmpfs where mounting is permitted (root in CI), else a file-size limit."""
    media = tmp_path / "media"
    mounted = _mount_tmpfs(media)
    settings.MEDIA_ROOT = str(media)
    if mounted:
        yield FullDisk(media, "tmpfs", errno.ENOSPC)
        _system("umount", "-l", str(media))
    else:
        yield FullDisk(media, "rlimit", errno.EFBIG)


@pytest.fixture
def rlimit_disk(settings: Any, tmp_path: Path) -> FullDisk:
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    return FullDisk(media, "rlimit", errno.EFBIG)


@pytest.fixture
def draft(tree: Any, submitter: Any, client_for: Any) -> Nomination:
    campaign = make_campaign(tree.committee)
    response = client_for(submitter).post(
        "/api/v1/nominations",
        {"campaign": campaign.pk, "unit": tree.unit.pk, "kind": "case", "title": "案例", "form": valid_case_form()},
        format="json",
    )
    return Nomination.objects.get(pk=response.json()["id"])


def photo(width: int, height: int, noise: bool) -> bytes:
    picture = Image.effect_noise((width, height), 100).convert("RGB") if noise else Image.new("RGB", (width, height))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def upload(client: Any, nomination: Nomination, name: str, content: bytes) -> Any:
    return client.post(
        f"/api/v1/nominations/{nomination.pk}/attachments",
        {"field": "photos", "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def files_in(media: Path) -> list[str]:
    return sorted(p.name for p in media.rglob("*") if p.is_file())


def uploads_fail_with_507_and_leave_nothing(
    disk: FullDisk, draft: Nomination, submitter: Any, client_for: Any
) -> None:
    api = client_for(submitter)
    small = upload(api, draft, "小图.jpg", photo(40, 30, noise=False))
    assert small.status_code == 201, small.content
    draft.refresh_from_db()
    before = (draft.version, draft.updated_at, draft.status, draft.form)
    stored = files_in(disk.media)
    events = AuditEvent.objects.count()
    big = photo(300, 300, noise=True)
    assert len(big) > SMALL_DISK

    with disk.limited():
        refused = upload(api, draft, "大图.jpg", big)
        web = Client()
        web.force_login(submitter)
        page = web.post(
            f"/nominations/{draft.pk}/attachments", {"field": "photos", "file": SimpleUploadedFile("大图.jpg", big)}
        )

    assert refused.status_code == 507, refused.content
    assert refused.json()["code"] == "storage_full"
    assert "存储空间不足" in refused.json()["detail"]
    assert page.status_code == 302
    shown = web.get(page["Location"])
    assert "服务器存储空间不足，文件未保存" in shown.content.decode()
    # Nothing half-written: no row, no partial file, no event; the nomination as it was.
    assert Attachment.objects.filter(nomination=draft).count() == 1
    assert files_in(disk.media) == stored
    assert AuditEvent.objects.count() == events
    draft.refresh_from_db()
    assert (draft.version, draft.updated_at, draft.status, draft.form) == before

    disk.grow()
    accepted = upload(api, draft, "大图.jpg", big)
    assert accepted.status_code == 201, accepted.content
    assert Attachment.objects.filter(nomination=draft).count() == 2
    assert len(files_in(disk.media)) == 2


def test_upload_on_a_full_disk_is_507_and_nothing_half_written(
    tmpfs_or_rlimit: FullDisk, draft: Nomination, submitter: Any, client_for: Any
) -> None:
    uploads_fail_with_507_and_leave_nothing(tmpfs_or_rlimit, draft, submitter, client_for)


def test_upload_beyond_the_file_size_limit_is_507_and_nothing_half_written(
    rlimit_disk: FullDisk, draft: Nomination, submitter: Any, client_for: Any
) -> None:
    """The same with ``RLIMIT_FSIZE`` (EFBIG), the mechanism used where mounting is not permitted."""
    uploads_fail_with_507_and_leave_nothing(rlimit_disk, draft, submitter, client_for)


def test_the_real_write_fails_with_the_errno_the_store_maps(tmpfs_or_rlimit: FullDisk) -> None:
    """The fixture really makes the disk full: a plain write fails with ENOSPC (tmpfs) or EFBIG."""
    target = tmpfs_or_rlimit.media / "probe"
    tmpfs_or_rlimit.media.mkdir(exist_ok=True)
    failed: OSError | None = None
    with tmpfs_or_rlimit.limited():
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            for _ in range(4):
                os.write(descriptor, b"x" * SMALL_DISK)
        except OSError as exc:
            failed = exc
        finally:
            os.close(descriptor)
    assert failed is not None, "the write did not fail: the disk is not full"
    assert failed.errno == tmpfs_or_rlimit.expected_errno
