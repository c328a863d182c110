"""Downloads of the printed 申报表 (approvals/documents.py): PDF and Word.

Personal values are printed in full only for those who may reveal them
(``accounts.permissions.can_reveal_personal_data``), and that read is audited; everyone else gets
them masked.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts import permissions
from approvals import documents
from approvals.models import Nomination
from approvals.web.nominations import _nomination
from audit.trail import record_personal_data_read
from config.request_context import request_user
from workflows import forms


def _document(request: HttpRequest, nomination: Nomination) -> documents.FormDocument:
    user = request_user(request)
    reveal = permissions.can_reveal_personal_data(user, nomination)
    if reveal:
        definition = nomination.campaign.forms.get(nomination.kind) or {"fields": []}
        paths = forms.personal_paths(definition, nomination.form)
        if paths:
            record_personal_data_read(actor=user, target=nomination, fields=paths)
    url = (
        request.build_absolute_uri(reverse("verify-page", args=[nomination.verification_code]))
        if nomination.verification_code
        else ""
    )
    return documents.build(nomination, reveal=reveal, verify_url=url)


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_GET
def form_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk)
    pdf = documents.render_pdf(_document(request, nomination))
    return _download(pdf, "application/pdf", documents.file_name(nomination, "pdf"))


@login_required
@require_GET
def form_docx(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk)
    content = documents.render_docx(_document(request, nomination))
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return _download(content, mime, documents.file_name(nomination, "docx"))
