"""Checking a campaign's judging rounds, tiers and tier floors as a whole (pure, no ORM).

Shapes (api.md, Judging, awards and results): ``rounds`` is a list, in order, of
``{"key", "name", "kinds", "method", "weight", "criteria", "step", "trim", "normalize"?,
"order"?, "publish_every"?, "advance"?, "tiebreak"?, "deadline"?, "tiers"?}`` (``tiers`` only on a
``vote`` round of weight 0: its own prize list by votes, 网络点赞奖, shaped like the campaign's,
where a prize may also be a text such as a gift); ``tiers`` maps a kind to
``[{"key", "name", "count", "prize"?}]``; ``tier_floors`` is ``[{"kind", "field", "values",
"min_share"}]``. Numbers are read as decimals (exact), so a step of 0.5 divides a max of 20.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

METHODS = ("panel", "import", "vote")
ROUND_KEYS = frozenset(
    {"key", "name", "kinds", "method", "weight", "criteria", "step", "trim", "normalize", "order",
     "publish_every", "advance", "tiebreak", "deadline", "tiers"}
)  # fmt: skip
CRITERION_KEYS = frozenset({"key", "name", "max"})
TIER_KEYS = frozenset({"key", "name", "count", "prize"})
FLOOR_KEYS = frozenset({"kind", "field", "values", "min_share"})

Errors = dict[str, list[str]]


def decimal_of(value: object) -> Decimal | None:
    """A JSON number (or numeric string) as an exact decimal; ``None`` when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def is_likes_round(definition: object) -> bool:
    """A ``vote`` round of weight 0 (a number or a numeric string, "0.00" included): the public's
    likes, ranked apart from the main list and, with ``tiers``, a prize list of its own."""
    return (
        isinstance(definition, dict)
        and definition.get("method") == "vote"
        and decimal_of(definition.get("weight", 0)) == 0
    )


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def round_step(definition: Mapping[str, Any]) -> Decimal:
    return decimal_of(definition.get("step", 1)) or Decimal(1)


def full_mark(definition: Mapping[str, Any]) -> Decimal:
    """A panel round's full mark: the sum of its criteria's maxima."""
    return sum((decimal_of(c.get("max")) or Decimal(0) for c in definition.get("criteria") or []), Decimal(0))


def check_rounds(rounds: object, kinds: list[str]) -> Errors:
    """Every problem of ``rounds`` for a campaign of ``kinds``, keyed ``rounds[i].field``."""
    errors: Errors = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not isinstance(rounds, list):
        add("rounds", _("评审轮次必须是列表"))
        return errors
    seen: set[str] = set()
    weights: dict[str, Decimal] = {}
    for i, definition in enumerate(rounds):
        at = f"rounds[{i}]"
        if not isinstance(definition, dict):
            add(at, _("评审轮次必须是对象"))
            continue
        for unknown in sorted(set(definition) - ROUND_KEYS):
            add(f"{at}.{unknown}", _("未知字段"))
        key = definition.get("key")
        if not isinstance(key, str) or not key.strip() or len(key) > 40:
            add(f"{at}.key", _("请填写轮次标识（不超过40个字符）"))
        elif key in seen:
            add(f"{at}.key", _("轮次标识“{key}”重复").format(key=key))
        else:
            seen.add(key)
        if not isinstance(definition.get("name"), str) or not definition["name"].strip():
            add(f"{at}.name", _("请填写轮次名称"))
        round_kinds = definition.get("kinds")
        if not isinstance(round_kinds, list) or not round_kinds:
            add(f"{at}.kinds", _("至少需要一种申报类别"))
            round_kinds = []
        for kind in round_kinds:
            if kind not in kinds:
                add(f"{at}.kinds", _("类别“{kind}”不在本活动的申报类别中").format(kind=kind))
        method = definition.get("method")
        if method not in METHODS:
            add(f"{at}.method", _("评审方式必须是 panel、import 或 vote"))
        weight = decimal_of(definition.get("weight", 0))
        if weight is None or not 0 <= weight <= 100:
            add(f"{at}.weight", _("权重必须是0到100之间的数"))
            weight = Decimal(0)
        for kind in round_kinds:
            if isinstance(kind, str):
                weights[kind] = weights.get(kind, Decimal(0)) + weight
        step = decimal_of(definition.get("step", 1))
        if step is None or step <= 0:
            add(f"{at}.step", _("分值步长必须大于0"))
            step = None
        criteria = definition.get("criteria", [])
        criterion_keys = _check_criteria(criteria, step, f"{at}.criteria", add)
        if method == "panel" and not criterion_keys:
            add(f"{at}.criteria", _("专家评审轮次须设置评分细则"))
        if "trim" in definition and not isinstance(definition["trim"], bool):
            add(f"{at}.trim", _("必须是 true 或 false"))
        if definition.get("normalize") not in (None, "zscore"):
            add(f"{at}.normalize", _("标准化方式只能是 zscore"))
        if definition.get("order") not in (None, "lottery"):
            add(f"{at}.order", _("出场顺序只能是 lottery（抽签）"))
        for name in ("publish_every", "advance"):
            if name in definition and definition[name] is not None and not _positive_int(definition[name]):
                add(f"{at}.{name}", _("必须是正整数"))
        tiebreak = definition.get("tiebreak")
        if tiebreak is not None and tiebreak not in criterion_keys:
            add(f"{at}.tiebreak", _("同分比较项必须是本轮评分细则中的一项"))
        deadline = definition.get("deadline")
        if deadline is not None and not (
            isinstance(deadline, str) and (parse_datetime(deadline) or _safe_date(deadline))
        ):
            add(f"{at}.deadline", _("请使用日期（2024-09-18）或带时区的时间（2024-09-18T17:00:00+08:00）"))
        if "tiers" in definition:
            if method != "vote" or weight != 0:
                add(f"{at}.tiers", _("只有权重为0的网络点赞（vote）轮次可以单独设奖"))
            own_kinds = [k for k in round_kinds if isinstance(k, str)]
            for path, messages in check_tiers(definition["tiers"], own_kinds, text_prize=True).items():
                errors.setdefault(f"{at}.{path}", []).extend(messages)
    for kind, total in weights.items():
        if total != 100:
            add("rounds", _("类别“{kind}”各轮权重之和必须为100（现为{total}）").format(kind=kind, total=total))
    return errors


