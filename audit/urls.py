"""Web pages of the audit trail (the API has its own routes in audit/api_urls.py)."""

from django.urls import path

from audit import web

app_name = "audit"

urlpatterns = [
    path("audit/", web.audit_list, name="audit"),
    path("audit/export.csv", web.audit_csv, name="audit-csv"),
    path("audit/verify", web.audit_verify, name="audit-verify"),
    path("audit/verify/stream", web.audit_verify_stream, name="audit-verify-stream"),
]
