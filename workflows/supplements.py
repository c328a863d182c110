"""Supplements after submission (补充材料): documents a submitted nomination adds later, each by its own date.

A campaign's ``supplements`` is a list of ``{"key", "label", "type", "deadline"}`` with, for
``long_text``, an optional ``max_length`` (default 5000) and, for ``files``, optional
``allowed_types`` (default ``["pdf"]``), ``max_count`` (default 5) and ``max_size_mb`` (default 20).
``deadline`` is a date (``"2014-12-30"``: 23:59:59 Beijing time that day) or an ISO date-time.
[003]: the form by 10月30日, the ~1500-character summary (总结材料) by 12月30日.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

LONG_TEXT = "long_text"
FILES = "files"
TYPES = (LONG_TEXT, FILES)
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,27}$")
DEFAULT_MAX_LENGTH = 5000
MAX_LENGTH_LIMIT = 50000
DEFAULT_FILE_TYPES = ["pdf"]
FILE_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "png")
DEFAULT_MAX_COUNT = 5
DEFAULT_MAX_SIZE_MB = 20


def deadline_of(supplement: dict[str, Any]) -> datetime:
    """The instant after which ``supplement`` is refused (a date: the end of that day, Beijing time)."""
    value = str(supplement["deadline"])
    parsed = parse_datetime(value) if "T" in value or " " in value else None
    if parsed is not None:
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    day = parse_date(value)
    assert day is not None, "checked by validate_supplements"
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _deadline_ok(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return (parse_datetime(value) if "T" in value or " " in value else parse_date(value)) is not None
    except ValueError:
        return False


def validate_supplements(value: Any) -> dict[str, list[str]]:
    """Every problem of a campaign's ``supplements`` definition, keyed ``supplements[i].field``."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not isinstance(value, list):
        add("supplements", _("补充材料应为列表"))
        return errors
    seen: set[str] = set()
    for i, item in enumerate(value):
        at = f"supplements[{i}]"
        if not isinstance(item, dict):
            add(at, _("每项补充材料应为对象"))
            continue
        known = {"key", "label", "type", "deadline", "max_length", "allowed_types", "max_count", "max_size_mb"}
        for extra in sorted(set(item) - known):
            add(f"{at}.{extra}", _("未知的设置项"))
        key = item.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            add(f"{at}.key", _("标识须以小写字母开头，由小写字母、数字和下划线组成，不超过 28 个字符"))
        elif key in seen:
            add(f"{at}.key", _("标识“{key}”重复").format(key=key))
        else:
            seen.add(key)
        label = item.get("label")
        if not isinstance(label, str) or not label.strip() or len(label) > 100:
            add(f"{at}.label", _("请填写名称（不超过 100 个字）"))
        kind = item.get("type")
        if kind not in TYPES:
            add(f"{at}.type", _("类型须为 long_text（长文本）或 files（文件）"))
        if not _deadline_ok(item.get("deadline")):
            add(f"{at}.deadline", _("请使用日期（2014-12-30）或带时区的时间"))
        max_length = item.get("max_length")
        if max_length is not None and (
            kind != LONG_TEXT or not isinstance(max_length, int) or not 1 <= max_length <= MAX_LENGTH_LIMIT
        ):
            add(f"{at}.max_length", _("字数上限只用于长文本，须为 1 至 {n}").format(n=MAX_LENGTH_LIMIT))
        allowed = item.get("allowed_types")
        if allowed is not None and (
            kind != FILES or not isinstance(allowed, list) or not allowed or any(t not in FILE_TYPES for t in allowed)
        ):
            add(f"{at}.allowed_types", _("文件类型只用于文件，可选：{types}").format(types="、".join(FILE_TYPES)))
        for name, limit in (("max_count", 20), ("max_size_mb", 100)):
            number = item.get(name)
            if number is not None and (kind != FILES or not isinstance(number, int) or not 1 <= number <= limit):
                add(f"{at}.{name}", _("只用于文件，须为 1 至 {n}").format(n=limit))
    return errors


def find(supplements: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    return next((s for s in supplements if isinstance(s, dict) and s.get("key") == key), None)
