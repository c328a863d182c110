"""The case book (案例集): 50 awarded cases with pictures compiled into one PDF (cover, table of
contents naming every title, page numbers, the pictures) and one Word document (50 case headings,
the pictures); a broken picture is left out with a note; hostile text stays data; the request is
audited and a second request returns the running build; progress JSON while queued; only the
host's committee may ask or download."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from PIL import Image

from accounts.roles import Role
from approvals import filestore, uploads
from approvals.models import Attachment
from audit.models import AuditEvent
from awards import actions
from awards.casebook import build_casebook
from awards.models import Award, CaseBook
from tests.approvals.test_hostile_documents import pdf_text
from tests.awards.conftest import Ranked, make_ranked, tiers
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = '<a href="http://evil.example/">点我</a><img src="/etc/passwd"/>'
HOSTILE_TEXT = "<font size=80>大字</font> & <link href='x'>链接</link>\n=HYPERLINK(\"http://evil.example\")"
CASES = 50


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def picture_bytes(kind: str, width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if kind == "png" else "RGB"
    Image.new(mode, (width, height), colour if mode == "RGB" else (*colour, 128)).save(
        buffer, "PNG" if kind == "png" else "JPEG"
    )
    return buffer.getvalue()


def attach(nomination, content: bytes, kind: str, name: str, size: tuple[int, int] | None) -> Attachment:
    digest = hashlib.sha256(content).hexdigest()
    info = uploads.UploadInfo(
        type=kind, mime=uploads.MIME_TYPES[kind], size=len(content), sha256=digest, display_name=name,
        width=size[0] if size else None, height=size[1] if size else None, is_image=True,
    )  # fmt: skip
    stored = filestore.store(info, io.BytesIO(content))
    return Attachment.objects.create(
        nomination=nomination, field="photos", type=kind, mime=info.mime, size=len(content), sha256=digest,
        display_name=name, storage_name=stored, width=info.width, height=info.height,
        uploaded_by=nomination.created_by,
    )  # fmt: skip


def awarded(tree, submitter, count: int = CASES) -> Ranked:
    """``count`` cases ranked and awarded (一等奖 5, 二等奖 10, 三等奖 15, 优秀奖 the rest), each with a
    picture (every third a wide PNG as well); case 7's title and text are hostile; case 3 also has
    a "picture" that is not one."""
    first = 5 if count >= 30 else 1
    levels = tiers(first, 2 * first, 3 * first, count - 6 * first)
    ranked = make_ranked(tree, submitter, [100 - 2 * i for i in range(count)], levels=levels)
    for i, nomination in enumerate(ranked.entries):
        nomination.form = {**nomination.form, "summary": f"第{i}号案例的做法与成效。\n社区居民参与，覆盖三个小区。"}
        if i == 5:
            nomination.form["summary"] += "\n联系人手机13812345678。"
        if i == 7:
            nomination.title = HOSTILE_TITLE
            nomination.form["summary"] = HOSTILE_TEXT
        nomination.save(update_fields=["form", "title"])
        attach(nomination, picture_bytes("jpg", 640, 480, (i * 5 % 255, 90, 160)), "jpg", f"照片{i}.jpg", (640, 480))
        if i % 3 == 0:
            attach(nomination, picture_bytes("png", 1200, 300, (20, 160, i * 3 % 255)), "png", f"横幅{i}.png",
                   (1200, 300))  # fmt: skip
    attach(ranked.entries[3], b"\xff\xd8\xff\xe0 not a jpeg at all" * 10, "jpg", "<b>坏图</b>.jpg", (10, 10))
    actions.allocate_awards(ranked.campaign.pk, actor=ranked.committee)
    actions.confirm_awards(ranked.campaign.pk, actor=ranked.committee)
    return ranked


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def url(ranked: Ranked, suffix: str = "") -> str:
    return f"/api/v1/campaigns/{ranked.campaign.pk}/casebook{suffix}"


def test_fifty_cases_with_pictures_in_one_pdf_and_one_word_document(tree, submitter, client_for):
    ranked = awarded(tree, submitter)
    committee = client_for(ranked.committee)
    assert committee.get(url(ranked)).json()["code"] == "casebook_missing"

    asked = committee.post(url(ranked))

    assert asked.status_code == 202, asked.content
    assert asked.json()["status"] == "queued"
    assert (asked.json()["done"], asked.json()["total"]) == (0, CASES)
    event = AuditEvent.objects.get(action="awards.casebook_requested")
    assert event.actor_id == ranked.committee.pk
    # asked again while it waits: the same build, no second one, no second event
    again = committee.post(url(ranked))
    assert again.status_code == 202
    assert CaseBook.objects.count() == 1
    assert AuditEvent.objects.filter(action="awards.casebook_requested").count() == 1
    waiting = committee.get(url(ranked))
    assert waiting.status_code == 202
    assert waiting.json()["status"] == "queued"

    book = build_casebook(CaseBook.objects.get().pk)

    assert book is not None
    assert book.status == CaseBook.Status.DONE, book.error
    assert (book.done, book.total) == (CASES, CASES)
    assert build_casebook(book.pk) is None  # a duplicate delivery builds nothing
    response = committee.get(url(ranked))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    assert b"%%EOF" in pdf[-64:]
    # cover + table of contents + one page at least per case
    assert page_count(pdf) == book.pages
    assert book.pages >= CASES + 2
    assert b"/URI" not in pdf  # the hostile link printed as text, not a link
    assert len(re.findall(rb"/Subtype /Image", pdf)) == CASES + 17  # every good picture, once
    text = pdf_text(pdf)
    awards = list(Award.objects.filter(campaign=ranked.campaign).select_related("nomination").order_by("rank"))
    titles = [a.nomination.title for a in awards]
    for title in ["案例集", ranked.campaign.title, ranked.campaign.host_org.name, *titles]:
        assert title in text, title
    assert re.search(r"目\s*录", text)
    # the table of contents names every title before the first case page, in tier then rank order
    toc = text[: text.index("案例0", text.index("案例0") + 1)]
    assert [toc.index(t) for t in titles] == sorted(toc.index(t) for t in titles)
    assert "一等奖" in toc
    assert "优秀奖" in toc
    assert "<font size=80>大字</font>" in text  # hostile text printed literally
    assert "坏图" in text
    assert "未收入" in text
    assert "第49号案例的做法与成效。" in text
    assert "13812345678" not in text  # a phone number written into the case text is masked
    assert "联系人手机138" in text

    word = committee.get(url(ranked, ".docx"))
    assert word.status_code == 200
    document = Document(io.BytesIO(b"".join(word.streaming_content)))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert headings == titles
    assert [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"] == [
        "一等奖", "二等奖", "三等奖", "优秀奖"
    ]  # fmt: skip
    assert len(document.inline_shapes) == CASES + 17 + 1  # the pictures and the cover's seal
    body = document.element.body.xml
    shape_ids = re.findall(r'<wp:docPr id="(\d+)"', body)
    assert len(shape_ids) == len(set(shape_ids)) == CASES + 17 + 1  # every picture its own id
    assert 'TOC \\o "1-2"' in body
    assert "PAGE" in document.sections[0].footer._element.xml
    all_text = "\n".join(p.text for p in document.paragraphs)
    assert HOSTILE_TITLE in all_text
    assert "<font size=80>大字</font>" in all_text
    assert AuditEvent.objects.filter(action="awards.casebook_built").count() == 1


def test_only_the_hosts_committee_asks_or_downloads(tree, submitter, client_for):
    ranked = awarded(tree, submitter, count=6)
    outsider = user_with_role(Role.COMMITTEE, tree.district)
    unit = submitter

    for user, status in ((unit, {403, 404}), (outsider, {403, 404})):
        client = client_for(user)
        assert client.post(url(ranked)).status_code in status
        assert client.get(url(ranked)).status_code in status
        assert client.get(url(ranked, ".docx")).status_code in status
    assert not CaseBook.objects.exists()
    assert not AuditEvent.objects.filter(action="awards.casebook_requested").exists()


def test_no_awarded_case_is_409_and_nothing_queued(tree, submitter, client_for):
    ranked = make_ranked(tree, submitter, [90, 80], levels=tiers(1))
    response = client_for(ranked.committee).post(url(ranked))
    assert response.status_code == 409
    assert response.json()["code"] == "casebook_empty"
    assert not CaseBook.objects.exists()


def test_progress_is_reported_while_building(tree, submitter, client_for, monkeypatch):
    ranked = awarded(tree, submitter, count=12)
    committee = client_for(ranked.committee)
    committee.post(url(ranked))
    book = CaseBook.objects.get()
    seen: list[dict[str, object]] = []
    from awards import casebook

    real = actions.casebook_progress

    def spy(casebook_id: int, *, done: int, total: int) -> None:
        real(casebook_id, done=done, total=total)
        seen.append(committee.get(url(ranked)).json())

    monkeypatch.setattr(casebook.actions, "casebook_progress", spy)
    build_casebook(book.pk)

    assert [(s["status"], s["done"], s["total"]) for s in seen] == [
        ("building", 5, 12), ("building", 10, 12), ("building", 12, 12)
    ]  # fmt: skip
    assert committee.get(url(ranked)).status_code == 200


def test_a_failed_build_is_recorded_and_may_be_asked_again(tree, submitter, client_for, monkeypatch):
    ranked = awarded(tree, submitter, count=6)
    committee = client_for(ranked.committee)
    committee.post(url(ranked))
    from awards import casebook

    def broken(book, out):
        raise RuntimeError("disk full")

    monkeypatch.setattr(casebook, "render_docx", broken)
    assert build_casebook(CaseBook.objects.get().pk) is None
    failed = committee.get(url(ranked))
    assert failed.status_code == 202
    assert failed.json()["status"] == "failed"
    assert "RuntimeError" in failed.json()["error"]
    assert AuditEvent.objects.filter(action="awards.casebook_failed").count() == 1

    again = committee.post(url(ranked))
    assert again.status_code == 202
    assert again.json()["status"] == "queued"
    assert CaseBook.objects.count() == 2


def test_a_build_silent_for_long_is_replaced_by_the_next_request(tree, submitter, client_for):
    ranked = awarded(tree, submitter, count=6)
    committee = client_for(ranked.committee)
    committee.post(url(ranked))
    stale = CaseBook.objects.get()
    CaseBook.objects.filter(pk=stale.pk).update(
        status=CaseBook.Status.BUILDING, updated_at=stale.updated_at - actions.CASEBOOK_STALE - timedelta(seconds=1)
    )

    again = committee.post(url(ranked))

    assert again.json()["status"] == "queued"
    stale.refresh_from_db()
    assert stale.status == CaseBook.Status.FAILED
    assert stale.error == "长时间没有进展，已重新生成"
    assert CaseBook.objects.filter(status=CaseBook.Status.QUEUED).count() == 1
    assert AuditEvent.objects.filter(action="awards.casebook_requested").count() == 2
    # the dead worker's redelivered task finds its build replaced and builds nothing
    assert build_casebook(stale.pk) is None
