"""Reading an import round's scores from an Excel workbook (openpyxl, read-only)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
from django.utils.translation import gettext as _

from config.errors import InvalidInput

NOMINATION_HEADERS = ("nomination", "申报编号", "申报id", "编号")
SCORE_HEADERS = ("score", "分数", "成绩", "得分")
MAX_ROWS = 100_000


def read_score_rows(content: bytes) -> list[tuple[str, object, object]]:
    """(label, nomination, score) per data row of the first sheet; the label names the line ("rows[3]").

    The header row needs a nomination column (申报编号 / nomination) and a score column (分数 / score).
    """
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInput.for_field("file", _("无法读取文件，请上传 .xlsx 格式的 Excel 文件")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        names = [str(h).strip().lower() if h is not None else "" for h in header]
        nomination_at = next((i for i, n in enumerate(names) if n in NOMINATION_HEADERS), None)
        score_at = next((i for i, n in enumerate(names) if n in SCORE_HEADERS), None)
        if nomination_at is None or score_at is None:
            raise InvalidInput.for_field("file", _("表头须包含“申报编号”和“分数”两列"))
        out: list[tuple[str, object, object]] = []
        for line, values in enumerate(rows, start=2):
            if line > MAX_ROWS:
                raise InvalidInput.for_field("file", _("行数过多"))
            if not values or all(v is None or str(v).strip() == "" for v in values):
                continue
            out.append((f"rows[{line}]", _value(values, nomination_at), _value(values, score_at)))
        return out
    finally:
        workbook.close()


def _value(values: tuple[Any, ...], at: int) -> object:
    value = values[at] if at < len(values) else None
    if isinstance(value, float) and value.is_integer() and at >= 0:
        return int(value) if abs(value) < 2**53 else value
    return value


def render_results_xlsx(campaign: Any, current: Any, definition: dict[str, Any], results: list[Any]) -> bytes:
    """A closed round's results (rank, ties, scores, advanced) as a workbook; user text as data, never formulas."""
    from openpyxl import Workbook

    from config.documents import xlsx_cell
    from workflows.models import NominationKind

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("评审结果")))
    name = definition.get("name") or current.key
    sheet.append([xlsx_cell(sheet, f"{campaign.title}　{name}")])
    headers = (_("类别"), _("名次"), _("并列"), _("申报编号"), _("名称"), _("本轮得分"), _("排名得分"), _("晋级"))
    sheet.append([xlsx_cell(sheet, str(h)) for h in headers])
    labels = dict(NominationKind.choices)
    for r in results:
        row = (
            str(labels.get(r.kind, r.kind)), r.rank, str(_("是")) if r.tied else "", r.nomination_id,
            r.nomination.title, r.round_score, r.score, str(_("是")) if r.advanced else "",
        )  # fmt: skip
        sheet.append([xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
