"""Filters of the message templates (templates/notifications/*.txt)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def quoted(value: object) -> str:
    """``value`` in Chinese double quotes, its own double quotes turned single (GB/T 15834: a quote
    inside a quote takes the single marks), so a title such as “红色义工”志愿服务 reads
    “‘红色义工’志愿服务”, not ““红色义工”志愿服务”."""
    text = str(value).replace("“", "‘").replace("”", "’")
    return f"“{text}”"
