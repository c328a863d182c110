"""Web pages of judging (评审): the judges' tasks and sheets, the committee's rounds (judging/web.py)."""

from django.urls import path

from judging import web

app_name = "judging"

_ROUND = "campaigns/<id:pk>/judging/<str:key>"

urlpatterns = [
    path("judging/", web.my_assignments, name="mine"),
    path("judging/assignments/<id:pk>/", web.sheet_page, name="sheet"),
    path("judging/assignments/<id:pk>/autosave", web.autosave, name="autosave"),
    path("judging/assignments/<id:pk>/submit", web.submit, name="submit"),
    path("judging/assignments/<id:pk>/recuse", web.recuse, name="recuse"),
    path("judging/rounds/<id:round_id>/judges/<id:judge_id>/sheet.pdf", web.judge_sheet_pdf, name="judge-sheet-pdf"),
    path("campaigns/<id:pk>/judging/", web.campaign_judging, name="campaign"),
    path(f"{_ROUND}/", web.round_page, name="round"),
    path(f"{_ROUND}/panel", web.set_up_panel, name="panel"),
    path(f"{_ROUND}/urge", web.urge, name="urge"),
    path(f"{_ROUND}/close", web.close, name="close"),
    path(f"{_ROUND}/ties", web.resolve_tie, name="ties"),
    path(f"{_ROUND}/import", web.import_scores, name="import"),
    path(f"{_ROUND}/results.xlsx", web.results_xlsx, name="results-xlsx"),
    path(f"{_ROUND}/summary.pdf", web.summary_pdf, name="summary-pdf"),
]
