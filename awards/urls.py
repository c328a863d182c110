"""Web pages of awards: the public verify pages, the committee's statistics."""

from django.urls import path

from awards import web

app_name = "awards"

urlpatterns = [
    path("verify/certificate/<str:code>", web.certificate_verify, name="certificate-verify"),
    path("verify/notice/<str:code>", web.notice_verify, name="notice-verify"),
    path("campaigns/<id:pk>/statistics", web.campaign_statistics, name="statistics"),
    path("campaigns/<id:pk>/statistics.xlsx", web.campaign_statistics_xlsx, name="statistics-xlsx"),
]
