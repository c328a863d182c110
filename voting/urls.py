"""The public likes page (no account) and the committee's pages (网络点赞管理)."""

from django.urls import path

from voting import web

app_name = "voting"

urlpatterns = [
    path("vote/<id:campaign_id>", web.vote_page, name="vote-page"),
    path("campaigns/<id:pk>/voting", web.committee_voting, name="committee"),
    path("campaigns/<id:pk>/voting/open", web.committee_open, name="committee-open"),
    path("campaigns/<id:pk>/voting/<id:window_id>", web.committee_window, name="committee-window"),
    path("campaigns/<id:pk>/voting/<id:window_id>/void", web.committee_void, name="committee-void"),
    path("campaigns/<id:pk>/voting/<id:window_id>/close", web.committee_close, name="committee-close"),
]
