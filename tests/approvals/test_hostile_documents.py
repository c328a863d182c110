"""Every generated document treats user text as data: the 公示 notice PDF, the 申报表 PDF and Word, and
every Excel workbook (export, final list, import template) get hostile titles, unit names, form texts
and round texts, answer 200 with a valid file, print the text literally, link nowhere, read no file
and write no formula."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from accounts.models import Organization
from approvals import documents, publicity_documents
from approvals.actions import publicity as publicity_actions
from approvals.actions.publicity import PUBLIC_CACHE_KEY
from approvals.models import Nomination, PublicityRound
from config.documents import is_formula_like, plain
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import People
from tests.campaigns import CASE_FORM, make_campaign, valid_case_form
from tests.conftest import Tree
from workflows.models import Campaign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]
people = publicity_helpers.people
calendar_seeded = publicity_helpers.calendar_seeded

HOSTILE = {
    "bold": "<b>",
    "img": '<img src="/etc/passwd"/>',
    "link": '<a href="http://evil.example/">x</a>',
    "link-tag": '<link href="http://evil.example/">y</link>',
    "lsaquo": "‹",
    "unclosed-font": "<font",
    "control": "\x01\x1b",
    "hyperlink-formula": '=HYPERLINK("http://evil.example/","x")',
    "plus": "+cmd",
    "at": "@SUM(1)",
    "minus": "-2+3",
    "full-width": "＝1+1",
}
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- reading the documents back ----------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The text of every page, read back with pypdf (through each font's ToUnicode map, as a viewer's copy)."""
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() or "" for page in reader.pages)


def assert_pdf_prints_literally(pdf: bytes, *texts: str) -> None:
    assert pdf.startswith(b"%PDF")
    assert b"%%EOF" in pdf[-64:]
    assert b"/URI" not in pdf  # no link annotation
    assert b"/Subtype /Image" not in pdf  # nothing fetched or read from disk
    printed = pdf_text(pdf)
    assert not CONTROL.search(printed)
    for text in texts:
        assert _squeeze(plain(text)) in _squeeze(printed)


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    nested = [
        cell.text
        for table in document.tables
        for row in table.rows
        for outer in row.cells
        for inner in outer.tables
        for inner_row in inner.rows
        for cell in inner_row.cells
    ]
    return "\n".join([p.text for p in document.paragraphs] + cells + nested)


def assert_cell_is_data(cell: Any, text: str) -> None:
    assert cell.data_type != "f"
    assert cell.value == plain(text)
    if is_formula_like(plain(text)):
        assert cell.quotePrefix  # text also when edited in Excel


# --- the scene ---------------------------------------------------------------------------------------------


@dataclass
class Hostile:
    text: str
    campaign: Campaign
    nomination: Nomination
    round: PublicityRound


@pytest.fixture
def secret_picture(tmp_path: Path) -> Path:
    """A file on the server's disk that a markup injection could embed (``<img src=...>``)."""
    path = tmp_path / "secret.png"
    Image.new("RGB", (4, 4), (255, 0, 0)).save(path)
    return path


def _forget_public_list(campaign: Campaign) -> None:
    """Ids repeat across runs of a recreated test database; the cache (Redis) outlives them."""
    key = PUBLIC_CACHE_KEY.format(campaign_id=campaign.pk)
    cache.delete_many([f"{key}:{v}" for v in ("stamp", "json", "html", "json.gz", "html.gz")])


def _hostile_scene(tree: Tree, people: People, text: str) -> Hostile:
    value = f"{text}（测试）"
    Organization.objects.filter(pk=tree.unit.pk).update(name=value)
    tree.unit.refresh_from_db()
    campaign = make_campaign(
        tree.committee, title=value, status=Campaign.Status.REVIEWING, publicity_days=5, publicity_working_days=True
    )
    form = {**valid_case_form(), "summary": f"{value} 案例简介", "members": [{"name": value}]}
    nomination = publicity_helpers.approved(campaign, tree.unit, tree.district, people.submitter, value, **form)
    _forget_public_list(campaign)
    now = timezone.now()
    publicity_round = publicity_actions.start_publicity(
        campaign.pk,
        actor=people.committee,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
        short_reason="测试",
    )
    PublicityRound.objects.filter(pk=publicity_round.pk).update(title=value, how_to_object=f"{value} 异议方式")
    _forget_public_list(campaign)
    nomination.refresh_from_db()
    return Hostile(value, campaign, nomination, publicity_round)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


HOSTILE_PARAMS = [pytest.param(text, id=name) for name, text in HOSTILE.items()]


@pytest.mark.parametrize("text", HOSTILE_PARAMS)
def test_notice_pdf_prints_hostile_texts_literally(tree, people, calendar_seeded, text: str) -> None:
    scene = _hostile_scene(tree, people, text)
    response = login(people.committee).get(f"/campaigns/{scene.campaign.pk}/publicity-notice.pdf")
    assert response.status_code == 200
    assert_pdf_prints_literally(response.content, scene.text, f"{scene.text} 案例简介", f"{scene.text} 异议方式")


