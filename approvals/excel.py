"""Excel (.xlsx) import templates, import parsing and export of a campaign's nominations.

The import template of a campaign's nomination kind has one sheet "申报数据" with one header row:
申报单位编码 (the unit's organisation code), 申报名称 (the title), then one column per form field,
headed by the field's label (``label（key）`` where two labels would collide). Attachment fields
(``files``, ``images``) have no column: files are uploaded to the drafts afterwards. A second sheet
"说明" explains every column. Cell encodings, shared by import and export:

- person list: one cell, one person per line (Alt+Enter in Excel), the person's sub-fields in the
  definition's order separated by ``|`` (``张三|男|35``); a value cannot contain ``|``;
- multiple choice: one option per line, or options separated by ``；`` / ``;``;
- date: ``YYYY-MM-DD``; an Excel date cell, ``2024/5/3`` and ``2024年5月3日`` are read too;
- yes/no: ``是`` / ``否``;
- ID numbers must be text cells (an 18-digit number loses its last digits in Excel), so the
  template formats the text-like columns as text.

``read_rows`` streams the sheet (openpyxl read-only mode) and returns one ``ImportRow`` per
non-empty data row, with the values already in the form's shapes; problems of one cell become
that row's ``errors`` (the import action reports them with the form's own checks), problems of
the file refuse it as a whole (``InvalidInput`` with code ``import_file_invalid``). Every cell
written goes through ``config.documents`` (never a formula, no control characters).
Pure apart from reading the campaign's stages for the export: no writes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, Final
from zoneinfo import ZoneInfo

import openpyxl
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from approvals.models import Nomination
from config import text_input
from config.documents import xlsx_cell, xlsx_set
from config.errors import InvalidInput
from config.masking import mask_text
from workflows import forms
from workflows.models import Campaign, NominationKind

DATA_SHEET: Final = "申报数据"
HELP_SHEET: Final = "说明"
UNIT_CODE_HEADER: Final = "申报单位编码"
TITLE_HEADER: Final = "申报名称"
TITLE_MAX_LENGTH: Final = 200  # Nomination.title
MAX_ROWS: Final = 10_000
PERSON_SEPARATOR: Final = "|"
FILE_INVALID_CODE: Final = "import_file_invalid"
SHANGHAI: Final = ZoneInfo("Asia/Shanghai")

# Field types whose column the template formats as text, so Excel keeps digits and leading zeros.
_TEXT_COLUMN_TYPES: Final = frozenset(
    {forms.TEXT, forms.LONG_TEXT, forms.ID_NUMBER, forms.PHONE, forms.EMAIL, forms.PERSON_LIST}
)
_CHOICE_SPLIT_RE: Final = re.compile(r"[\r\n;；]+")
_LINE_SPLIT_RE: Final = re.compile(r"\r\n|\r|\n")
_DATE_TEXT_RE: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_HEADER_FONT: Final = Font(bold=True)
_HEADER_FILL: Final = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL: Final = PatternFill("solid", fgColor="FCE4D6")

_TYPE_NAMES: Final = {
    forms.TEXT: "文本",
    forms.LONG_TEXT: "长文本",
    forms.CHOICE: "单选",
    forms.NUMBER: "数字",
    forms.DATE: "日期",
    forms.ID_NUMBER: "身份证号",
    forms.PHONE: "电话",
    forms.EMAIL: "电子邮箱",
    forms.BOOLEAN: "是/否",
    forms.PERSON_LIST: "人员列表",
}


@dataclass(frozen=True)
class ImportRow:
    """One data row of an import file: its Excel line number, the unit's code, the title and the form.

    ``errors`` holds the problems found while reading its cells (``{column header: [message]}``).
    """

    line: int
    unit_code: str
    title: str
    form: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    """One form column of the template: its header and the form field it holds."""

    header: str
    field: Mapping[str, Any]

    @property
    def key(self) -> str:
        key: str = self.field["key"]
        return key


def definition_for(campaign: Campaign, kind: str) -> dict[str, Any]:
    """The form definition of ``kind`` in ``campaign``; refuses a kind the campaign does not accept."""
    if kind not in campaign.kinds:
        raise InvalidInput.for_field("kind", _("本活动不接受该类别的申报"), code="kind_not_accepted")
    definition: dict[str, Any] = campaign.forms.get(kind) or {"fields": []}
    return definition


def form_columns(definition: Mapping[str, Any]) -> list[Column]:
    """The importable fields of a definition in order, with unique headers (attachments are skipped)."""
    fields = [f for f in definition.get("fields", []) if f["type"] not in forms.ATTACHMENT_FIELD_TYPES]
    labels = [f["label"] for f in fields]
    taken = {UNIT_CODE_HEADER, TITLE_HEADER}
    columns = []
    for f in fields:
        header = f["label"]
        if labels.count(header) > 1 or header in taken:
            header = f"{f['label']}（{f['key']}）"
        taken.add(header)
        columns.append(Column(header, f))
    return columns


def column_headers(campaign: Campaign, kind: str) -> list[str]:
    """The header row of ``kind``'s import template."""
    return [UNIT_CODE_HEADER, TITLE_HEADER, *(c.header for c in form_columns(definition_for(campaign, kind)))]


