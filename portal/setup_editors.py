"""The campaign setup pages' editors: posted rows ↔ the definition parts that ``update_campaign`` takes.

No rule lives here. Every row is turned into the same dict the API posts, and the whole
definition is checked by ``workflows.specs`` inside the action; its error keys
(``stages[2].name``, ``forms.case.fields[0].max_length``) are mapped back to the row and the
input they name, so that each message is shown next to what the user typed.

Each editor is a list of columns. An option the editor does not show (a stage's 抄送 roles, a
person list's sub-fields, an attachment field's types, and whatever a later version of the
definition adds) travels with its row in a hidden ``extra`` input, so a save never drops it; a
new stage option on these pages is one more entry in ``STAGE_COLUMNS``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from workflows import admin_preview, eligibility, forms
from workflows.models import Stage
from workflows.specs import SIGNING_ROLES, signer_org_of

# How many rows an editor accepts in one post (a spec holds far fewer).
MAX_ROWS = 200


@dataclass(frozen=True)
class Column:
    """One input of an editor row: ``widget`` is text, number, date, select, checkbox or lines."""

    name: str
    label: Any
    widget: str = "text"
    choices: tuple[tuple[str, Any], ...] = ()
    help: Any = ""
    # Which stored keys this column writes (default: its name); the rest of a row is ``extra``.
    keys: tuple[str, ...] = field(default=())

    @property
    def owned(self) -> tuple[str, ...]:
        return self.keys or (self.name,)


def _role_choices() -> tuple[tuple[str, Any], ...]:
    return tuple((value, label) for value, label in Role.choices if value in SIGNING_ROLES)


LIMIT_NONE, LIMIT_DAYS, LIMIT_DATE = "none", "days", "date"
MODE_CHOICES: tuple[tuple[str, Any], ...] = (
    ("", gettext_lazy("单人签署")),
    ("all", gettext_lazy("会签（全部同意）")),
    ("any", gettext_lazy("或签（任一同意）")),
)

STAGE_COLUMNS: tuple[Column, ...] = (
    Column("name", gettext_lazy("环节名称")),
    Column("key", gettext_lazy("环节标识"), help=gettext_lazy("小写字母、数字和下划线，如 district_review")),
    Column("role", gettext_lazy("签署角色"), "select", _role_choices()),
    Column(
        "signer_org",
        gettext_lazy("签署人所在组织"),
        "select",
        (("", gettext_lazy("按角色默认")), *Stage.SignerOrg.choices),
    ),
    Column("seal", gettext_lazy("盖章"), "checkbox"),
    Column(
        "seal_org",
        gettext_lazy("盖谁的章"),
        "select",
        (("", gettext_lazy("签署人所在组织的章")), (Stage.SignerOrg.UNIT, gettext_lazy("申报单位的章（党组织环节）"))),
    ),
    Column(
        "limit",
        gettext_lazy("办理时限"),
        "select",
        (
            (LIMIT_NONE, gettext_lazy("不限")),
            (LIMIT_DAYS, gettext_lazy("环节开始后若干天")),
            (LIMIT_DATE, gettext_lazy("固定日期前")),
        ),
        keys=("time_limit_days", "due_date"),
    ),
    Column("time_limit_days", gettext_lazy("天数"), "number", keys=("time_limit_days",)),
    Column("due_date", gettext_lazy("截止日期"), "date", keys=("due_date",)),
    Column("same_signer_as_previous", gettext_lazy("可与上一环节同一人签署（一肩挑）"), "checkbox"),
    Column("mode", gettext_lazy("签署方式"), "select", MODE_CHOICES),
    Column(
        "holders",
        gettext_lazy("其他签署方（会签或或签时填写，每行一个）"),
        "lines",
        help=gettext_lazy(
            "格式：角色 @ 所在组织 / 部门，部门可不填，如“区（县）民政局审核人 @ 所在区（县） / 社工部”；"
            "本环节的签署角色是第一个签署方，不必再写"
        ),
    ),
)

_TYPE_CHOICES = tuple((t, admin_preview.FIELD_TYPE_LABELS[t]) for t in forms.FIELD_TYPES)

FIELD_COLUMNS: tuple[Column, ...] = (
    Column("label", gettext_lazy("名称")),
    Column("key", gettext_lazy("标识"), help=gettext_lazy("小写字母开头，只含小写字母、数字和下划线")),
    Column("type", gettext_lazy("类型"), "select", _TYPE_CHOICES),
    Column("required", gettext_lazy("必填"), "checkbox"),
    Column("help", gettext_lazy("填写说明")),
    Column("min_length", gettext_lazy("最少字数"), "number"),
    Column("max_length", gettext_lazy("最多字数"), "number"),
    Column("min", gettext_lazy("最小值（数字或日期）")),
    Column("max", gettext_lazy("最大值（数字或日期）")),
    Column("min_count", gettext_lazy("最少个数（人员、附件）"), "number"),
    Column("max_count", gettext_lazy("最多个数（人员、附件）"), "number"),
    Column("options", gettext_lazy("选项（每行一个）"), "lines"),
)

# Which limit columns apply to each field type (the rest are ignored for it, and emptied).
_LIMITS = ("min_length", "max_length", "min", "max", "min_count", "max_count", "options")


def _allowed(ftype: str) -> frozenset[str]:
    return forms._OPTION_KEYS.get(ftype, frozenset())  # noqa: SLF001 - the one list of each type's options


@dataclass
class Editor:
    """Rows as the template shows them: each a dict of column name → text, plus ``extra`` (JSON)."""

    rows: list[dict[str, Any]]
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


# --- stages ------------------------------------------------------------------------------------


# The stage columns read and written by name below; any other column is a plain option, stored as
# typed (a select's value, a checkbox's true/false), so a new one needs only its ``Column``.
_STAGE_HANDLED = frozenset(
    {"name", "key", "role", "signer_org", "seal", "seal_org", "limit", "time_limit_days", "due_date",
     "same_signer_as_previous", "mode", "holders"}
)  # fmt: skip


def stage_rows(stages: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The stored stages as editor rows."""
    rows = []
    for stage in stages:
        days = stage.get("time_limit_days")
        due = stage.get("due_date")
        limit = LIMIT_DATE if due else (LIMIT_DAYS if days else LIMIT_NONE)
        row = {
            "name": stage.get("name", ""),
            "key": stage.get("key", ""),
            "role": stage.get("role", ""),
            "signer_org": stage.get("signer_org") or "",
            "seal": bool(stage.get("seal")),
            "seal_org": stage.get("seal_org") or "",
            "limit": limit,
            "time_limit_days": "" if days is None else str(days),
            "due_date": due.isoformat() if isinstance(due, date) else (due or ""),
            "same_signer_as_previous": bool(stage.get("same_signer_as_previous")),
            "mode": str(stage.get("mode") or ""),
            "holders": holders_text(stage.get("holders")),
        }
        for column in STAGE_COLUMNS:
            if column.name not in _STAGE_HANDLED:  # a plain option: shown as stored
                value = stage.get(column.name)
                text = "" if value is None else str(value)
                row[column.name] = bool(value) if column.widget == "checkbox" else text
        owned = {k for c in STAGE_COLUMNS for k in c.owned}
        holders = stage.get("holders")
        first = holders[0] if isinstance(holders, list) and holders and isinstance(holders[0], Mapping) else {}
        # The first holder is the stage's own signer, not a line; a department of it travels in ``extra``.
        kept = {**stage, "holders": [dict(first)]} if str(first.get("department") or "").strip() else stage
        row["extra"] = _extra(kept, owned - {"holders"} if kept is not stage else owned)
        rows.append(row)
    return rows


