"""The public likes page (no account)."""

from django.urls import path

from voting import web

app_name = "voting"

urlpatterns = [
    path("vote/<id:campaign_id>", web.vote_page, name="vote-page"),
]
