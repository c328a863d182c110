"""Awards endpoints under /api/v1/ (api.md, Judging, awards and results: "Awards")."""

from django.urls import path

from awards import api

urlpatterns = [
    path("campaigns/<id:pk>/awards", api.AwardListView.as_view(), name="award-list"),
    path("campaigns/<id:pk>/awards/allocate", api.AllocateView.as_view(), name="awards-allocate"),
    path("campaigns/<id:pk>/awards/proposal", api.ProposalView.as_view(), name="awards-proposal"),
    path("campaigns/<id:pk>/awards/confirm", api.ConfirmView.as_view(), name="awards-confirm"),
    path("campaigns/<id:pk>/awards/intake", api.IntakeView.as_view(), name="awards-intake"),
    path("awards/<id:pk>/decline", api.DeclineView.as_view(), name="award-decline"),
    path("awards/<id:pk>/pass-down", api.PassDownView.as_view(), name="award-pass-down"),
]
urlpatterns += [
    path("awards/<id:pk>/certificate", api.CertificateView.as_view(), name="award-certificate"),
    path("awards/<id:pk>/paid", api.PaidView.as_view(), name="award-paid"),
    path("campaigns/<id:pk>/certificates", api.CampaignCertificatesView.as_view(), name="award-certificates"),
    path(
        "campaigns/<id:pk>/certificates.zip", api.CampaignCertificatesZipView.as_view(), name="award-certificates-zip"
    ),
    path("campaigns/<id:pk>/statistics", api.StatisticsView.as_view(), name="campaign-statistics"),
    path("campaigns/<id:pk>/result-notice", api.ResultNoticeView.as_view(), name="result-notice"),
    path("campaigns/<id:pk>/result-notice.pdf", api.ResultNoticePdfView.as_view(), name="result-notice-pdf"),
    path("campaigns/<id:pk>/prize-ledger.xlsx", api.PrizeLedgerView.as_view(), name="prize-ledger"),
    path("campaigns/<id:pk>/casebook", api.CaseBookView.as_view(), name="casebook"),
    path("campaigns/<id:pk>/casebook.docx", api.CaseBookDocxView.as_view(), name="casebook-docx"),
]