# --- 会签 / 或签 holders: one per line, "角色 @ 所在组织 / 部门" --------------------------------------

_HOLDER_AT = re.compile(r"\s*[@＠]\s*")
_HOLDER_SLASH = re.compile(r"\s*[/／]\s*")
_BRACKETS = re.compile(r"（[^）]*）|\([^)]*\)")


def _names(choices: tuple[tuple[str, Any], ...]) -> dict[str, str]:
    """Every way a line may name a choice: its value, its label, and the label without brackets
    or "所在" (so "区民政局审核人" or "区" also do on a phone)."""
    names: dict[str, str] = {}
    for value, label in choices:
        text = str(label)
        short = _BRACKETS.sub("", text)
        for name in (value, text, short, short.removeprefix("所在")):
            names.setdefault(name.strip().lower(), value)
    return names


def holder_line(holder: Mapping[str, Any]) -> str:
    """One holder as the editor writes it: "角色 @ 所在组织 / 部门"."""
    role = str(holder.get("role") or "")
    org = str(holder.get("signer_org") or "")
    line = str(dict(Role.choices).get(role, role))
    if org:
        line += f" @ {dict(Stage.SignerOrg.choices).get(org, org)}"
    if str(holder.get("department") or "").strip():
        line += f" / {str(holder['department']).strip()}"
    return line


