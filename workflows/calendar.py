"""The Chinese working-day calendar: which days are working days, and where a 公示 window ends.

A day is a working day when it is a make-up workday (调休上班), or a Monday to Friday that is not
a statutory holiday. The exceptions live in ``CalendarDay`` (seeded from ``chinese-calendar``,
whose data ends with 2026; later years are entered by the system administrator). A count that
reaches a year not marked covered in ``CalendarYear`` is refused with ``calendar_not_covered``
instead of guessing (notes/features-landscape.md §3.4).

Windows (notes/features-landscape.md §3.1): the publication day is day 1 by default (both ends
inclusive: 2022-10-31 to 11-04 is 5 working days); a window of N working days ends at 23:59:59
Beijing time on its N-th working day. ``starts_at``/``ends_at`` are stored once, at the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import StateConflict
from workflows.models import CalendarDay, CalendarYear

# How far a count may run before it is surely a mistake (a year of working days is ~250).
MAX_COUNT = 366


class CalendarNotCovered(StateConflict):
    """The count reaches a year whose holidays are not entered yet."""

    code = "calendar_not_covered"
    message = gettext_lazy("该年度的法定节假日和调休安排尚未录入，无法按工作日计算")


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime
    first_day: date
    last_day: date


class WorkingDays:
    """The calendar of a range of years, loaded in one query; refuses days outside covered years."""

    def __init__(self, first_year: int, last_year: int) -> None:
        self.covered = set(
            CalendarYear.objects.filter(year__gte=first_year, year__lte=last_year).values_list("year", flat=True)
        )
        self.exceptions = dict(
            CalendarDay.objects.filter(date__year__gte=first_year, date__year__lte=last_year).values_list(
                "date", "kind"
            )
        )

    def is_workday(self, day: date) -> bool:
        if day.year not in self.covered:
            raise CalendarNotCovered(
                _("{year} 年的法定节假日和调休安排尚未录入，无法按工作日计算；请系统管理员先录入").format(
                    year=day.year
                )
            )
        kind = self.exceptions.get(day)
        if kind == CalendarDay.Kind.WORKDAY:
            return True
        if kind == CalendarDay.Kind.HOLIDAY:
            return False
        return day.weekday() < 5

    def nth_workday(self, start: date, n: int, *, count_start: bool = True) -> date:
        """The ``n``-th working day counting from ``start`` (``start`` itself is day 1 when it works)."""
        if not 1 <= n <= MAX_COUNT:
            raise ValueError("n must be between 1 and MAX_COUNT")
        day = start if count_start else start + timedelta(days=1)
        seen = 0
        while True:
            if self.is_workday(day):
                seen += 1
                if seen == n:
                    return day
            day += timedelta(days=1)

    def count_workdays(self, first: date, last: date) -> int:
        """Working days from ``first`` to ``last``, both included."""
        total, day = 0, first
        while day <= last:
            total += self.is_workday(day)
            day += timedelta(days=1)
        return total


# chinese-calendar names its holidays in English; the calendar shows them in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def seed_from_chinese_calendar() -> int:
    """Enter every holiday and make-up workday chinese-calendar knows; idempotent, keeps admin edits.

    The migration seeds the table; this is for a database whose rows were flushed (tests that
    truncate tables) or for ``manage.py seed_calendar`` after an upgrade of chinese-calendar.
    """
    import chinese_calendar  # type: ignore[import-untyped]

    rows = [
        CalendarDay(date=d, kind=kind, name=HOLIDAY_NAMES.get(str(n), str(n)), source="chinese-calendar")
        for kind, table in ((CalendarDay.Kind.HOLIDAY, chinese_calendar.holidays),
                            (CalendarDay.Kind.WORKDAY, chinese_calendar.workdays))
        for d, n in table.items()
    ]  # fmt: skip
    created = CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    years = sorted({d.year for d in chinese_calendar.holidays})
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="chinese-calendar", note=f"chinese-calendar {chinese_calendar.__version__}")
         for y in years],
        ignore_conflicts=True,
    )  # fmt: skip
    return len(created)


def _calendar_for(start: date, n: int) -> WorkingDays:
    # n working days never span more than n weeks plus the longest holiday run; a year more is safe.
    last = start + timedelta(days=2 * n + 30)
    return WorkingDays(start.year, last.year)


def is_workday(day: date) -> bool:
    return WorkingDays(day.year, day.year).is_workday(day)


def add_working_days(start: date, n: int, *, count_start: bool = True) -> date:
    """The last day of a window of ``n`` working days published on ``start``."""
    return _calendar_for(start, n).nth_workday(start, n, count_start=count_start)


def add_days(start: date, n: int, *, count_start: bool = True) -> date:
    """The last day of a window of ``n`` calendar days published on ``start``."""
    if not 1 <= n <= MAX_COUNT:
        raise ValueError("n must be between 1 and MAX_COUNT")
    return start + timedelta(days=n - 1 if count_start else n)


def end_of_day(day: date) -> datetime:
    """23:59:59 of ``day``, Beijing time."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def publicity_window(starts_at: datetime, *, days: int, working_days: bool, count_start: bool = True) -> Window:
    """The window that opens at ``starts_at`` and lasts ``days`` (working) days, ends included."""
    first = timezone.localtime(starts_at).date()
    last = (
        add_working_days(first, days, count_start=count_start)
        if working_days
        else add_days(first, days, count_start=count_start)
    )
    return Window(starts_at=starts_at, ends_at=end_of_day(last), first_day=first, last_day=last)
