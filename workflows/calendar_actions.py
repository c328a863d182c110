"""The system administrator's edits of the working-day calendar; each atomic and audited.

The audit trail keys them on ("workflows.calendar", "<year>") so that one year's history is
one chain.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from audit.trail import record_event
from config.errors import InvalidInput, NotPermitted
from workflows import audit_events
from workflows.models import CalendarDay, CalendarYear


def _target(year: int) -> tuple[str, str]:
    return ("workflows.calendar", str(year))


def _check(actor: User, year: int) -> None:
    if not permissions.can_edit_calendar(actor):
        raise NotPermitted(target=_target(year))


@transaction.atomic(durable=True)
def set_calendar_day(day: date, *, actor: User, kind: str, name: str = "") -> CalendarDay:
    """Enter or change one holiday or make-up workday (调休上班)."""
    _check(actor, day.year)
    if kind not in CalendarDay.Kind.values:
        raise InvalidInput.for_field("kind", _("类型只能是 holiday 或 workday"), code="invalid_calendar_kind")
    if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        raise InvalidInput.for_field("date", _("调休上班日应为周六或周日"), code="invalid_calendar_day")
    old = CalendarDay.objects.select_for_update().filter(date=day).first()
    before = {"kind": old.kind, "name": old.name} if old else None
    entry, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"kind": kind, "name": name[:100], "source": "admin"}
    )
    record_event(
        audit_events.CALENDAR_DAY_SET,
        actor=actor,
        target=_target(day.year),
        data={"date": day.isoformat(), "old": before, "new": {"kind": kind, "name": entry.name}},
    )
    return entry


@transaction.atomic(durable=True)
def remove_calendar_day(day: date, *, actor: User) -> None:
    """Delete an entered holiday or make-up workday (the day follows the weekday rule again)."""
    _check(actor, day.year)
    old = CalendarDay.objects.select_for_update().filter(date=day).first()
    if old is None:
        from config.errors import NotVisible

        raise NotVisible()
    old.delete()
    record_event(
        audit_events.CALENDAR_DAY_REMOVED,
        actor=actor,
        target=_target(day.year),
        data={"date": day.isoformat(), "old": {"kind": old.kind, "name": old.name}},
    )


@transaction.atomic(durable=True)
def set_calendar_year(year: int, *, actor: User, covered: bool, note: str = "") -> CalendarYear | None:
    """Mark a year's holidays as completely entered (working days may then be counted in it), or not."""
    _check(actor, year)
    if not 2000 <= year <= 2100:
        raise InvalidInput.for_field("year", _("年度应在 2000 到 2100 之间"), code="invalid_calendar_year")
    entry = CalendarYear.objects.select_for_update().filter(year=year).first()
    if covered:
        entry, _created = CalendarYear.objects.update_or_create(
            year=year, defaults={"source": "admin", "note": note[:200]}
        )
    elif entry is not None:
        entry.delete()
        entry = None
    record_event(
        audit_events.CALENDAR_YEAR_SET, actor=actor, target=_target(year), data={"covered": covered, "note": note}
    )
    return entry
