"""Dates as officials write them, in Beijing time (config.dates.official_time, the ``official`` filter)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template

from config.dates import official_time

BEIJING = ZoneInfo("Asia/Shanghai")


def test_a_moment_reads_with_hours_and_minutes_in_beijing_time() -> None:
    # 00:35 UTC is 8:35 in Beijing.
    assert official_time(datetime(2026, 12, 2, 0, 35, tzinfo=UTC)) == "2026年12月2日8时35分"
    assert official_time(datetime(2026, 12, 2, 8, 0, tzinfo=BEIJING)) == "2026年12月2日8时"
    assert official_time(datetime(2026, 12, 2, 0, 0, tzinfo=BEIJING)) == "2026年12月2日"


def test_the_last_second_of_a_day_and_an_ending_midnight_are_24时() -> None:
    assert official_time(datetime(2026, 12, 4, 23, 59, 59, tzinfo=BEIJING)) == "2026年12月4日24时"
    assert official_time(datetime(2026, 12, 5, 0, 0, tzinfo=BEIJING), end=True) == "2026年12月4日24时"
    assert official_time(datetime(2026, 12, 5, 0, 0, tzinfo=BEIJING)) == "2026年12月5日"


def test_iso_text_as_the_public_list_carries_it() -> None:
    assert official_time("2026-12-02T08:35:00+08:00") == "2026年12月2日8时35分"
    assert official_time("not a date") == "not a date"
    assert official_time(None) == ""


def test_the_template_filter_writes_a_window() -> None:
    template = Template('{% load sealflow %}{{ start|official }} 至 {{ end|official:"end" }}')
    text = template.render(Context({"start": "2026-12-02T00:00:00+08:00", "end": "2026-12-04T23:59:59+08:00"}))
    assert text == "2026年12月2日 至 2026年12月4日24时"