def _safe_date(value: str) -> object:
    try:
        return parse_date(value)
    except ValueError:
        return None


def _check_criteria(criteria: object, step: Decimal | None, at: str, add: Any) -> set[str]:
    keys: set[str] = set()
    if not isinstance(criteria, list):
        add(at, _("评分细则必须是列表"))
        return keys
    for j, criterion in enumerate(criteria):
        here = f"{at}[{j}]"
        if not isinstance(criterion, dict):
            add(here, _("评分项必须是对象"))
            continue
        for unknown in sorted(set(criterion) - CRITERION_KEYS):
            add(f"{here}.{unknown}", _("未知字段"))
        key = criterion.get("key")
        if not isinstance(key, str) or not key.strip():
            add(f"{here}.key", _("请填写评分项标识"))
        elif key in keys:
            add(f"{here}.key", _("评分项标识“{key}”重复").format(key=key))
        else:
            keys.add(key)
        if not isinstance(criterion.get("name"), str) or not criterion["name"].strip():
            add(f"{here}.name", _("请填写评分项名称"))
        maximum = decimal_of(criterion.get("max"))
        if maximum is None or maximum <= 0:
            add(f"{here}.max", _("满分必须大于0"))
        elif step is not None and maximum % step != 0:
            add(f"{here}.max", _("满分必须是分值步长的整数倍"))
    return keys


def check_tiers(tiers: object, kinds: list[str], *, text_prize: bool = False) -> Errors:
    """Every problem of ``tiers`` (kind → levels), keyed ``tiers.<kind>[i].field``; ``text_prize``
    (a vote round's own list): a prize may also be a short text (a gift, 礼品)."""
    errors: Errors = {}
    if not isinstance(tiers, dict):
        return {"tiers": [_("奖项等次必须是对象（类别 → 等次列表）")]}
    for kind, levels in tiers.items():
        at = f"tiers.{kind}"
        if kind not in kinds:
            errors.setdefault(at, []).append(_("类别“{kind}”不在本活动的申报类别中").format(kind=kind))
        if not isinstance(levels, list) or not levels:
            errors.setdefault(at, []).append(_("至少需要一个奖项等次"))
            continue
        seen: set[str] = set()
        for i, level in enumerate(levels):
            here = f"{at}[{i}]"
            if not isinstance(level, dict):
                errors.setdefault(here, []).append(_("奖项等次必须是对象"))
                continue
            for unknown in sorted(set(level) - TIER_KEYS):
                errors.setdefault(f"{here}.{unknown}", []).append(_("未知字段"))
            key = level.get("key")
            if not isinstance(key, str) or not key.strip():
                errors.setdefault(f"{here}.key", []).append(_("请填写等次标识"))
            elif key in seen:
                errors.setdefault(f"{here}.key", []).append(_("等次标识“{key}”重复").format(key=key))
            else:
                seen.add(key)
            if not isinstance(level.get("name"), str) or not level["name"].strip():
                errors.setdefault(f"{here}.name", []).append(_("请填写等次名称"))
            if not _positive_int(level.get("count")):
                errors.setdefault(f"{here}.count", []).append(_("名额必须是正整数"))
            prize = level.get("prize")
            if text_prize and isinstance(prize, str) and decimal_of(prize) is None:
                if not prize.strip() or len(prize) > 100:
                    errors.setdefault(f"{here}.prize", []).append(_("奖品说明须为1到100个字符"))
            elif prize is not None and ((amount := decimal_of(prize)) is None or amount < 0):
                errors.setdefault(f"{here}.prize", []).append(_("奖金不能为负数"))
    return errors


def check_tier_floors(floors: object, kinds: list[str], field_keys: Mapping[str, set[str]]) -> Errors:
    """``field_keys``: kind → the keys of its form's fields."""
    errors: Errors = {}
    if not isinstance(floors, list):
        return {"tier_floors": [_("必须是列表")]}
    for i, floor in enumerate(floors):
        at = f"tier_floors[{i}]"
        if not isinstance(floor, dict):
            errors.setdefault(at, []).append(_("必须是对象"))
            continue
        for unknown in sorted(set(floor) - FLOOR_KEYS):
            errors.setdefault(f"{at}.{unknown}", []).append(_("未知字段"))
        kind = floor.get("kind")
        if kind not in kinds:
            errors.setdefault(f"{at}.kind", []).append(_("类别不在本活动的申报类别中"))
        elif floor.get("field") not in field_keys.get(kind, set()):
            errors.setdefault(f"{at}.field", []).append(_("该类别的申报表中没有这一项"))
        values = floor.get("values")
        if not isinstance(values, list) or not values:
            errors.setdefault(f"{at}.values", []).append(_("至少需要一个取值"))
        share = decimal_of(floor.get("min_share"))
        if share is None or not 0 < share <= 1:
            errors.setdefault(f"{at}.min_share", []).append(_("比例必须大于0且不超过1"))
    return errors
