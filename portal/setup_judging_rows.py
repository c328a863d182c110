"""The setup editors' rows for what follows intake: judging rounds, award tiers and tier floors,
supplements, and each part's reading in words (the overview and the editors show it).

As in ``portal.setup_editors`` no rule lives here: rows become the dicts the API posts and the
whole definition is checked by ``workflows.specs`` (``workflows/rounds.py``,
``workflows/supplements.py``) inside ``update_campaign``; an option a row does not show travels
in its hidden ``extra`` input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.dates import official_time
from portal.setup_editors import _SPLIT, Column, _extra, _load_extra, _number
from workflows import rounds

# --- judging rounds (workflows/rounds.py) --------------------------------------------------------

METHOD_CHOICES: tuple[tuple[str, Any], ...] = (
    ("panel", gettext_lazy("专家评审打分")),
    ("import", gettext_lazy("导入成绩（笔试、第三方评估等）")),
    ("vote", gettext_lazy("投票")),
)
_CRITERION_KEY = re.compile(r"^[a-z][a-z0-9_]*\Z")


def round_columns(kinds: list[tuple[str, str]]) -> tuple[Column, ...]:
    """The round editor's columns; ``kinds`` are the campaign's kinds as (value, label), one checkbox each."""
    return (
        Column("name", gettext_lazy("轮次名称")),
        Column("key", gettext_lazy("轮次标识"), help=gettext_lazy("字母、数字和下划线，如 roadshow")),
        Column("method", gettext_lazy("评审方式"), "select", METHOD_CHOICES),
        *(
            Column(f"kind_{value}", gettext_lazy("参加本轮：{kind}").format(kind=label), "checkbox", keys=("kinds",))
            for value, label in kinds
        ),
        Column(
            "weight",
            gettext_lazy("权重（%）"),
            help=gettext_lazy("占该类别最终得分的百分比；同一类别各轮之和为 100，只淘汰不计分的轮次填 0"),
        ),
        Column(
            "criteria",
            gettext_lazy("评分细则（每行一项：名称 满分 标识）"),
            "lines",
            help=gettext_lazy("如“服务过程 20 process”；标识可不填（自动编号）；专家评审打分时必填"),
        ),
        Column(
            "step", gettext_lazy("分值步长"), help=gettext_lazy("评分须为它的整数倍，如 1 或 0.5；满分须为它的整数倍")
        ),
        Column("trim", gettext_lazy("去掉一个最高分和一个最低分（5 位及以上评委打分时）"), "checkbox"),
        Column("advance", gettext_lazy("入围下一轮的数量（可选）"), "number"),
        Column(
            "order",
            gettext_lazy("出场顺序"),
            "select",
            (("", gettext_lazy("不抽签")), ("lottery", gettext_lazy("抽签决定"))),
        ),
        Column("publish_every", gettext_lazy("现场每评完几项公布一次（可选）"), "number"),
        Column(
            "tiebreak", gettext_lazy("同分时比较的评分项（可选）"), help=gettext_lazy("评分细则中一项的名称或标识")
        ),
        Column(
            "normalize",
            gettext_lazy("分数标准化"),
            "select",
            (("", gettext_lazy("不标准化")), ("zscore", gettext_lazy("按评委标准化（Z 分数）"))),
        ),
        Column("deadline", gettext_lazy("评审截止日期（可选）"), help=gettext_lazy("如 2027-03-30")),
    )


_ROUND_OWNED = {"name", "key", "method", "kinds", "weight", "criteria", "step", "trim", "advance", "order",
                "publish_every", "tiebreak", "normalize", "deadline"}  # fmt: skip


def official_day(value: Any) -> str:
    """A stored date ("2027-12-30") or moment as officials write it (2027年12月30日); else as typed."""
    try:
        day = parse_date(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is not None:
        return f"{day.year}年{day.month}月{day.day}日"
    try:
        return official_time(value)
    except ValueError:
        return _text(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def criteria_text(criteria: Any) -> str:
    """A rubric as editor lines, "名称 满分 标识"."""
    if not isinstance(criteria, list):
        return ""
    return "\n".join(
        f"{c.get('name', '')} {_text(c.get('max'))} {c.get('key', '')}".strip()
        for c in criteria
        if isinstance(c, Mapping)
    )


def parse_criteria(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The rubric the lines name, and a message per unreadable line (a key is made up when left out)."""
    criteria: list[dict[str, Any]] = []
    errors: list[str] = []
    for n, raw in enumerate((line.strip() for line in text.splitlines()), start=1):
        if not raw:
            continue
        parts = raw.split()
        key = parts.pop() if len(parts) >= 3 and _CRITERION_KEY.match(parts[-1]) else ""
        if len(parts) < 2:
            errors.append(_("第 {n} 行：请写成“名称 满分 标识”，如“服务过程 20 process”").format(n=n))
            continue
        maximum = _number(parts[-1])
        if isinstance(maximum, str):
            errors.append(_("第 {n} 行：满分“{max}”不是数字").format(n=n, max=parts[-1]))
            continue
        criteria.append({"key": key, "name": " ".join(parts[:-1]), "max": maximum})
    used = {c["key"] for c in criteria}
    number = 0
    for criterion in criteria:
        while not criterion["key"]:
            number += 1
            if f"c{number}" not in used:
                criterion["key"] = f"c{number}"
                used.add(criterion["key"])
    return criteria, errors


