"""Judging endpoints under /api/v1/ (api.md, Judging, awards and results)."""

from django.urls import path

from judging import api

_ROUND = "campaigns/<id:pk>/rounds/<str:key>"

urlpatterns = [
    path(f"{_ROUND}/panel", api.PanelView.as_view(), name="round-panel"),
    path(f"{_ROUND}/scores", api.ScoresImportView.as_view(), name="round-scores-import"),
    path(f"{_ROUND}/close", api.CloseView.as_view(), name="round-close"),
    path(f"{_ROUND}/results", api.ResultsView.as_view(), name="round-results"),
    path(f"{_ROUND}/progress", api.ProgressView.as_view(), name="round-progress"),
    path(f"{_ROUND}/ties", api.TieView.as_view(), name="round-ties"),
    path(f"{_ROUND}/urge", api.UrgeView.as_view(), name="round-urge"),
    path("judging/assignments", api.AssignmentListView.as_view(), name="assignment-list"),
    path("judging/assignments/<id:pk>", api.AssignmentDetailView.as_view(), name="assignment-detail"),
    path("judging/assignments/<id:pk>/score", api.ScoreView.as_view(), name="assignment-score"),
    path("judging/assignments/<id:pk>/submit", api.SubmitView.as_view(), name="assignment-submit"),
    path("judging/assignments/<id:pk>/recuse", api.RecuseView.as_view(), name="assignment-recuse"),
    path("judging/assignments/<id:pk>/corrections", api.CorrectionView.as_view(), name="assignment-corrections"),
]

# The lottery (抽签) and live results (judging/api_live.py).
from judging import api_live  # noqa: E402

urlpatterns += [
    path(f"{_ROUND}/draw/commit", api_live.DrawCommitView.as_view(), name="round-draw-commit"),
    path(f"{_ROUND}/draw", api_live.DrawView.as_view(), name="round-draw"),
    path(f"{_ROUND}/publish", api_live.PublishView.as_view(), name="round-publish"),
    path("public/draws/<id:pk>", api_live.PublicDrawView.as_view(), name="public-draw"),
    path("public/campaigns/<id:pk>/rounds/<str:key>/scores", api_live.PublicScoresView.as_view(),
         name="public-round-scores"),
]  # fmt: skip
