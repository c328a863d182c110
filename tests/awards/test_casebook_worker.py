"""The case book is built by a real Celery worker through the real broker: the committee's request
is handed over after commit, the worker builds it (progress written as it goes) and the API then
serves the PDF and the Word document."""

from __future__ import annotations

import time

import pytest

from awards.models import CaseBook
from tests.audit.test_anchor_task import celery_worker_process  # noqa: F401 - the real worker fixture
from tests.awards.test_casebook import CASES, awarded, url


@pytest.fixture
def shared_media(tmp_path, monkeypatch, settings):
    """One file store for the test and the worker (it reads SEALFLOW_MEDIA_ROOT when it starts)."""
    media = tmp_path / "media"
    monkeypatch.setenv("SEALFLOW_MEDIA_ROOT", str(media))
    settings.MEDIA_ROOT = str(media)
    settings.SEALFLOW_CASEBOOK_BACKGROUND = True
    return media


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_the_requested_casebook(shared_media, celery_worker_process, tree, submitter, client_for):  # noqa: F811
    ranked = awarded(tree, submitter, count=CASES)
    committee = client_for(ranked.committee)

    asked = committee.post(url(ranked))

    assert asked.status_code == 202, asked.content
    seen = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert celery_worker_process.poll() is None, celery_worker_process.stdout.read().decode()
        progress = committee.get(url(ranked))
        if progress.status_code == 200:
            break
        assert progress.status_code == 202
        body = progress.json()
        assert body["status"] in ("queued", "building"), body
        seen.add((body["status"], body["done"]))
        time.sleep(0.2)
    else:
        pytest.fail(f"the worker did not build the case book: {seen}")
    book = CaseBook.objects.get()
    assert book.status == CaseBook.Status.DONE
    assert (book.done, book.total) == (CASES, CASES)
    assert book.started_at is not None
    assert b"".join(progress.streaming_content).startswith(b"%PDF")
    assert committee.get(url(ranked, ".docx")).status_code == 200
    assert (shared_media / book.pdf_name).is_file()