def round_rows(rounds: Any, kinds: list[str]) -> list[dict[str, Any]]:
    """The stored rounds as editor rows (options the editor does not show travel in ``extra``)."""
    rows = []
    for item in rounds if isinstance(rounds, list) else []:
        if not isinstance(item, Mapping):
            continue
        criteria = item.get("criteria")
        tiebreak = item.get("tiebreak")
        named = next(
            (c.get("name") for c in criteria or [] if isinstance(c, Mapping) and c.get("key") == tiebreak), None
        )
        row: dict[str, Any] = {
            "name": _text(item.get("name")),
            "key": _text(item.get("key")),
            "method": _text(item.get("method")),
            "weight": _text(item.get("weight")),
            "criteria": criteria_text(criteria),
            "step": _text(item.get("step", 1)),
            "trim": bool(item.get("trim")),
            "advance": _text(item.get("advance")),
            "order": _text(item.get("order")),
            "publish_every": _text(item.get("publish_every")),
            "tiebreak": _text(named or tiebreak),
            "normalize": _text(item.get("normalize")),
            "deadline": _text(item.get("deadline")),
            "extra": _extra(item, _ROUND_OWNED),
        }
        stored_kinds = item.get("kinds")
        chosen: list[Any] = stored_kinds if isinstance(stored_kinds, list) else []
        for kind in kinds:
            row[f"kind_{kind}"] = kind in chosen
        rows.append(row)
    return rows


def blank_round_row(kinds: list[str]) -> dict[str, Any]:
    names = ("name", "key", "weight", "criteria", "advance", "order", "publish_every", "tiebreak", "normalize")
    row = dict.fromkeys((*names, "deadline", "extra"), "")
    return row | {"method": "panel", "step": "1", "trim": False} | {f"kind_{k}": True for k in kinds}


