"""Template filters of the web pages."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def local_iso(value: str) -> str:
    """An ISO 8601 time (as the public verification data carries it) in Beijing time, to the minute."""
    moment = parse_datetime(value or "")
    if moment is None:
        return value
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
