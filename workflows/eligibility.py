"""Eligibility rules as data, checked when a nomination is submitted.

A campaign holds, per nomination kind, a JSON-able list of rules, for example::

    [{"type": "min_number", "field": "years_in_post", "min": 2},
     {"type": "max_count", "field": "members", "max": 5, "message": "团队成员不超过 5 人"}]

``validate_rules`` checks a list written by a campaign admin; ``check_eligibility`` returns one
Chinese message per rule a nomination's form data fails. Pure Python: no ORM, no database.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Any, Final, TypeAlias, cast

from django.utils.translation import gettext as _

from workflows import forms
from workflows.forms import Errors, parse_boolean, parse_date, parse_number

# Rule types.
MIN_NUMBER: Final = "min_number"  # ≥ 2 years in post [002]
MUST_BE_TRUE: Final = "must_be_true"  # still in post [002]
WITHIN_LAST_YEARS: Final = "within_last_years"  # carried out within the last 3 years [000]
DATE_BETWEEN: Final = "date_between"  # within 2013-09 to 2014-12 [003]
MIN_DURATION_MONTHS: Final = "min_duration_months"  # running for at least half a year [003]
MAX_COUNT: Final = "max_count"  # a team of at most 5 [000]
MAX_TOTAL_CHARS: Final = "max_total_chars"  # text of at most 5000 characters [001]

RULE_TYPES: Final[tuple[str, ...]] = (
    MIN_NUMBER,
    MUST_BE_TRUE,
    WITHIN_LAST_YEARS,
    DATE_BETWEEN,
    MIN_DURATION_MONTHS,
    MAX_COUNT,
    MAX_TOTAL_CHARS,
)

# Required and optional parameters of each rule type, besides "type" and "message".
_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    MIN_NUMBER: ("field", "min"),
    MUST_BE_TRUE: ("field",),
    WITHIN_LAST_YEARS: ("field", "years"),
    DATE_BETWEEN: ("field", "from", "to"),
    MIN_DURATION_MONTHS: ("start_field", "months"),
    MAX_COUNT: ("field", "max"),
    MAX_TOTAL_CHARS: ("fields", "max"),
}
_OPTIONAL: Final[dict[str, tuple[str, ...]]] = {MIN_DURATION_MONTHS: ("end_field",)}

# Form field types each rule can be applied to (checked when validate_rules gets {key: type}).
_FIELD_TYPES: Final[dict[str, tuple[str, ...]]] = {
    MIN_NUMBER: (forms.NUMBER,),
    MUST_BE_TRUE: (forms.BOOLEAN,),
    WITHIN_LAST_YEARS: (forms.DATE,),
    DATE_BETWEEN: (forms.DATE,),
    MIN_DURATION_MONTHS: (forms.DATE,),
    MAX_COUNT: (forms.PERSON_LIST, forms.FILES, forms.IMAGES, forms.CHOICE),
    MAX_TOTAL_CHARS: (forms.TEXT, forms.LONG_TEXT),
}

MAX_MESSAGE_LENGTH: Final = 500
MAX_YEARS: Final = 100
MAX_MONTHS: Final = 1200


class InvalidRules(ValueError):
    """Raised by ``check_eligibility`` when the rules do not pass ``validate_rules``."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(f"invalid eligibility rules: {errors}")
        self.errors = errors


