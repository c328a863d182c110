"""Web pages of awards: the public verify pages; the committee's statistics, case book and awards pages."""

from django.urls import path

from awards import web

app_name = "awards"

urlpatterns = [
    path("verify/certificate/<str:code>", web.certificate_verify, name="certificate-verify"),
    path("verify/notice/<str:code>", web.notice_verify, name="notice-verify"),
    path("campaigns/<id:pk>/statistics", web.campaign_statistics, name="statistics"),
    path("campaigns/<id:pk>/statistics.xlsx", web.campaign_statistics_xlsx, name="statistics-xlsx"),
    path("campaigns/<id:pk>/casebook/", web.casebook_page, name="casebook"),
    path("campaigns/<id:pk>/casebook/build", web.casebook_build, name="casebook-build"),
    path("campaigns/<id:pk>/casebook/progress", web.casebook_progress, name="casebook-progress"),
    path("campaigns/<id:pk>/casebook/casebook.pdf", web.casebook_file, {"kind": "pdf"}, name="casebook-pdf"),
    path("campaigns/<id:pk>/casebook/casebook.docx", web.casebook_file, {"kind": "docx"}, name="casebook-docx"),
    # the committee's awards pages (issue 15)
    path("campaigns/<id:pk>/awards/", web.awards_page, name="awards"),
    path("campaigns/<id:pk>/awards/allocate", web.awards_allocate, name="awards-allocate"),
    path("campaigns/<id:pk>/awards/confirm", web.awards_confirm, name="awards-confirm"),
    path(
        "campaigns/<id:pk>/awards/certificates.pdf",
        web.campaign_certificates,
        {"kind": "pdf"},
        name="certificates-pdf",
    ),
    path(
        "campaigns/<id:pk>/awards/certificates.zip",
        web.campaign_certificates,
        {"kind": "zip"},
        name="certificates-zip",
    ),
    path("campaigns/<id:pk>/awards/notice/", web.result_notice_page, name="result-notice"),
    path("campaigns/<id:pk>/awards/notice.pdf", web.result_notice_pdf, name="result-notice-pdf"),
    path("campaigns/<id:pk>/awards/ledger/", web.prize_ledger_page, name="prize-ledger"),
    path("campaigns/<id:pk>/awards/ledger.xlsx", web.prize_ledger_xlsx, name="prize-ledger-xlsx"),
    path("awards/<id:award_pk>/decline", web.award_decline, name="award-decline"),
    path("awards/<id:award_pk>/pass-down", web.award_pass_down, name="award-pass-down"),
    path("awards/<id:award_pk>/paid", web.award_paid, name="award-paid"),
    path("awards/<id:award_pk>/certificate.pdf", web.award_certificate, name="award-certificate"),
]
