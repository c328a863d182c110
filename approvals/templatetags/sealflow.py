"""Template filters of the web pages."""

from __future__ import annotations

from datetime import datetime

from django import template

from config.dates import official_time

register = template.Library()


@register.filter
def official(value: datetime | str | None, arg: str = "") -> str:
    """``{{ moment|official }}`` → 2026年12月2日8时35分 (Beijing time); ``{{ end|official:"end" }}`` for
    the end of a period, where midnight is the day before's 24时 (``config.dates.official_time``)."""
    return official_time(value, end=arg == "end")