def _add(errors: Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _int_between(value: object, minimum: int, maximum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum


def _is_real(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by ``months`` calendar months, clamped to the month's last day (1-31 + 1 → 2-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------------------------------------------------
# Rule definitions


def validate_rules(rules: object, form_keys: Collection[str] | Mapping[str, str] | None = None) -> Errors:
    """Check a list of eligibility rules written by a campaign admin.

    Returns ``{error_key: [message, ...]}`` with keys like ``"rules"``, ``"rules[0]"``, ``"rules[0].field"``;
    empty means valid. With ``form_keys`` (the form's top-level keys), every referenced field must exist;
    with a mapping ``{key: field type}`` (``forms.field_types(definition)``) the field's type must also
    suit the rule (a number for min_number, a date for the date rules, …).
    """
    errors: Errors = {}
    if not isinstance(rules, list):
        _add(errors, "rules", _("资格条件须为规则列表"))
        return errors
    for index, rule in enumerate(rules):
        _check_rule_definition(rule, f"rules[{index}]", form_keys, errors)
    return errors


def _check_rule_definition(
    rule: object, path: str, form_keys: Collection[str] | Mapping[str, str] | None, errors: Errors
) -> None:
    if not isinstance(rule, Mapping):
        _add(errors, path, _("规则须为一个对象"))
        return
    rule_type = rule.get("type")
    if rule_type not in RULE_TYPES:
        if rule_type is None:
            _add(errors, f"{path}.type", _("规则缺少类型 type"))
        else:
            _add(errors, f"{path}.type", _("未知的规则类型“{type}”").format(type=rule_type))
        return
    required = _REQUIRED[rule_type]
    allowed = {"type", "message", *required, *_OPTIONAL.get(rule_type, ())}
    for key in rule:
        if key not in allowed:
            _add(errors, f"{path}.{key}", _("规则“{type}”不支持属性“{key}”").format(type=rule_type, key=key))
    for key in required:
        if key not in rule:
            _add(errors, f"{path}.{key}", _("规则“{type}”缺少属性“{key}”").format(type=rule_type, key=key))
    if "message" in rule:
        message = rule["message"]
        if not isinstance(message, str) or not message.strip() or len(message) > MAX_MESSAGE_LENGTH:
            _add(
                errors,
                f"{path}.message",
                _("规则的提示语 message 须为不超过 {max} 个字的非空文本").format(max=MAX_MESSAGE_LENGTH),
            )

    def check_field(key: str, value: object) -> None:
        if not isinstance(value, str) or not value:
            _add(errors, f"{path}.{key}", _("规则的 {key} 须为字段标识").format(key=key))
        elif form_keys is not None and value not in form_keys:
            _add(errors, f"{path}.{key}", _("表单中没有字段“{field}”").format(field=value))
        elif isinstance(form_keys, Mapping) and form_keys[value] not in _FIELD_TYPES[rule_type]:
            _add(
                errors,
                f"{path}.{key}",
                _("规则“{type}”不能用于类型为 {field_type} 的字段“{field}”").format(
                    type=rule_type, field_type=form_keys[value], field=value
                ),
            )

    def check_int(key: str, minimum: int, maximum: int) -> None:
        if not _int_between(rule.get(key), minimum, maximum):
            _add(
                errors,
                f"{path}.{key}",
                _("规则的 {key} 须为 {min} 到 {max} 之间的整数").format(key=key, min=minimum, max=maximum),
            )

    for key in ("field", "start_field", "end_field"):
        if key in rule:
            check_field(key, rule[key])

    if rule_type == MIN_NUMBER and "min" in rule:
        if not _is_real(rule["min"]):
            _add(errors, f"{path}.min", _("规则的 min 须为数字"))
    elif rule_type == WITHIN_LAST_YEARS and "years" in rule:
        check_int("years", 1, MAX_YEARS)
    elif rule_type == DATE_BETWEEN:
        bounds: dict[str, date] = {}
        for key in ("from", "to"):
            if key in rule:
                parsed = parse_date(rule[key]) if isinstance(rule[key], str) else None
                if parsed is None:
                    _add(errors, f"{path}.{key}", _("规则的 {key} 须为 YYYY-MM-DD 格式的日期").format(key=key))
                else:
                    bounds[key] = parsed
        if len(bounds) == 2 and bounds["from"] > bounds["to"]:
            _add(errors, f"{path}.to", _("规则的结束日期不能早于开始日期"))
    elif rule_type == MIN_DURATION_MONTHS:
        if "months" in rule:
            check_int("months", 1, MAX_MONTHS)
        if "end_field" in rule and rule.get("end_field") == rule.get("start_field"):
            _add(errors, f"{path}.end_field", _("规则的开始字段和结束字段不能相同"))
    elif rule_type == MAX_COUNT and "max" in rule:
        check_int("max", 0, forms.HARD_MAX_ITEMS)
    elif rule_type == MAX_TOTAL_CHARS:
        if "max" in rule:
            check_int("max", 1, forms.HARD_MAX_TEXT_LENGTH)
        if "fields" in rule:
            fields = rule["fields"]
            if not isinstance(fields, list) or not fields:
                _add(errors, f"{path}.fields", _("规则的 fields 须为非空的字段列表"))
            else:
                for field in fields:
                    check_field("fields", field)
                if all(isinstance(field, str) for field in fields) and len(set(fields)) != len(fields):
                    _add(errors, f"{path}.fields", _("规则的 fields 有重复"))


# ---------------------------------------------------------------------------------------------------------------------
# Checking


def check_eligibility(
    rules: object,
    data: Mapping[str, object],
    *,
    today: date,
    labels: Mapping[str, str] | None = None,
) -> list[str]:
    """Return one Chinese message per rule that ``data`` (a nomination's form values) fails; empty = eligible.

    ``today`` is the submission date. ``labels`` (``forms.field_labels(definition)``) names fields in
    messages; without it the keys are used. A rule's own ``"message"`` replaces the default message,
    whatever the reason of the failure. A missing or blank value fails the rule with a message saying
    so, except for the upper bounds ``max_count`` and ``max_total_chars``, where nothing counts as 0.
    ``min_duration_months`` measures up to the submission date when it has no ``end_field`` or when
    that field is blank (a project still running). Dates are "YYYY-MM-DD" strings or ``date`` objects.

    Raises ``InvalidRules`` if the rules do not pass ``validate_rules``.
    """
    errors = validate_rules(rules)
    if errors:
        raise InvalidRules(errors)
    names = labels or {}

    def label(key: str) -> str:
        return names.get(key) or key

    failures: list[str] = []
    for rule in cast(list[Mapping[str, Any]], rules):
        failure = _CHECKERS[rule["type"]](rule, data, today, label)
        if failure is not None:
            custom = rule.get("message")
            failures.append(custom.strip() if isinstance(custom, str) else failure)
    return failures


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list) and not value)


def _missing(label: str) -> str:
    return _("“{label}”未填写").format(label=label)


def _fmt(number: float) -> str:
    return str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)


