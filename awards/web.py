"""Public pages of awards without an account: a certificate's and a result notice's verify pages
(the QR printed on them leads here). Personal numbers in titles are masked (config.masking)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from awards import selectors
from awards.documents import chinese_date, kind_label
from awards.models import Award
from config.masking import mask_text


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Which award a certificate's code names, and whether it still stands (revoked → 已撤销)."""
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return render(request, "awards/verify.html", {"found": False}, status=404)
    award = certificate.award
    return render(
        request,
        "awards/verify.html",
        {
            "found": True,
            "certificate": True,
            "number": certificate.number,
            "campaign": award.campaign.title,
            "host": award.campaign.host_org.name,
            "title": mask_text(award.nomination.title),
            "unit": mask_text(award.nomination.unit.name),
            "tier": f"{kind_label(award.kind)} {award.tier_name}",
            "valid": award.status == Award.Status.CONFIRMED,
            "status_label": award.get_status_display(),
        },
    )


def notice_verify(request: HttpRequest, code: str) -> HttpResponse:
    """The result notice a code names: 文号, issuer, date, and the awards that stand."""
    notice = selectors.notice_by_code(code)
    if notice is None:
        return render(request, "awards/verify.html", {"found": False}, status=404)
    return render(
        request,
        "awards/verify.html",
        {
            "found": True,
            "certificate": False,
            "number": notice.doc_number,
            "campaign": notice.campaign.title,
            "host": notice.issuer,
            "issued_on": chinese_date(notice.issued_on),
            "valid": True,
            "awards": [
                {
                    "title": mask_text(a.nomination.title),
                    "unit": mask_text(a.nomination.unit.name),
                    "tier": a.tier_name,
                }
                for a in selectors.valid_awards(notice.campaign).order_by("kind", "rank", "pk")
            ],
        },
    )
