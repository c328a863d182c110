"""Public likes endpoints under /api/v1/ (api.md, Public voting (点赞))."""

from django.urls import path

from voting import api

urlpatterns = [
    path("campaigns/<id:pk>/voting", api.CampaignVotingView.as_view(), name="campaign-voting"),
    path("voting/<id:pk>/close", api.VotingCloseView.as_view(), name="voting-close"),
    path("voting/<id:pk>/anomalies", api.VotingAnomaliesView.as_view(), name="voting-anomalies"),
    path("voting/<id:pk>/void", api.VotingVoidView.as_view(), name="voting-void"),
    path("public/votes/code", api.PublicVoteCodeView.as_view(), name="public-vote-code"),
    path("public/votes", api.PublicVotesView.as_view(), name="public-votes"),
    path("public/campaigns/<id:pk>/votes", api.PublicStandingsView.as_view(), name="public-campaign-votes"),
]