def holders_text(holders: Any) -> str:
    """The stored holders after the first (the stage's own signer) as editor lines."""
    if not isinstance(holders, list):
        return ""
    return "\n".join(holder_line(h) for h in holders[1:] if isinstance(h, Mapping))


def parse_holders(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """The holders the lines name (without the stage's own), and a message per unreadable line."""
    roles = _names(_role_choices())
    orgs = _names(tuple(Stage.SignerOrg.choices))
    holders: list[dict[str, str]] = []
    errors: list[str] = []
    for n, raw in enumerate((line.strip() for line in text.splitlines()), start=1):
        if not raw:
            continue
        head, *rest = _HOLDER_SLASH.split(raw, maxsplit=1)
        department = rest[0] if rest else ""
        role_text, _at, org_text = _HOLDER_AT.sub("@", head).partition("@")
        role = roles.get(role_text.strip().lower())
        org = orgs.get(org_text.strip().lower()) if org_text.strip() else ""
        if role is None:
            errors.append(_("第 {n} 行：未知的签署角色“{role}”").format(n=n, role=role_text.strip()))
            continue
        if org is None:
            errors.append(_("第 {n} 行：未知的签署组织“{org}”").format(n=n, org=org_text.strip()))
            continue
        holder = {"role": role}
        if org:
            holder["signer_org"] = org
        if department.strip():
            holder["department"] = department.strip()
        holders.append(holder)
    return holders, errors


def _extra(item: Mapping[str, Any], owned: set[str]) -> str:
    rest = {k: v for k, v in item.items() if k not in owned}
    return json.dumps(rest, ensure_ascii=False, default=str, sort_keys=True) if rest else ""


def _load_extra(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _count(post: QueryDict, prefix: str) -> int:
    try:
        return max(0, min(int(post.get(f"{prefix}-count", "0")), MAX_ROWS))
    except ValueError:
        return 0


def posted_rows(post: QueryDict, prefix: str, columns: tuple[Column, ...]) -> list[dict[str, Any]]:
    """The rows as posted (text as typed, checkboxes as booleans), in order."""
    rows = []
    for i in range(_count(post, prefix)):
        row: dict[str, Any] = {}
        for column in columns:
            name = f"{prefix}-{i}-{column.name}"
            row[column.name] = name in post if column.widget == "checkbox" else post.get(name, "")
        row["extra"] = post.get(f"{prefix}-{i}-extra", "")
        rows.append(row)
    return rows


def blank_stage_row() -> dict[str, Any]:
    return {c.name: (False if c.widget == "checkbox" else "") for c in STAGE_COLUMNS} | {
        "role": Role.COMMITTEE,
        "limit": LIMIT_NONE,
        "extra": "",
    }


def blank_field_row() -> dict[str, Any]:
    blank = {c.name: (False if c.widget == "checkbox" else "") for c in FIELD_COLUMNS}
    return blank | {"type": forms.TEXT, "extra": ""}


_OP = re.compile(r"^(up|down|delete)-(\d+)\Z")


def apply_row_op(rows: list[dict[str, Any]], op: str, blank: dict[str, Any]) -> bool:
    """Move, delete or add a row (``up-2``, ``down-0``, ``delete-1``, ``add``); True when ``op`` was one."""
    if op == "add":
        rows.append(dict(blank))
        return True
    match = _OP.match(op)
    if not match:
        return False
    verb, index = match.group(1), int(match.group(2))
    if not 0 <= index < len(rows):
        return True
    if verb == "delete":
        del rows[index]
    elif verb == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down" and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return True


def stages_from_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The stages the API would post, and the errors of inputs that are not even of the right kind."""
    stages: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    roles = {value for value, _label in _role_choices()}
    for i, row in enumerate(rows):
        stage: dict[str, Any] = _load_extra(row.get("extra", ""))
        stage.update(key=row["key"].strip(), name=row["name"].strip(), seal=bool(row["seal"]))
        if row["role"] in roles:
            stage["role"] = row["role"]
        else:
            stage["role"] = Role.COMMITTEE
            errors.setdefault(f"stages[{i}].role", []).append(_("请选择签署角色"))
        if not stage["key"]:
            errors.setdefault(f"stages[{i}].key", []).append(_("请填写环节标识"))
        if not stage["name"]:
            errors.setdefault(f"stages[{i}].name", []).append(_("请填写环节名称"))
        if row["signer_org"]:
            stage["signer_org"] = row["signer_org"]
        else:
            stage.pop("signer_org", None)
        stage["seal_org"] = row["seal_org"] or ""
        stage["same_signer_as_previous"] = bool(row["same_signer_as_previous"])
        stage["time_limit_days"] = None
        stage["due_date"] = None
        if row["limit"] == LIMIT_DAYS:
            days = row["time_limit_days"].strip()
            if days.isdigit() and 1 <= int(days) <= 365:
                stage["time_limit_days"] = int(days)
            else:
                errors.setdefault(f"stages[{i}].time_limit_days", []).append(_("天数应为 1 到 365 的整数"))
        elif row["limit"] == LIMIT_DATE:
            try:
                stage["due_date"] = date.fromisoformat(row["due_date"].strip())
            except ValueError:
                errors.setdefault(f"stages[{i}].due_date", []).append(_("请选择截止日期"))
        _stage_holders(stage, row, i, errors)
        for column in STAGE_COLUMNS:
            if column.name in _STAGE_HANDLED:
                continue
            value = row.get(column.name)
            if column.widget == "checkbox":
                stage[column.name] = bool(value)
            elif value:
                stage[column.name] = value
            else:
                stage.pop(column.name, None)
        stages.append(stage)
    return stages, errors


def _stage_holders(stage: dict[str, Any], row: dict[str, Any], i: int, errors: dict[str, list[str]]) -> None:
    """会签 / 或签: the stage's own signer first, then the holders the lines name, with the mode."""
    mode = str(row.get("mode") or "")
    others, unreadable = parse_holders(str(row.get("holders") or ""))
    if unreadable:
        errors.setdefault(f"stages[{i}].holders", []).extend(unreadable)
    if mode and not others and not unreadable:
        errors.setdefault(f"stages[{i}].holders", []).append(_("会签或或签须在此填写至少一个其他签署方"))
    if others and not mode:
        errors.setdefault(f"stages[{i}].mode", []).append(_("填写了其他签署方时，请选择会签或或签"))
    kept = stage.get("holders")
    if mode and others:
        first = {"role": stage["role"]}
        if stage.get("signer_org"):
            first["signer_org"] = stage["signer_org"]
        old = kept[0] if isinstance(kept, list) and kept and isinstance(kept[0], dict) else {}
        if old.get("department") and old.get("role") == first["role"] and signer_org_of(old) == signer_org_of(first):
            first["department"] = str(old["department"])  # the same signer as before keeps its department
        stage["holders"] = [first, *others]
        stage["mode"] = mode
    else:
        stage.pop("holders", None)
        stage.pop("mode", None)


# --- form fields -------------------------------------------------------------------------------


def field_rows(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A stored form definition as editor rows."""
    rows = []
    owned = {c.name for c in FIELD_COLUMNS}
    for item in definition.get("fields", []) if isinstance(definition, Mapping) else []:
        row: dict[str, Any] = {
            "label": item.get("label", ""),
            "key": item.get("key", ""),
            "type": item.get("type", forms.TEXT),
            "required": bool(item.get("required")),
            "help": item.get("help", ""),
        }
        for name in _LIMITS:
            value = item.get(name)
            if name == "options":
                row[name] = "\n".join(str(o) for o in value) if isinstance(value, list) else ""
            else:
                row[name] = "" if value is None else str(value)
        row["extra"] = _extra(item, owned)
        rows.append(row)
    return rows


def _number(text: str) -> int | float | str:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text  # the definition's check names it


def definition_from_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The form definition the API would post (limits that do not apply to a field's type are left out)."""
    fields = []
    for row in rows:
        ftype = row["type"] if row["type"] in forms.FIELD_TYPES else forms.TEXT
        allowed = _allowed(ftype)
        item: dict[str, Any] = {
            k: v for k, v in _load_extra(row.get("extra", "")).items() if k in allowed or k == "personal"
        }
        item.update(key=row["key"].strip(), label=row["label"].strip(), type=ftype)
        if row["required"]:
            item["required"] = True
        if row["help"].strip():
            item["help"] = row["help"].strip()
        for name in _LIMITS:
            if name not in allowed:
                continue
            text = row[name].strip()
            if name == "options":
                options = [line.strip() for line in text.splitlines() if line.strip()]
                if options:
                    item["options"] = options
                else:
                    item.pop("options", None)
            elif not text:
                item.pop(name, None)
            elif name in ("min", "max") and ftype == forms.DATE:
                item[name] = text
            else:
                item[name] = _number(text)
        fields.append(item)
    return {"fields": fields}


# --- errors back onto the rows -----------------------------------------------------------------

_HOLDER_KEY = re.compile(r"^\[(\d+)\]")
_ROW_KEY = re.compile(r"^(?P<prefix>.+?)\[(?P<index>\d+)\](?:\.(?P<column>[a-z_]+))?")


def place_errors(editor: Editor, errors: Mapping[str, list[str]], prefix: str, columns: tuple[Column, ...]) -> None:
    """Put each message of ``errors`` whose key is ``<prefix>[i].<column>`` next to that input;
    the rest (the whole list, another part of the definition) at the top of the editor."""
    by_key = {k: c.name for c in columns for k in (c.name, *c.owned)}
    for key, messages in errors.items():
        match = _ROW_KEY.match(key)
        if match and match.group("prefix") == prefix and int(match.group("index")) < len(editor.rows):
            index = int(match.group("index"))
            column = by_key.get(match.group("column") or "", "")
            if column == "time_limit_days" and editor.rows[index].get("limit") == LIMIT_DATE:
                column = "due_date"
            holder = _HOLDER_KEY.match(key[match.end() :])
            if column == "holders" and holder and int(holder.group(1)) > 0:  # holder j is the j-th line
                messages = [_("第 {n} 行：{m}").format(n=holder.group(1), m=m) for m in messages]
            elif column == "criteria" and holder:  # criterion j is the (j + 1)-th line
                messages = [_("第 {n} 行：{m}").format(n=int(holder.group(1)) + 1, m=m) for m in messages]
            editor.errors.setdefault(index, {}).setdefault(column or "__row__", []).extend(messages)
        else:
            editor.general.extend(messages)


# --- eligibility rules ---------------------------------------------------------------------------

# The rule types and which key the one "数值" input writes for each (workflows/eligibility.py).
_RULE_VALUE_KEY = {
    eligibility.MIN_NUMBER: "min",
    eligibility.WITHIN_LAST_YEARS: "years",
    eligibility.MIN_DURATION_MONTHS: "months",
    eligibility.MAX_COUNT: "max",
    eligibility.MAX_TOTAL_CHARS: "max",
}
_SPLIT = re.compile(r"[、,，\s]+")


def rule_columns(fields: list[tuple[str, str]]) -> tuple[Column, ...]:
    """The rule editor's columns; ``fields`` are the kind's form fields as (key, label)."""
    field_choices = (("", gettext_lazy("（不选）")), *fields)
    return (
        Column("type", gettext_lazy("条件"), "select", tuple(admin_preview.RULE_LABELS.items())),
        Column("field", gettext_lazy("针对的字段"), "select", field_choices, keys=("field", "start_field", "fields")),
        Column(
            "value",
            gettext_lazy("数值"),
            help=gettext_lazy("下限、上限、年数或月数"),
            keys=("min", "max", "years", "months"),
        ),
        Column("from", gettext_lazy("开始日期（日期在范围内）"), "date"),
        Column("to", gettext_lazy("结束日期（日期在范围内）"), "date"),
        Column("end_field", gettext_lazy("结束日期字段（持续月数，可选）"), "select", field_choices),
        Column("more_fields", gettext_lazy("一并计字数的其他字段（标识，顿号分隔）"), keys=("more_fields",)),
        Column("message", gettext_lazy("不符合时的提示（可选）")),
    )


def rule_rows(rules: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Stored rules as editor rows (what the columns do not hold travels in ``extra``)."""
    rows = []
    owned = {"type", "field", "start_field", "fields", "min", "max", "years", "months", "from", "to", "end_field",
             "message"}  # fmt: skip
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, Mapping):
            continue
        rtype = str(rule.get("type", ""))
        raw_fields = rule.get("fields")
        listed: list[Any] = raw_fields if isinstance(raw_fields, list) else []
        value = rule.get(_RULE_VALUE_KEY.get(rtype, ""), "")
        rows.append(
            {
                "type": rtype,
                "field": str(rule.get("field") or rule.get("start_field") or (listed[0] if listed else "")),
                "value": "" if value is None else str(value),
                "from": str(rule.get("from") or ""),
                "to": str(rule.get("to") or ""),
                "end_field": str(rule.get("end_field") or ""),
                "more_fields": "、".join(str(f) for f in listed[1:]),
                "message": str(rule.get("message") or ""),
                "extra": _extra(rule, owned),
            }
        )
    return rows


def blank_rule_row() -> dict[str, Any]:
    return {"type": eligibility.MIN_NUMBER, "field": "", "value": "", "from": "", "to": "", "end_field": "",
            "more_fields": "", "message": "", "extra": ""}  # fmt: skip


def rules_from_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rules the API would post; the rules' own check (workflows/eligibility.py) names what is wrong."""
    rules = []
    for row in rows:
        rtype = row["type"]
        rule: dict[str, Any] = {**_load_extra(row.get("extra", "")), "type": rtype}
        field_key = row["field"].strip()
        if rtype == eligibility.MIN_DURATION_MONTHS:
            rule["start_field"] = field_key
            if row["end_field"].strip():
                rule["end_field"] = row["end_field"].strip()
        elif rtype == eligibility.MAX_TOTAL_CHARS:
            more = [f for f in _SPLIT.split(row["more_fields"].strip()) if f]
            rule["fields"] = [f for f in [field_key, *more] if f]
        else:
            rule["field"] = field_key
        if rtype == eligibility.DATE_BETWEEN:
            rule["from"] = row["from"].strip()
            rule["to"] = row["to"].strip()
        value_key = _RULE_VALUE_KEY.get(rtype)
        if value_key:
            rule[value_key] = _number(row["value"].strip())
        if row["message"].strip():
            rule["message"] = row["message"].strip()
        rules.append(rule)
    return rules