def test_notice_pdf_reads_no_file_from_the_server(tree, people, calendar_seeded, secret_picture: Path) -> None:
    scene = _hostile_scene(tree, people, f'<img src="{secret_picture}" width="40" height="40"/>')
    response = login(people.committee).get(f"/campaigns/{scene.campaign.pk}/publicity-notice.pdf")
    assert response.status_code == 200
    assert_pdf_prints_literally(response.content, scene.text)


@pytest.mark.parametrize("text", HOSTILE_PARAMS)
def test_form_pdf_prints_hostile_texts_literally(tree, people, calendar_seeded, text: str) -> None:
    scene = _hostile_scene(tree, people, text)
    response = login(people.submitter).get(f"/nominations/{scene.nomination.pk}/form.pdf")
    assert response.status_code == 200
    assert_pdf_prints_literally(response.content, scene.text, f"{scene.text} 案例简介")


@pytest.mark.parametrize("text", HOSTILE_PARAMS)
def test_form_docx_holds_hostile_texts_literally(tree, people, calendar_seeded, text: str) -> None:
    scene = _hostile_scene(tree, people, text)
    response = login(people.submitter).get(f"/nominations/{scene.nomination.pk}/form.docx")
    assert response.status_code == 200
    written = docx_text(response.content)
    assert not CONTROL.search(written)
    for expected in (scene.text, f"申报单位（盖章）：{scene.text}", f"{scene.text} 案例简介"):
        assert plain(expected) in written


@pytest.mark.parametrize("text", HOSTILE_PARAMS)
def test_export_workbook_writes_hostile_texts_as_data(tree, people, calendar_seeded, text: str, client_for) -> None:
    scene = _hostile_scene(tree, people, text)
    response = client_for(people.submitter).get(f"/api/v1/campaigns/{scene.campaign.pk}/export")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = sheet[2]
    assert_cell_is_data(row[header.index("申报名称")], scene.text)
    assert_cell_is_data(row[header.index("申报单位")], scene.text)
    assert_cell_is_data(row[header.index("案例简介")], f"{scene.text} 案例简介")
    assert_cell_is_data(row[header.index("团队成员")], scene.text)
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)


@pytest.mark.parametrize("text", HOSTILE_PARAMS)
def test_final_list_writes_hostile_texts_as_data(tree, people, calendar_seeded, text: str) -> None:
    scene = _hostile_scene(tree, people, text)
    Nomination.objects.filter(pk=scene.nomination.pk).update(status=Nomination.Status.FINAL)
    response = login(people.committee).get(f"/campaigns/{scene.campaign.pk}/final-list.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert_cell_is_data(sheet["A1"], scene.text)  # the campaign's title
    assert_cell_is_data(sheet["B3"], scene.text)  # the nomination's title
    assert_cell_is_data(sheet["C3"], scene.text)  # the unit
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)


@pytest.mark.parametrize("text", HOSTILE_PARAMS)
def test_import_template_writes_hostile_labels_as_data(tree, submitter, text: str, client_for) -> None:
    label = f"{text}（测试）"
    fields = [{**CASE_FORM["fields"][0], "label": label}, *CASE_FORM["fields"][1:]]
    campaign = make_campaign(tree.committee, forms={"case": {"fields": fields}})
    response = client_for(submitter).get(f"/api/v1/campaigns/{campaign.pk}/import-template?kind=case")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    header = workbook["申报数据"][1]
    assert_cell_is_data(header[2], label)
    help_cells = [cell for line in workbook["说明"].iter_rows() for cell in line if cell.value == plain(label)]
    assert len(help_cells) == 1
    assert_cell_is_data(help_cells[0], label)
    assert all(cell.data_type != "f" for sheet in workbook for line in sheet.iter_rows() for cell in line)


# --- what the database cannot store: rendered directly ----------------------------------------------------


def test_lone_surrogates_and_markup_never_break_a_pdf_or_word_file() -> None:
    text = '甲\ud800<font <a href="http://evil.example/">乙\x01'
    notice = publicity_documents.render_notice_pdf(
        {
            "campaign": {"id": 1, "title": text},
            "rounds": [
                {"title": text, "kind_label": text, "starts_at": "2026-12-01T08:00", "ends_at": "2026-12-05T08:00",
                 "how_to_object": text,
                 "entries": [{"title": text, "unit": text, "kind_label": text, "summary": text}]},
            ],
        }
    )  # fmt: skip
    assert_pdf_prints_literally(notice, text)
    form = documents.FormDocument(
        title=text, subtitle=text, unit=text,
        rows=[documents.Row(text, text), documents.Row(text, columns=[text], people=[[text]])],
        opinions=[documents.Opinion(text, "同意", text, text, text, "2026年12月2日", True)],
        history=[documents.Opinion(text, "退回", text, text, text, "2026年12月1日", False)],
        code="ABC", verify_url="http://testserver/verify/ABC", printed_at="2026-12-02 09:00",
    )  # fmt: skip
    assert_pdf_prints_literally(documents.render_pdf(form), text)
    written = docx_text(documents.render_docx(form))
    assert plain(text) in written
    assert "\ud800" not in written
