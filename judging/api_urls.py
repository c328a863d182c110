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