_Label: TypeAlias = Callable[[str], str]


def _check_min_number(rule: Mapping[str, Any], data: Mapping[str, object], today: date, label: _Label) -> str | None:
    name = label(rule["field"])
    value = data.get(rule["field"])
    if _blank(value):
        return _missing(name)
    number = parse_number(value)
    if number is None:
        return _("“{label}”须为数字").format(label=name)
    if number < rule["min"]:
        return _("“{label}”须不少于 {min}（现为 {value}）").format(
            label=name, min=_fmt(rule["min"]), value=_fmt(number)
        )
    return None


def _check_must_be_true(rule: Mapping[str, Any], data: Mapping[str, object], today: date, label: _Label) -> str | None:
    name = label(rule["field"])
    value = data.get(rule["field"])
    if _blank(value):
        return _missing(name)
    if parse_boolean(value) is not True:
        return _("“{label}”须为“是”").format(label=name)
    return None


def _date_of(rule: Mapping[str, Any], key: str, data: Mapping[str, object], label: _Label) -> date | str:
    """Return the date in the rule's field ``key``, or the failure message."""
    name = label(rule[key])
    value = data.get(rule[key])
    if _blank(value):
        return _missing(name)
    parsed = parse_date(value)
    if parsed is None:
        return _("“{label}”不是有效的日期").format(label=name)
    return parsed


def _years_before(day: date, years: int) -> date:
    return add_months(day, -12 * years)


