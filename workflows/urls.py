"""Web pages of campaigns: the list (where units start a nomination) and a campaign's address."""

from django.urls import path

from workflows import web

app_name = "workflows"

urlpatterns = [
    path("campaigns/", web.campaign_list, name="campaigns"),
    path("campaigns/<id:pk>/", web.campaign_page, name="campaign"),
    path("campaigns/<id:pk>/status", web.change_status, name="change-status"),
]