# ---------------------------------------------------------------------------------------------------------------------
# Template


def template_workbook(campaign: Campaign, kind: str) -> bytes:
    """An .xlsx import template for ``kind``: the header row on "申报数据", the column guide on "说明"."""
    definition = definition_for(campaign, kind)
    columns = form_columns(definition)
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = DATA_SHEET
    headers = [UNIT_CODE_HEADER, TITLE_HEADER, *(c.header for c in columns)]
    required = [True, True, *(bool(c.field.get("required", False)) for c in columns)]
    for index, (header, is_required) in enumerate(zip(headers, required, strict=True), start=1):
        cell = sheet.cell(row=1, column=index)
        xlsx_set(cell, header)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if is_required else _HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = min(max(12, len(header) * 2 + 2), 40)
    sheet.freeze_panes = "A2"
    text_columns = [1, 2] + [i for i, c in enumerate(columns, start=3) if c.field["type"] in _TEXT_COLUMN_TYPES]
    for index in text_columns:
        # The column's style: Excel applies it to every cell typed into the column.
        sheet.column_dimensions[get_column_letter(index)].number_format = "@"
    for index, column in enumerate(columns, start=3):
        _add_choice_list(sheet, index, column.field)
    _write_help(workbook.create_sheet(HELP_SHEET), definition, columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_choice_list(sheet: Worksheet, index: int, spec: Mapping[str, Any]) -> None:
    """A drop-down for a single choice, when Excel's list formula can hold the options (≤ 255 chars, no commas)."""
    if spec["type"] != forms.CHOICE or spec.get("multiple", False):
        return
    options: list[str] = spec["options"]
    formula = ",".join(options)
    if len(formula) > 255 or any("," in o or '"' in o for o in options):
        return
    validation = DataValidation(type="list", formula1=f'"{formula}"', allow_blank=True)
    validation.error = _("请从下拉列表中选择")
    validation.showErrorMessage = True
    letter = get_column_letter(index)
    validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.add_data_validation(validation)


def _describe(spec: Mapping[str, Any]) -> str:
    """What may go into a field's cell, in words."""
    kind = spec["type"]
    parts: list[str] = []
    if kind == forms.CHOICE:
        parts.append(_("可选：{options}").format(options="、".join(spec["options"])))
        if spec.get("multiple", False):
            parts.append(_("多选时每行一个选项，或用“；”分隔"))
    elif kind in (forms.TEXT, forms.LONG_TEXT):
        if "min_length" in spec and "max_length" in spec:
            parts.append(_("{min}–{max} 个字").format(min=spec["min_length"], max=spec["max_length"]))
        elif "max_length" in spec:
            parts.append(_("不超过 {max} 个字").format(max=spec["max_length"]))
    elif kind == forms.NUMBER:
        if spec.get("integer", False):
            parts.append(_("整数"))
        if "min" in spec and "max" in spec:
            parts.append(_("范围 {min}–{max}").format(min=spec["min"], max=spec["max"]))
        elif "min" in spec:
            parts.append(_("不小于 {min}").format(min=spec["min"]))
        elif "max" in spec:
            parts.append(_("不大于 {max}").format(max=spec["max"]))
    elif kind == forms.DATE:
        parts.append(_("格式 YYYY-MM-DD"))
    elif kind == forms.ID_NUMBER:
        parts.append(_("18 位，请以文本格式填写"))
    elif kind == forms.PHONE:
        parts.append(_("手机号或固定电话（如 0755-28299971）"))
    elif kind == forms.EMAIL:
        parts.append(_("电子邮箱地址"))
    elif kind == forms.BOOLEAN:
        parts.append(_("填写“是”或“否”"))
    elif kind == forms.PERSON_LIST:
        sub = [f"{s['label']}{'*' if s.get('required') else ''}" for s in spec["fields"]]
        parts.append(_("每行一人，各项按顺序用“|”分隔：{order}").format(order=PERSON_SEPARATOR.join(sub)))
        if "max_count" in spec:
            parts.append(_("最多 {max} 人").format(max=spec["max_count"]))
    if spec.get("help"):
        parts.append(str(spec["help"]))
    return "；".join(parts)


def _write_help(sheet: Worksheet, definition: Mapping[str, Any], columns: list[Column]) -> None:
    skipped = [f["label"] for f in definition.get("fields", []) if f["type"] in forms.ATTACHMENT_FIELD_TYPES]
    lines = [
        _("填写说明"),
        _("1. 在“{sheet}”表中每行填写一个申报，从第 2 行开始；第 1 行表头请勿修改。").format(sheet=DATA_SHEET),
        _("2. “{code}”填写申报单位的组织编码，您须为该单位的申报经办人。").format(code=UNIT_CODE_HEADER),
        _(
            "3. 人员列表：在一个单元格内每行填写一人（单元格内换行按 Alt+Enter），同一人的各项按下表“说明”中的"
            "顺序用竖线“|”分隔，如“张三|男|35”；没有的项留空但保留竖线；内容中不能含有“|”。"
        ),
        _("4. 多选题每行一个选项，或用“；”分隔；日期填写 YYYY-MM-DD（也可用 Excel 日期）；是/否题填写“是”或“否”。"),
        _("5. 身份证号、手机号等列已设为文本格式，请勿改为数字格式，否则会丢失末位数字。"),
        _("6. 导入的申报均为草稿，请逐个检查、上传附件后提交。表格有任何一行出错时，整个文件都不会导入。"),
        _("7. 一次最多导入 {max} 行。").format(max=MAX_ROWS),
    ]
    if skipped:
        lines.append(_("8. 以下附件项不能导入，请导入后在申报中上传：{fields}").format(fields="、".join(skipped)))
    for line in lines:
        sheet.append([xlsx_cell(sheet, line)])
    sheet["A1"].font = _HEADER_FONT
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append([xlsx_cell(sheet, str(h)) for h in (_("列名"), _("类型"), _("必填"), _("说明"))])
    for cell in sheet[header_row]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    rows: list[tuple[Any, ...]] = [
        (UNIT_CODE_HEADER, _TYPE_NAMES[forms.TEXT], "是", _("申报单位的组织编码")),
        (TITLE_HEADER, _TYPE_NAMES[forms.TEXT], "是", _("不超过 {max} 个字").format(max=TITLE_MAX_LENGTH)),
    ]
    for column in columns:
        spec = column.field
        type_name = _TYPE_NAMES.get(spec["type"], spec["type"])
        if spec["type"] == forms.CHOICE and spec.get("multiple", False):
            type_name = _("多选")
        rows.append((column.header, type_name, "是" if spec.get("required") else "否", _describe(spec)))
    for values in rows:
        sheet.append([xlsx_cell(sheet, str(v)) for v in values])
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (24, 10, 6, 80), strict=True):
        sheet.column_dimensions[letter].width = width


