from django.urls import path

from workflows.api import calendar, views

urlpatterns = [
    path("campaigns", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/<id:pk>", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<id:pk>/open", views.CampaignTransitionView.as_view(transition="open"), name="campaign-open"),
    path("campaigns/<id:pk>/close", views.CampaignTransitionView.as_view(transition="close"), name="campaign-close"),
    path(
        "campaigns/<id:pk>/reopen", views.CampaignTransitionView.as_view(transition="reopen"), name="campaign-reopen"
    ),
    path(
        "campaigns/<id:pk>/start-review",
        views.CampaignTransitionView.as_view(transition="start_review"),
        name="campaign-start-review",
    ),
    # The working-day calendar (system administrator edits; README, 公示).
    path("calendar/days", calendar.CalendarDaysView.as_view(), name="calendar-days"),
    path("calendar/days/<str:day>", calendar.CalendarDayDetailView.as_view(), name="calendar-day"),
    path("calendar/years", calendar.CalendarYearsView.as_view(), name="calendar-years"),
    path("calendar/working-days", calendar.WorkingDaysView.as_view(), name="calendar-working-days"),
]
