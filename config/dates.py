"""Dates and times as officials write them (2026年12月2日8时35分, 2026年12月4日24时), in Beijing time.

One formatter for the web pages (the ``official`` template filter of ``approvals/templatetags``),
messages and refusals, so a window reads the same everywhere.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def official_time(value: datetime | str | None, *, end: bool = False) -> str:
    """A moment as officials write it, in Beijing time (``TIME_ZONE``, Asia/Shanghai).

    ``2026年12月2日8时35分``, ``2026年12月2日8时`` on the hour, ``2026年12月2日`` at midnight. The
    last second of a day (23:59:59) is ``2026年12月4日24时``, and so is the next midnight when the
    moment ends a period (``end``): a window that runs to 2026-12-05 00:00 ends 2026年12月4日24时.
    An ISO 8601 string is read first; anything else unreadable is returned as it is.
    """
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return "" if value is None else str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    clock = moment.time().replace(microsecond=0)
    day = moment.date()
    if clock == time(23, 59, 59) or (end and clock == time(0, 0)):
        if clock == time(0, 0):
            day -= timedelta(days=1)
        return f"{day.year}年{day.month}月{day.day}日24时"
    text = f"{day.year}年{day.month}月{day.day}日"
    if clock.hour == 0 and clock.minute == 0:
        return text
    return text + f"{clock.hour}时" + (f"{clock.minute}分" if clock.minute else "")