def rounds_from_rows(
    rows: list[dict[str, Any]], kinds: list[str]
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The rounds the API would post, and the errors of lines that cannot be read (the rest is
    checked by workflows/rounds.py inside the action)."""
    result: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        item: dict[str, Any] = _load_extra(row.get("extra", ""))
        item.update(
            key=row["key"].strip(),
            name=row["name"].strip(),
            method=row["method"],
            kinds=[k for k in kinds if row.get(f"kind_{k}")],
            weight=_number(row["weight"].strip() or "0"),
            step=_number(row["step"].strip() or "1"),
            trim=bool(row["trim"]),
        )
        criteria, unreadable = parse_criteria(row["criteria"])
        if unreadable:
            errors[f"rounds[{i}].criteria"] = unreadable
        if criteria or item.get("method") != "vote":
            item["criteria"] = criteria
        else:  # a vote round scores no rubric: no empty list where the definition had none
            item.pop("criteria", None)
        for name in ("advance", "publish_every"):
            text = row[name].strip()
            if not text:
                item.pop(name, None)
            elif text.isdigit() and int(text) >= 1:
                item[name] = int(text)
            else:
                errors[f"rounds[{i}].{name}"] = [_("应为正整数，不用时留空")]
        for name in ("order", "normalize", "deadline"):
            if row[name].strip():
                item[name] = row[name].strip()
            else:
                item.pop(name, None)
        tiebreak = row["tiebreak"].strip()
        if tiebreak:
            item["tiebreak"] = next((c["key"] for c in criteria if tiebreak in (c["name"], c["key"])), tiebreak)
        else:
            item.pop("tiebreak", None)
        result.append(item)
    return result, errors


def round_reading(item: Mapping[str, Any], kind_labels: Mapping[str, str]) -> str:
    """One saved round in words, as the overview and the editor show it."""
    method = dict(METHOD_CHOICES).get(str(item.get("method")), item.get("method"))
    kinds = "、".join(kind_labels.get(k, k) for k in item.get("kinds") or [])
    parts = [
        _("{method}，{kinds}，权重 {weight}%").format(method=method, kinds=kinds, weight=_text(item.get("weight")))
    ]
    criteria = [c for c in item.get("criteria") or [] if isinstance(c, Mapping)]
    if criteria:
        total = rounds.full_mark(item)
        rubric = "、".join(f"{c.get('name')} {_text(c.get('max'))}" for c in criteria)
        parts.append(
            _("评分细则：{rubric}（满分 {total}，步长 {step}）").format(
                rubric=rubric, total=total, step=_text(item.get("step", 1))
            )
        )
    if item.get("trim"):
        parts.append(_("去掉一个最高分和一个最低分"))
    if item.get("advance"):
        parts.append(_("前 {n} 名进入下一轮").format(n=item["advance"]))
    if item.get("order") == "lottery":
        parts.append(_("抽签决定出场顺序"))
    if item.get("publish_every"):
        parts.append(_("每评完 {n} 项公布一次").format(n=item["publish_every"]))
    if item.get("tiebreak"):
        name = next((c.get("name") for c in criteria if c.get("key") == item["tiebreak"]), item["tiebreak"])
        parts.append(_("同分时比较“{name}”").format(name=name))
    if item.get("normalize") == "zscore":
        parts.append(_("按评委标准化分数"))
    if item.get("deadline"):
        parts.append(_("{date}前评完").format(date=official_day(item["deadline"])))
    return "；".join(str(p) for p in parts)


# --- award tiers and tier floors -----------------------------------------------------------------


def tier_columns(kinds: list[tuple[str, str]]) -> tuple[Column, ...]:
    return (
        Column("kind", gettext_lazy("类别"), "select", tuple(kinds)),
        Column("name", gettext_lazy("等次名称"), help=gettext_lazy("如 一等奖")),
        Column("key", gettext_lazy("等次标识"), help=gettext_lazy("字母、数字和下划线，如 first")),
        Column("count", gettext_lazy("名额"), "number"),
        Column("prize", gettext_lazy("奖金（元，可选）"), "number"),
    )


def tier_rows(tiers: Any, kinds: list[str]) -> list[dict[str, Any]]:
    """``tiers`` (kind → levels) as rows, kind by kind in the campaign's order."""
    rows = []
    stored = tiers if isinstance(tiers, Mapping) else {}
    for kind in [*kinds, *(k for k in stored if k not in kinds)]:
        for level in stored.get(kind) or []:
            if isinstance(level, Mapping):
                rows.append(
                    {"kind": kind, "name": _text(level.get("name")), "key": _text(level.get("key")),
                     "count": _text(level.get("count")), "prize": _text(level.get("prize")),
                     "extra": _extra(level, {"kind", "name", "key", "count", "prize"})}
                )  # fmt: skip
    return rows


def tiers_from_rows(rows: list[dict[str, Any]]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """``tiers`` as the API posts it, and where each level's error key (``tiers.case[1]``) sits among the rows."""
    tiers: dict[str, list[dict[str, Any]]] = {}
    where: dict[str, str] = {}
    for i, row in enumerate(rows):
        level: dict[str, Any] = _load_extra(row.get("extra", ""))
        level.update(key=row["key"].strip(), name=row["name"].strip(), count=_number(row["count"].strip()))
        prize = row["prize"].strip()
        if prize:
            level["prize"] = _number(prize)
        else:
            level.pop("prize", None)
        levels = tiers.setdefault(row["kind"], [])
        where[f"tiers.{row['kind']}[{len(levels)}]"] = f"tiers[{i}]"
        levels.append(level)
    return tiers, where


def floor_columns(kinds: list[tuple[str, str]], fields: list[tuple[str, str]]) -> tuple[Column, ...]:
    return (
        Column("kind", gettext_lazy("类别"), "select", tuple(kinds)),
        Column("field", gettext_lazy("申报表中的单选项"), "select", tuple(fields)),
        Column("values", gettext_lazy("计入的取值（每行一个）"), "lines"),
        Column("min_share", gettext_lazy("获奖中至少占（%）"), "number", help=gettext_lazy("如 80")),
    )


def floor_rows(floors: Any) -> list[dict[str, Any]]:
    rows = []
    for floor in floors if isinstance(floors, list) else []:
        if not isinstance(floor, Mapping):
            continue
        share = share_percent(floor.get("min_share"))
        values = floor.get("values")
        rows.append(
            {"kind": _text(floor.get("kind")), "field": _text(floor.get("field")),
             "values": "\n".join(str(v) for v in values) if isinstance(values, list) else "",
             "min_share": share, "extra": _extra(floor, {"kind", "field", "values", "min_share"})}
        )  # fmt: skip
    return rows


def share_percent(value: Any) -> str:
    """A stored share (0.8) as the percent the editor shows ("80")."""
    number = _number(_text(value))
    if isinstance(number, str):
        return number
    percent = round(number * 100, 4)
    return str(int(percent)) if percent == int(percent) else str(percent)


def floors_from_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    floors: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        floor: dict[str, Any] = _load_extra(row.get("extra", ""))
        floor.update(kind=row["kind"], field=row["field"],
                     values=[v.strip() for v in row["values"].splitlines() if v.strip()])  # fmt: skip
        percent = _number(row["min_share"].strip().rstrip("%％"))
        if isinstance(percent, str) or not 0 < percent <= 100:
            errors[f"tier_floors[{i}].min_share"] = [_("请填写大于 0、不超过 100 的百分比")]
            floor["min_share"] = 0
        else:
            floor["min_share"] = round(percent / 100, 6)
        floors.append(floor)
    return floors, errors


# --- supplements (workflows/supplements.py) ------------------------------------------------------

SUPPLEMENT_COLUMNS: tuple[Column, ...] = (
    Column("label", gettext_lazy("名称"), help=gettext_lazy("如 项目（案例）总结材料")),
    Column("key", gettext_lazy("标识"), help=gettext_lazy("小写字母开头，只含小写字母、数字和下划线")),
    Column(
        "type",
        gettext_lazy("类型"),
        "select",
        (("long_text", gettext_lazy("长文本")), ("files", gettext_lazy("文件"))),
    ),
    Column("deadline", gettext_lazy("截止日期"), help=gettext_lazy("如 2027-12-30，即当天 23:59:59（北京时间）")),
    Column("max_length", gettext_lazy("字数上限（长文本，默认 5000）"), "number"),
    Column(
        "allowed_types",
        gettext_lazy("文件类型（文件，顿号分隔，默认 pdf）"),
        help=gettext_lazy("可选：pdf、doc、docx、xls、xlsx、jpg、png"),
    ),
    Column("max_count", gettext_lazy("最多文件数（文件，默认 5）"), "number"),
    Column("max_size_mb", gettext_lazy("每个文件最大 MB（文件，默认 20）"), "number"),
)
_SUPPLEMENT_LIMITS = {"long_text": ("max_length",), "files": ("allowed_types", "max_count", "max_size_mb")}


def supplement_rows(supplements: Any) -> list[dict[str, Any]]:
    rows = []
    owned = {c.name for c in SUPPLEMENT_COLUMNS}
    for item in supplements if isinstance(supplements, list) else []:
        if not isinstance(item, Mapping):
            continue
        types = item.get("allowed_types")
        rows.append(
            {"label": _text(item.get("label")), "key": _text(item.get("key")), "type": _text(item.get("type")),
             "deadline": _text(item.get("deadline")), "max_length": _text(item.get("max_length")),
             "allowed_types": "、".join(str(t) for t in types) if isinstance(types, list) else "",
             "max_count": _text(item.get("max_count")), "max_size_mb": _text(item.get("max_size_mb")),
             "extra": _extra(item, owned)}
        )  # fmt: skip
    return rows


def blank_supplement_row() -> dict[str, Any]:
    return {c.name: "" for c in SUPPLEMENT_COLUMNS} | {"type": "long_text", "extra": ""}


def supplements_from_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The supplements the API would post (limits of the other type left out); workflows checks the rest."""
    items = []
    for row in rows:
        item: dict[str, Any] = _load_extra(row.get("extra", ""))
        item.update(
            key=row["key"].strip(), label=row["label"].strip(), type=row["type"], deadline=row["deadline"].strip()
        )
        for name in ("max_length", "allowed_types", "max_count", "max_size_mb"):
            text = row[name].strip()
            item.pop(name, None)
            if not text or name not in _SUPPLEMENT_LIMITS.get(row["type"], ()):
                continue
            if name == "allowed_types":
                item[name] = [t.lower().lstrip(".") for t in _SPLIT.split(text) if t]
            else:
                item[name] = _number(text)
        items.append(item)
    return items


# --- readings of the saved parts (the overview and the editors) ---------------------------------


def rounds_reading(rounds: Any, labels: Mapping[str, str]) -> list[dict[str, str]]:
    """Each round's name and its reading in words (what a save will mean)."""
    return [
        {"name": str(r.get("name") or r.get("key") or ""), "text": round_reading(r, labels)}
        for r in rounds if isinstance(r, Mapping)
    ]  # fmt: skip


def tiers_reading(
    tiers: Any, floors: Any, labels: Mapping[str, str], form_defs: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Each kind's levels in words, and each floor as a sentence."""
    levels = []
    for kind, items in (tiers or {}).items() if isinstance(tiers, Mapping) else []:
        items = [i for i in items or [] if isinstance(i, Mapping) and i.get("name")]
        parts = [
            _("{name} {count} 名").format(name=i.get("name"), count=i.get("count"))
            + (_("（奖金 {prize} 元）").format(prize=i["prize"]) if i.get("prize") not in (None, "") else "")
            for i in items
        ]
        total = sum(c for i in items if isinstance(c := i.get("count"), int))
        levels.append(
            _("{kind}：{levels}，共 {total} 名").format(
                kind=labels.get(kind, kind), levels="、".join(parts), total=total
            )
        )
    field_labels = {
        (kind, str(f.get("key"))): str(f.get("label") or f.get("key"))
        for kind, form in form_defs.items()
        for f in form.get("fields", [])
    }
    sentences = []
    for floor in floors if isinstance(floors, list) else []:
        if not isinstance(floor, Mapping):
            continue
        kind = str(floor.get("kind"))
        sentences.append(
            _("“{kind}”的获奖者中，至少 {share}% 的“{field}”为{values}").format(
                kind=labels.get(kind, kind),
                share=share_percent(floor.get("min_share")),
                field=field_labels.get((kind, str(floor.get("field"))), floor.get("field")),
                values="、".join(f"“{v}”" for v in floor.get("values") or []),
            )
        )
    return {"levels": levels, "floors": sentences}


def supplements_reading(items: Any) -> list[str]:
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        if item.get("type") == "files":
            limits = _("文件（{types}），最多 {n} 个，每个不超过 {mb} MB").format(
                types="、".join(item.get("allowed_types") or ["pdf"]),
                n=item.get("max_count") or 5,
                mb=item.get("max_size_mb") or 20,
            )
        else:
            limits = _("长文本，不超过 {n} 字").format(n=item.get("max_length") or 5000)
        out.append(
            _("“{label}”：{limits}，{deadline}前补交").format(
                label=item.get("label"), limits=limits, deadline=official_day(item.get("deadline"))
            )
        )
    return out
