"""Public web pages of awards: the verify pages of certificates and result notices (no account)."""

from django.urls import path

from awards import web

app_name = "awards"

urlpatterns = [
    path("verify/certificate/<str:code>", web.certificate_verify, name="certificate-verify"),
    path("verify/notice/<str:code>", web.notice_verify, name="notice-verify"),
]
