"""Pages of the lottery (抽签) and live results (judging/web_live.py), mounted from config/urls.py."""

from django.urls import path

from judging import web_live

# "<id:…>" is the bigint-bounded converter that accounts/api/urls.py registers.
app_name = "live"

_ROUND = "campaigns/<id:campaign_id>/rounds/<str:key>/live"

urlpatterns = [
    path("draws/<id:pk>", web_live.draw_page, name="draw"),
    path("live/<id:campaign_id>/<str:key>", web_live.scoreboard, name="scoreboard"),
    path(_ROUND, web_live.committee_page, name="committee"),
    path(f"{_ROUND}/commit", web_live.commit, name="commit"),
    path(f"{_ROUND}/draw", web_live.perform, name="perform"),
    path(f"{_ROUND}/publish", web_live.publish, name="publish"),
]
