"""Template filters of the web pages."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.dates import official_time

register = template.Library()


@register.filter
def local_iso(value: str) -> str:
    """An ISO 8601 time (as the public verification data carries it) in Beijing time, to the minute."""
    moment = parse_datetime(value or "")
    if moment is None:
        return value
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@register.filter
def official(value: datetime | str | None, arg: str = "") -> str:
    """``{{ moment|official }}`` → 2026年12月2日8时35分 (Beijing time); ``{{ end|official:"end" }}`` for
    the end of a period, where midnight is the day before's 24时 (``config.dates.official_time``)."""
    return official_time(value, end=arg == "end")
