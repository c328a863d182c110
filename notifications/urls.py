"""Web pages of notifications (the API has its own routes)."""

from django.urls import path

from notifications import web

app_name = "notifications"

urlpatterns = [
    path("notifications/", web.notification_list, name="list"),
    path("notifications/read-all", web.mark_all_read, name="read-all"),
    path("notifications/preferences", web.preferences, name="preferences"),
    path("notifications/<id:pk>/read", web.mark_read, name="read"),
]
