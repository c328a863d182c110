"""The content-addressed file store: one copy per content, and simultaneous uploads of the same
bytes never share a temporary file."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path
from typing import Any

import pytest

from approvals import filestore
from approvals.uploads import UploadInfo

CONTENT = b"%PDF-1.4\n" + bytes(range(256)) * 2048  # 512 KiB: several chunks


def _info(content: bytes) -> UploadInfo:
    return UploadInfo(
        type="pdf", mime="application/pdf", size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        display_name="证明.pdf", width=None, height=None, is_image=False,
    )  # fmt: skip


class _Lockstep(io.BytesIO):
    """A stream that stops after its first chunk until every writer has written one."""

    def __init__(self, content: bytes, barrier: threading.Barrier) -> None:
        super().__init__(content)
        self.barrier = barrier
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        if self.reads == 2:
            self.barrier.wait(timeout=10)
        return super().read(size)


def test_the_same_content_is_stored_once_under_its_hash(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    info = _info(CONTENT)
    first = filestore.store(info, io.BytesIO(CONTENT))
    second = filestore.store(info, io.BytesIO(b"never read"))
    assert first == second
    assert filestore.path_of(first).read_bytes() == CONTENT
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [Path(first).name]


def test_simultaneous_uploads_of_the_same_bytes_both_succeed(settings: Any, tmp_path: Path) -> None:
    # Both writers are mid-file at the same moment. With one shared ``.part`` name the second
    # truncated the first's file and the second rename found nothing to move.
    settings.MEDIA_ROOT = str(tmp_path)
    info = _info(CONTENT)
    writers = 4
    barrier = threading.Barrier(writers)
    results: list[str] = []
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            results.append(filestore.store(info, _Lockstep(CONTENT, barrier)))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(results) == writers
    assert len(set(results)) == 1
    stored = filestore.path_of(results[0])
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == info.sha256
    assert list(tmp_path.rglob("*.part")) == []


def test_a_failed_write_leaves_no_temporary_file(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)

    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise OSError("disk gone")

    info = _info(CONTENT)
    with pytest.raises(OSError, match="disk gone"):
        filestore.store(info, Broken())
    assert list(tmp_path.rglob("*.part")) == []
    assert not filestore.path_of(filestore.uploads.storage_name(info.sha256, "pdf")).exists()


def test_only_the_file_store_knows_where_stored_files_lie() -> None:
    """Downloads, documents and uploads ask ``filestore.path_of``; none builds ``MEDIA_ROOT / name`` itself."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for app in ("accounts", "approvals", "audit", "notifications", "portal", "workflows")
        for path in (root / app).rglob("*.py")
        if path != root / "approvals" / "filestore.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "MEDIA_ROOT" in line
    ]
    assert not offenders, offenders
