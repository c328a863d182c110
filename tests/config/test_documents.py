"""The one escaping helper of every document: user text is data in PDF markup, Word XML and Excel cells."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from config.documents import csv_cell, docx_text, is_formula_like, pdf_text, plain, xlsx_cell, xlsx_set, xlsx_value

PDF_CASES = [
    ("<b>", "&lt;b&gt;"),
    ('<img src="/etc/passwd"/>', '&lt;img src="/etc/passwd"/&gt;'),
    ('<a href="http://evil">x</a>', '&lt;a href="http://evil"&gt;x&lt;/a&gt;'),
    ("<link href='http://evil'>x</link>", "&lt;link href='http://evil'&gt;x&lt;/link&gt;"),
    ("<font", "&lt;font"),
    ("‹", "‹"),
    ("A & B", "A &amp; B"),
    ("&lt;", "&amp;lt;"),
    ("甲\x01\x1b乙", "甲乙"),
    ("甲\ud800乙", "甲乙"),
    ("甲\ufffe\uffff乙", "甲乙"),
    ("一行\n二行\r\n三行", "一行<br/>二行<br/>三行"),
    ("\t缩进", "\t缩进"),
    (None, ""),
    (42, "42"),
]


@pytest.mark.parametrize(("value", "expected"), PDF_CASES)
def test_pdf_text_escapes_markup_and_drops_what_xml_cannot_hold(value: Any, expected: str) -> None:
    assert pdf_text(value) == expected


@pytest.mark.parametrize(("value", "_expected"), PDF_CASES)
def test_every_pdf_text_builds_a_pdf_without_links(value: Any, _expected: str) -> None:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([Paragraph(pdf_text(value), ParagraphStyle("p"))])
    assert buffer.getvalue().startswith(b"%PDF")
    assert b"/URI" not in buffer.getvalue()
    assert b"/Subtype /Image" not in buffer.getvalue()


DOCX_CASES = [
    ("<b>&</b>", "<b>&</b>"),  # Word text is not markup: kept as typed
    ("甲\x00\x01\x08\x0b\x0c\x0e\x1b\x1f\x7f乙", "甲乙"),
    ("甲\ud800\udfff乙", "甲乙"),
    ("tab\tline\ncr\r", "tab\tline\ncr\r"),
    ("‹全角＝", "‹全角＝"),
]


@pytest.mark.parametrize(("value", "expected"), DOCX_CASES)
def test_docx_text_is_xml_compatible(value: str, expected: str) -> None:
    assert docx_text(value) == expected
    document = Document()
    document.add_paragraph(docx_text(value))  # python-docx raises on anything XML cannot hold
    document.save(io.BytesIO())


def test_plain_is_the_same_cleaning_for_every_other_place() -> None:
    assert plain("标题\x01\x1b\ud800") == "标题"
    assert plain(None) == ""


FORMULA_LIKE = [
    '=HYPERLINK("http://evil","x")',
    "+cmd",
    "-1+1",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋cmd",
    "－1",
    "＠SUM(1)",
    "  =1+1",
]
NOT_FORMULA_LIKE = ["标题", "1+1", "a=b", "", "中＝"]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_formula_like_text_is_recognised(text: str) -> None:
    assert is_formula_like(text)


@pytest.mark.parametrize("text", NOT_FORMULA_LIKE)
def test_ordinary_text_is_not_formula_like(text: str) -> None:
    assert not is_formula_like(text)


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_a_csv_field_that_starts_like_a_formula_gets_a_quote(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", NOT_FORMULA_LIKE)
def test_an_ordinary_csv_field_is_unchanged(text: str) -> None:
    assert csv_cell(text) == text


def _roundtrip(values: list[Any], *, write_only: bool) -> list[Any]:
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("s") if write_only else workbook.active
    assert sheet is not None
    if write_only:
        sheet.append([xlsx_cell(sheet, v) for v in values])
    else:
        for column, value in enumerate(values, start=1):
            xlsx_set(sheet.cell(row=1, column=column), value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    loaded = load_workbook(io.BytesIO(buffer.getvalue()))
    return list(loaded["s" if write_only else loaded.sheetnames[0]][1])


@pytest.mark.parametrize("write_only", [True, False])
@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_an_xlsx_cell_is_never_a_formula(text: str, write_only: bool) -> None:
    (cell,) = _roundtrip([text], write_only=write_only)
    assert cell.data_type != "f"
    assert cell.value == xlsx_value(text)
    assert cell.quotePrefix  # stays text when the cell is edited in Excel


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_cells_drop_control_characters_and_keep_numbers(write_only: bool) -> None:
    cells = _roundtrip(["甲\x01\x1b乙", 42, -3.5, "普通文本", "x" * 40_000], write_only=write_only)
    assert [c.value for c in cells[:4]] == ["甲乙", 42, -3.5, "普通文本"]
    assert [c.data_type for c in cells[:4]] == ["s", "n", "n", "s"]
    assert not cells[3].quotePrefix
    assert len(cells[4].value) == 32_767