# ---------------------------------------------------------------------------------------------------------------------
# Reading


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, errors={"file": [message]}, code=FILE_INVALID_CODE)


def read_rows(campaign: Campaign, kind: str, stream: IO[bytes]) -> list[ImportRow]:
    """Parse an import file of ``kind`` back into rows, streaming the sheet (constant memory per row).

    Refuses (``InvalidInput``, code ``import_file_invalid``) a file that is not a readable .xlsx, whose
    header row does not match the template (naming the missing, unknown and repeated columns), that
    has no data rows or more than ``MAX_ROWS``. Empty rows are skipped; ``line`` is the Excel row number.
    """
    columns = form_columns(definition_for(campaign, kind))
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise _invalid(_("无法读取该文件，请上传由模板填写的 .xlsx 文件")) from exc
    try:
        return _read_sheet(workbook, columns)
    finally:
        workbook.close()


def _guarded(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows; a damaged part of the file, found while streaming, refuses the file."""
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # zip, XML and value errors of a damaged sheet
            raise _invalid(_("文件内容已损坏，无法读取")) from exc
        yield values


def _read_sheet(workbook: Any, columns: list[Column]) -> list[ImportRow]:
    if DATA_SHEET in workbook.sheetnames:
        sheet = workbook[DATA_SHEET]
    elif workbook.worksheets:
        sheet = workbook.worksheets[0]
    else:
        raise _invalid(_("文件中没有工作表"))
    sheet.reset_dimensions()  # stored dimensions may be wrong; read what is there
    rows = _guarded(sheet.iter_rows(values_only=True))
    header = next(rows, None)
    if header is None:
        raise _invalid(_("表格是空的，请使用导入模板"))
    positions = _match_header(header, columns)
    result: list[ImportRow] = []
    for line, values in enumerate(rows, start=2):
        if all(_is_blank(v) for v in values):
            continue
        if len(result) >= MAX_ROWS:
            raise _invalid(_("一次最多导入 {max} 行，请拆分后分批导入").format(max=MAX_ROWS))
        result.append(_parse_row(line, values, positions, columns))
    if not result:
        raise _invalid(_("表格中没有要导入的数据行"))
    return result


def _match_header(header: tuple[Any, ...], columns: list[Column]) -> dict[str, int]:
    """``{header: position}``; refuses a header row that is not the template's (in any order)."""
    expected = [UNIT_CODE_HEADER, TITLE_HEADER, *(c.header for c in columns)]
    positions: dict[str, int] = {}
    repeated: list[str] = []
    unknown: list[str] = []
    for index, value in enumerate(header):
        if _is_blank(value):
            continue
        name = str(value).strip()
        if name in positions:
            repeated.append(name)
        elif name in expected:
            positions[name] = index
        else:
            unknown.append(name)
    missing = [name for name in expected if name not in positions]
    if not (missing or unknown or repeated):
        return positions
    parts = []
    errors: dict[str, list[str]] = {}
    if missing:
        parts.append(_("缺少列：{columns}").format(columns="、".join(missing)))
        errors["missing_columns"] = missing
    if unknown:
        parts.append(_("未知列：{columns}").format(columns="、".join(unknown)))
        errors["unknown_columns"] = unknown
    if repeated:
        parts.append(_("重复列：{columns}").format(columns="、".join(repeated)))
        errors["repeated_columns"] = repeated
    message = _("表头与导入模板不符（{problems}），请下载最新模板填写").format(problems="；".join(parts))
    raise InvalidInput(message, errors=errors, code=FILE_INVALID_CODE)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(values: tuple[Any, ...], position: int) -> Any:
    return values[position] if position < len(values) else None


def _parse_row(line: int, values: tuple[Any, ...], positions: dict[str, int], columns: list[Column]) -> ImportRow:
    errors: dict[str, list[str]] = {}
    refused = {
        header
        for header, position in positions.items()
        if isinstance(_cell(values, position), str) and text_input.bad_character(_cell(values, position)) is not None
    }
    for header in sorted(refused):
        errors[header] = [text_input.message()]
    # A refused unit code is never looked up (PostgreSQL cannot compare a string with NUL in it).
    unit_code = "" if UNIT_CODE_HEADER in refused else _text(_cell(values, positions[UNIT_CODE_HEADER]))
    title = _text(_cell(values, positions[TITLE_HEADER]))
    form: dict[str, Any] = {}
    for column in columns:
        raw = _cell(values, positions[column.header])
        if _is_blank(raw) or column.header in refused:
            continue
        value, problems = _from_cell(column.field, raw, "")
        if problems:
            errors.setdefault(column.header, []).extend(problems)
        else:
            form[column.key] = value
    return ImportRow(line=line, unit_code=unit_code, title=title, form=form, errors=errors)


def _text(value: object) -> str:
    """A cell's value as text: whole numbers without ".0", dates as YYYY-MM-DD, booleans as 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _from_cell(spec: Mapping[str, Any], value: Any, prefix: str) -> tuple[Any, list[str]]:
    """A cell's value in the shape the form stores for ``spec``, or the messages why it cannot be read."""
    label = spec["label"]
    kind = spec["type"]
    if kind == forms.PERSON_LIST:
        return _persons(spec, _text(value), prefix)
    if kind == forms.ID_NUMBER and _is_number(value):
        return None, [
            prefix
            + _("“{label}”须以文本格式填写（数字格式会丢失末几位），请将该列设为文本后重新填写").format(label=label)
        ]
    if kind == forms.DATE:
        parsed = _date(value)
        if parsed is None:
            return None, [prefix + _("“{label}”须为 YYYY-MM-DD 格式的日期").format(label=label)]
        return parsed, []
    if kind == forms.NUMBER:
        if _is_number(value):
            return (int(value) if float(value).is_integer() else value), []
        text = _text(value)
        number = forms.parse_number(text)
        return (text if number is None else number), []
    if kind == forms.BOOLEAN:
        if isinstance(value, bool):
            return value, []
        text = _text(value)
        flag = forms.parse_boolean(text)
        return (text if flag is None else flag), []
    if kind == forms.CHOICE and spec.get("multiple", False):
        return [part.strip() for part in _CHOICE_SPLIT_RE.split(_text(value)) if part.strip()], []
    return _text(value), []


def _date(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    match = _DATE_TEXT_RE.match(value.strip())
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


def _persons(spec: Mapping[str, Any], text: str, prefix: str) -> tuple[list[dict[str, Any]], list[str]]:
    sub_fields: list[Mapping[str, Any]] = spec["fields"]
    persons: list[dict[str, Any]] = []
    problems: list[str] = []
    lines = [line for line in _LINE_SPLIT_RE.split(text) if line.strip()]
    for number, line in enumerate(lines, start=1):
        person_prefix = prefix + _("“{label}”第 {number} 人：").format(label=spec["label"], number=number)
        parts = line.split(PERSON_SEPARATOR)
        if len(parts) > len(sub_fields):
            problems.append(
                person_prefix
                + _("填写了 {count} 项，多于 {max} 项（{order}），各项用“|”分隔").format(
                    count=len(parts), max=len(sub_fields), order=PERSON_SEPARATOR.join(s["label"] for s in sub_fields)
                )
            )
            continue
        person: dict[str, Any] = {}
        for sub, part in zip(sub_fields, parts, strict=False):
            if not part.strip():
                continue
            value, sub_problems = _from_cell(sub, part.strip(), person_prefix)
            if sub_problems:
                problems.extend(sub_problems)
            else:
                person[sub["key"]] = value
        persons.append(person)
    return persons, problems


# ---------------------------------------------------------------------------------------------------------------------
# Export


def to_cell_value(spec: Mapping[str, Any], value: Any) -> Any:
    """A stored form value in the import encoding (person lists, multiple choices, yes/no)."""
    if value is None:
        return None
    kind = spec["type"]
    if kind == forms.PERSON_LIST and isinstance(value, list):
        lines = []
        for person in value:
            person = person if isinstance(person, Mapping) else {}
            parts = [_text(to_cell_value(sub, person.get(sub["key"]))) for sub in spec["fields"]]
            lines.append(PERSON_SEPARATOR.join(parts))
        return "\n".join(lines)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(_text(item) for item in value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


EXPORT_HEADERS: Final = ("编号", "申报单位", "单位编码", "类别", "申报名称", "状态", "当前环节", "提交时间")


def export_workbook(nominations: Iterable[Nomination], campaign: Campaign, *, reveal: bool = False) -> bytes:
    """An .xlsx of ``nominations`` of ``campaign``: one sheet per kind, one row per nomination.

    Columns: id, unit name, unit code, kind, title, status, stage, submission time (Asia/Shanghai),
    then the form's fields by header in the import encoding. Personal values (ID numbers, phones …)
    are masked with ``forms.mask_form_data`` unless ``reveal``. Written in write-only mode; the
    caller passes a queryset with ``select_related("unit")`` (it is iterated once, in chunks).
    """
    workbook = Workbook(write_only=True)
    stage_names = dict(campaign.stages.values_list("key", "name"))
    kind_labels = dict(NominationKind.choices)
    sheets: dict[str, tuple[Any, dict[str, Any], list[Column]]] = {}

    def sheet_for(kind: str) -> tuple[Any, dict[str, Any], list[Column]]:
        if kind not in sheets:
            definition: dict[str, Any] = campaign.forms.get(kind) or {"fields": []}
            columns = form_columns(definition)
            sheet = workbook.create_sheet(str(kind_labels.get(kind, kind))[:31])
            sheet.append([xlsx_cell(sheet, h) for h in (*EXPORT_HEADERS, *(c.header for c in columns))])
            sheets[kind] = (sheet, definition, columns)
        return sheets[kind]

    for kind in campaign.kinds:
        sheet_for(kind)
    iterator = nominations.iterator(chunk_size=2000) if isinstance(nominations, QuerySet) else iter(nominations)
    for nomination in iterator:
        sheet, definition, columns = sheet_for(nomination.kind)
        form = nomination.form if reveal else forms.mask_form_data(definition, nomination.form)
        submitted = (
            timezone.localtime(nomination.submitted_at, SHANGHAI).replace(tzinfo=None)
            if nomination.submitted_at
            else None
        )
        row = [
            xlsx_cell(sheet, nomination.pk),
            xlsx_cell(sheet, nomination.unit.name),
            xlsx_cell(sheet, nomination.unit.code),
            xlsx_cell(sheet, str(kind_labels.get(nomination.kind, nomination.kind))),
            xlsx_cell(sheet, nomination.title if reveal else mask_text(nomination.title)),
            xlsx_cell(sheet, nomination.get_status_display()),
            xlsx_cell(sheet, stage_names.get(nomination.stage, nomination.stage)),
            xlsx_cell(sheet, submitted, "yyyy-mm-dd hh:mm:ss"),
        ]
        row += [xlsx_cell(sheet, to_cell_value(c.field, form.get(c.key))) for c in columns]
        sheet.append(row)
    if not sheets:
        workbook.create_sheet(DATA_SHEET)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
