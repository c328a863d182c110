"""Public web pages of awards: the verify pages of certificates and result notices (no account)."""

from django.urls import path

from awards import web

app_name = "awards"

urlpatterns = [
    path("verify/certificate/<str:code>", web.certificate_verify, name="certificate-verify"),
    path("verify/notice/<str:code>", web.notice_verify, name="notice-verify"),
    path("campaigns/<id:pk>/casebook/", web.casebook_page, name="casebook"),
    path("campaigns/<id:pk>/casebook/build", web.casebook_build, name="casebook-build"),
    path("campaigns/<id:pk>/casebook/progress", web.casebook_progress, name="casebook-progress"),
    path("campaigns/<id:pk>/casebook/casebook.pdf", web.casebook_file, {"kind": "pdf"}, name="casebook-pdf"),
    path("campaigns/<id:pk>/casebook/casebook.docx", web.casebook_file, {"kind": "docx"}, name="casebook-docx"),
]
