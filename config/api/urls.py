from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("audit.api_urls")),
    path("", include("workflows.api.urls")),
    path("", include("approvals.api.urls")),
    path("", include("judging.api_urls")),
    path("", include("awards.api_urls")),
    path("", include("voting.api_urls")),
    path("", include("notifications.api.urls")),
]
