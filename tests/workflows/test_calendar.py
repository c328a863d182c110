"""The working-day calendar: 调休 weekends, Spring Festival and National Day weeks, year ends, 2027."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from workflows import calendar
from workflows.calendar import CalendarNotCovered
from workflows.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar_seeded() -> None:
    """The migration seeds the table; a test that truncates tables (transaction=True) empties it."""
    calendar.seed_from_chinese_calendar()


def test_seeded_from_chinese_calendar_2004_to_2026() -> None:
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert years == set(range(2004, 2027))
    makeup_2026 = CalendarDay.objects.filter(date__year=2026, kind=CalendarDay.Kind.WORKDAY)
    # notes/features-landscape.md §3.4: the six 2026 make-up working days.
    assert sorted(d.isoformat() for d in makeup_2026.values_list("date", flat=True)) == [
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
    ]  # fmt: skip
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"


def test_publication_day_counts_as_day_one() -> None:
    # 民政部 2022: "公示期为5个工作日（2022年10月31日—11月4日）".
    assert calendar.add_working_days(date(2022, 10, 31), 5) == date(2022, 11, 4)
    # Tianjin 2013: 05-03 to 05-09 across the weekend after Labour Day.
    assert calendar.add_working_days(date(2013, 5, 3), 5) == date(2013, 5, 9)
    assert calendar.add_working_days(date(2022, 10, 31), 5, count_start=False) == date(2022, 11, 7)


def test_makeup_saturday_is_a_working_day() -> None:
    assert calendar.is_workday(date(2026, 2, 14))  # Saturday, 调休上班
    assert not calendar.is_workday(date(2026, 2, 21))  # Saturday inside the Spring Festival
    assert not calendar.is_workday(date(2026, 2, 16))  # Monday, Spring Festival
    assert calendar.is_workday(date(2026, 2, 13))  # an ordinary Friday


def test_spring_festival_week_is_skipped() -> None:
    # Fri 02-13, then the make-up Saturday 02-14, then nothing until Tue 02-24.
    assert calendar.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 14)
    assert calendar.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 24)
    # Published during the holiday: day 1 is the first working day after it.
    assert calendar.add_working_days(date(2026, 2, 15), 1) == date(2026, 2, 24)


def test_national_day_week_ends_on_a_makeup_saturday() -> None:
    # chinese-calendar find_workday(3, 2026-09-30) → 2026-10-10, a Saturday make-up day.
    assert calendar.add_working_days(date(2026, 9, 30), 3, count_start=False) == date(2026, 10, 10)
    assert calendar.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 9)
    assert date(2026, 10, 10).weekday() == 5
    cal = calendar.WorkingDays(2026, 2026)
    assert cal.count_workdays(date(2026, 9, 28), date(2026, 10, 12)) == 7


def test_window_across_a_year_end_with_a_makeup_sunday() -> None:
    # 12-29, 12-30, 12-31, (01-01..01-03 元旦), 01-04 Sunday 调休, 01-05.
    assert calendar.add_working_days(date(2025, 12, 29), 5) == date(2026, 1, 5)
    assert calendar.add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 4)


def test_calendar_days_ignore_holidays() -> None:
    # Taishan [003]: 7 days from publication, the publication day being day 1.
    assert calendar.add_days(date(2025, 12, 28), 7) == date(2026, 1, 3)
    assert calendar.add_days(date(2025, 12, 28), 7, count_start=False) == date(2026, 1, 4)


def test_a_year_without_data_is_refused_not_guessed() -> None:
    with pytest.raises(CalendarNotCovered) as info:
        calendar.add_working_days(date(2026, 12, 28), 5)
    assert info.value.code == "calendar_not_covered"
    assert "2027" in info.value.detail
    assert info.value.status == 409


def test_window_ends_at_235959_beijing_time() -> None:
    start = datetime(2022, 10, 31, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    window = calendar.publicity_window(start, days=5, working_days=True)
    assert window.last_day == date(2022, 11, 4)
    assert timezone.localtime(window.ends_at).isoformat() == "2022-11-04T23:59:59+08:00"
    assert window.starts_at == start


def test_system_admin_enters_2027_over_the_api(system_admin, client_for) -> None:
    api = client_for(system_admin)
    # 2027-01-01 (Friday) a holiday, Saturday 01-02 … ; say Sunday 2027-01-03 is not a make-up day.
    response = api.post(
        "/api/v1/calendar/days", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, format="json"
    )
    assert response.status_code == 200, response.json()
    # Not yet covered: the count still refuses.
    response = api.get("/api/v1/calendar/working-days", {"start": "2026-12-30", "days": 3})
    assert response.status_code == 409
    assert response.json()["code"] == "calendar_not_covered"
    assert api.post("/api/v1/calendar/years", {"year": 2027}, format="json").status_code == 200
    response = api.get("/api/v1/calendar/working-days", {"start": "2026-12-30", "days": 3})
    assert response.status_code == 200
    # 12-30 (Wed), 12-31 (Thu), 01-01 holiday, weekend, 01-04 (Mon).
    assert response.json()["last_day"] == "2027-01-04"
    actions = list(
        AuditEvent.objects.filter(object_type="workflows.calendar", object_id="2027").values_list("action", flat=True)
    )
    assert actions == ["calendar.day_set", "calendar.year_set"]
    assert api.delete("/api/v1/calendar/days/2027-01-01").status_code == 204
    assert not CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()


def test_only_the_system_admin_edits_the_calendar(submitter, security_admin, client_for) -> None:
    for user in (submitter, security_admin):
        response = client_for(user).post(
            "/api/v1/calendar/days", {"date": "2027-02-06", "kind": "holiday"}, format="json"
        )
        assert response.status_code == 403
    assert not CalendarDay.objects.filter(date=date(2027, 2, 6)).exists()


def test_a_makeup_day_must_be_a_weekend_day(system_admin, client_for) -> None:
    response = client_for(system_admin).post(
        "/api/v1/calendar/days", {"date": "2027-02-03", "kind": "workday"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_calendar_day"


def test_system_admin_edits_the_calendar_in_the_admin(client, system_admin) -> None:
    client.force_login(system_admin)
    response = client.post(
        "/admin/workflows/calendarday/add/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    day = CalendarDay.objects.get(date=date(2027, 1, 1))
    assert day.source == "admin"
    response = client.post(
        f"/admin/workflows/calendarday/{day.pk}/change/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦节"}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).name == "元旦节"
    assert client.post("/admin/workflows/calendaryear/add/", {"year": 2027, "note": "国办发明电"}).status_code == 302
    assert calendar.add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 4)
    response = client.post(f"/admin/workflows/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()
    actions = list(
        AuditEvent.objects.filter(object_type="workflows.calendar", object_id="2027").values_list("action", flat=True)
    )
    assert actions == ["calendar.day_set", "calendar.day_set", "calendar.year_set", "calendar.day_removed"]


def test_other_roles_do_not_see_the_calendar_admin(client, security_admin) -> None:
    client.force_login(security_admin)
    assert client.get("/admin/workflows/calendarday/").status_code == 403
