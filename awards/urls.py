"""Web pages of awards: the public verify pages, the committee's statistics."""

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
]