def _check_within_last_years(
    rule: Mapping[str, Any], data: Mapping[str, object], today: date, label: _Label
) -> str | None:
    value = _date_of(rule, "field", data, label)
    if isinstance(value, str):
        return value
    earliest = _years_before(today, rule["years"])
    name = label(rule["field"])
    if value < earliest:
        return _("“{label}”须在近 {years} 年内（不早于 {earliest}）").format(
            label=name, years=rule["years"], earliest=earliest.isoformat()
        )
    if value > today:
        return _("“{label}”不能晚于申报日期 {today}").format(label=name, today=today.isoformat())
    return None


def _check_date_between(rule: Mapping[str, Any], data: Mapping[str, object], today: date, label: _Label) -> str | None:
    value = _date_of(rule, "field", data, label)
    if isinstance(value, str):
        return value
    if not date.fromisoformat(rule["from"]) <= value <= date.fromisoformat(rule["to"]):
        return _("“{label}”须在 {start} 至 {end} 之间").format(
            label=label(rule["field"]), start=rule["from"], end=rule["to"]
        )
    return None


def _check_min_duration_months(
    rule: Mapping[str, Any], data: Mapping[str, object], today: date, label: _Label
) -> str | None:
    start = _date_of(rule, "start_field", data, label)
    if isinstance(start, str):
        return start
    end_key = rule.get("end_field")
    # Without an end (no end field, or a blank one: still running) the duration runs to the submission date.
    until_submission = end_key is None or _blank(data.get(end_key))
    end = today
    if not until_submission:
        parsed = _date_of(rule, "end_field", data, label)
        if isinstance(parsed, str):
            return parsed
        end = parsed
    if add_months(start, rule["months"]) <= end:
        return None
    if until_submission:
        return _("自“{start}”至申报之日须满 {months} 个月").format(
            start=label(rule["start_field"]), months=rule["months"]
        )
    return _("“{start}”至“{end}”须满 {months} 个月").format(
        start=label(rule["start_field"]), end=label(rule["end_field"]), months=rule["months"]
    )


def _check_max_count(rule: Mapping[str, Any], data: Mapping[str, object], today: date, label: _Label) -> str | None:
    value = data.get(rule["field"])
    name = label(rule["field"])
    if _blank(value):
        return None  # nothing is within any upper bound; whether the field is required is the form's business
    if not isinstance(value, list):
        return _("“{label}”格式不正确").format(label=name)
    if len(value) > rule["max"]:
        return _("“{label}”最多 {max} 个（现有 {count} 个）").format(label=name, max=rule["max"], count=len(value))
    return None


def _check_max_total_chars(
    rule: Mapping[str, Any], data: Mapping[str, object], today: date, label: _Label
) -> str | None:
    total = 0
    for key in rule["fields"]:
        value = data.get(key)
        if isinstance(value, str):
            total += len(value.strip())
        elif value is not None:
            total += len(str(value))
    if total > rule["max"]:
        names = "".join(f"“{label(key)}”" for key in rule["fields"])
        if len(rule["fields"]) == 1:
            return _("{fields}不能超过 {max} 个字（现为 {count} 个字）").format(
                fields=names, max=rule["max"], count=total
            )
        return _("{fields}合计不能超过 {max} 个字（现为 {count} 个字）").format(
            fields=names, max=rule["max"], count=total
        )
    return None


_CHECKERS: Final[dict[str, Callable[[Mapping[str, Any], Mapping[str, object], date, _Label], str | None]]] = {
    MIN_NUMBER: _check_min_number,
    MUST_BE_TRUE: _check_must_be_true,
    WITHIN_LAST_YEARS: _check_within_last_years,
    DATE_BETWEEN: _check_date_between,
    MIN_DURATION_MONTHS: _check_min_duration_months,
    MAX_COUNT: _check_max_count,
    MAX_TOTAL_CHARS: _check_max_total_chars,
}
