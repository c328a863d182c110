"""User text into documents as data, never as markup or formulas: the one helper every document writer uses.

Every string that a user typed (titles, unit names, form values, opinions, round texts) and that
goes into a generated document passes through one of these, chosen by the document's format:

- ``pdf_text``: ReportLab ``Paragraph`` markup. ``& < >`` are escaped, so ``<img src>``, ``<a href>``,
  ``<link>``, ``<font`` and broken tags print literally and ReportLab never fetches or opens
  anything; characters XML cannot hold are dropped (see ``plain``).
- ``docx_text``: python-docx runs and cells (XML 1.0): control characters other than tab, line
  feed and carriage return, lone surrogates and U+FFFE/U+FFFF are dropped (python-docx refuses
  them with an error otherwise).
- ``xlsx_value`` / ``xlsx_cell``: Excel cells. Control characters are dropped and the text cut to a
  cell's 32,767 characters; a string starting with ``= + - @``, tab or carriage return (or the
  full-width ``＝ ＋ － ＠``) is written as a *text* cell with Excel's quote prefix (what Excel
  itself sets when one types ``'=…``), so it is neither a formula when opened nor when the cell is
  edited, and the value stays exactly what the user wrote (an export still imports back).
- ``csv_cell``: a CSV field (the audit export): a leading ``'`` when it starts like a formula, since
  a CSV cannot carry a cell type; nothing else changes (the export shows the trail as it is).
- ``plain``: any other place (canvas strings, document metadata, file names).
"""

from __future__ import annotations

import re
from typing import Any, Final
from xml.sax.saxutils import escape

CELL_MAX_CHARS: Final = 32_767  # Excel's limit per cell

# Not allowed in XML 1.0 (C0 controls but tab, LF, CR; lone surrogates; U+FFFE, U+FFFF), plus the C1
# controls and DEL, which no document needs and some readers choke on.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def plain(value: object) -> str:
    """``value`` as text without the characters that XML (and so PDF, Word and Excel files) cannot hold."""
    return _NOT_XML.sub("", "" if value is None else str(value))


def pdf_text(value: object, *, newlines: bool = True) -> str:
    """``value`` as ReportLab paragraph markup that prints it literally (line breaks kept when ``newlines``)."""
    text = escape(plain(value))
    if newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br/>")
    return text


def docx_text(value: object) -> str:
    """``value`` as text python-docx can write (XML 1.0 compatible)."""
    return plain(value)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet program would take ``text`` typed into a cell for a formula."""
    return text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START)


def csv_cell(value: object) -> str:
    """A CSV field a spreadsheet will not run as a formula: ``'`` before text that starts like one."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula_like(text) else text


def xlsx_value(value: Any) -> Any:
    """A cell's value: strings cleaned and cut to what a cell holds; numbers, dates and None as they are."""
    if isinstance(value, str):
        value = plain(value)
        if len(value) > CELL_MAX_CHARS:
            value = value[: CELL_MAX_CHARS - 1] + "…"
    return value


def xlsx_cell(sheet: Any, value: Any, number_format: str | None = None) -> Any:
    """An openpyxl cell for ``sheet`` (write-only or not) holding ``value`` as data, never as a formula.

    Append it (``sheet.append([xlsx_cell(sheet, v) for v in row])``) or set it on a normal sheet with
    ``xlsx_set``.
    """
    from openpyxl.cell import WriteOnlyCell

    value = xlsx_value(value)
    cell = WriteOnlyCell(sheet, value)
    _as_data(cell, value)
    if number_format is not None:
        cell.number_format = number_format
    return cell


def xlsx_set(cell: Any, value: Any) -> None:
    """Set ``value`` on an existing cell of a normal (not write-only) sheet, as data, never as a formula."""
    value = xlsx_value(value)
    cell.value = value
    _as_data(cell, value)


def _as_data(cell: Any, value: Any) -> None:
    if isinstance(value, str) and (cell.data_type == "f" or is_formula_like(value)):
        cell.data_type = "s"
        cell.quotePrefix = True
