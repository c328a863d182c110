from django.urls import path

from workflows.api import calendar

# The campaigns' own endpoints are approvals.api.campaigns: their responses carry the quota usage.
urlpatterns = [
    # The working-day calendar (system administrator edits; README, 公示).
    path("calendar/days", calendar.CalendarDaysView.as_view(), name="calendar-days"),
    path("calendar/days/<str:day>", calendar.CalendarDayDetailView.as_view(), name="calendar-day"),
    path("calendar/years", calendar.CalendarYearsView.as_view(), name="calendar-years"),
    path("calendar/working-days", calendar.WorkingDaysView.as_view(), name="calendar-working-days"),
]
