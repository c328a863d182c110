"""Public pages of awards without an account: a certificate's and a result notice's verify pages
(the QR printed on them leads here). Personal numbers in titles are masked (config.masking)."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import permissions
from awards import selectors, statistics
from awards.charts import bar_chart
from awards.documents import chinese_date, kind_label
from awards.models import Award
from config.documents import plain
from config.errors import NotVisible
from config.masking import mask_text
from config.request_context import request_user
from workflows import selectors as campaign_selectors
from workflows.models import Campaign

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


# --- the committee's statistics -------------------------------------------------------------------


def _statistics_campaign(request: HttpRequest, pk: int) -> Campaign:
    """The campaign, or 404 unless the caller is its host's committee (as the dashboard answers)."""
    user = request_user(request)
    try:
        campaign = campaign_selectors.get_visible_campaign(user, pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    if not permissions.can_see_campaign_statistics(user, campaign):
        raise Http404()
    return campaign


@login_required
@require_GET
def campaign_statistics(request: HttpRequest, pk: int) -> HttpResponse:
    """统计: the counts by district, township, city, kind and status, the awards by tier and per district
    against the quotas, each as a table and a bar chart drawn on the server (SVG)."""
    campaign = _statistics_campaign(request, pk)
    figures = statistics.campaign_statistics(campaign)
    charts = {
        "district": bar_chart(
            "c-district", _("各区县申报数"), [(r["name"], r["nominations"]) for r in figures["by_district"]],
            unit=_("项"),
        ),
        "township": bar_chart(
            "c-township", _("各乡镇（街道）申报数"), [(r["name"], r["nominations"]) for r in figures["by_township"]],
            unit=_("项"),
        ),
        "kind": bar_chart("c-kind", _("各类别申报数"), [(r["name"], r["nominations"]) for r in figures["by_kind"]],
                          unit=_("项")),
        "status": bar_chart(
            "c-status", _("各状态申报数"), [(r["name"], r["nominations"]) for r in figures["by_status"]], unit=_("项")
        ),
        "tier": bar_chart(
            "c-tier", _("各奖项等次获奖数"),
            [(f"{r['kind_label']} {r['tier_name']}", r["awards"]) for r in figures["awards_by_tier"]],
            unit=_("个"), limits=[r["planned"] for r in figures["awards_by_tier"]], limit_label=_("设奖"),
        ),
        "quota": bar_chart(
            "c-quota", _("各区县获奖数与名额"), [(r["name"], r["awards"]) for r in figures["awards_by_district"]],
            unit=_("个"), limits=[r["quota"] for r in figures["awards_by_district"]], limit_label=_("名额"),
        ),
    }  # fmt: skip
    if figures["by_city"] is not None:
        charts["city"] = bar_chart(
            "c-city", _("各市获奖数"), [(r["name"], r["awards"]) for r in figures["by_city"]], unit=_("个")
        )
    return render(
        request,
        "awards/statistics.html",
        {"campaign": campaign, "figures": figures, "charts": charts},
    )


@login_required
@require_GET
def campaign_statistics_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The same figures as an Excel workbook, one sheet per table."""
    campaign = _statistics_campaign(request, pk)
    content = statistics.render_statistics_xlsx(statistics.campaign_statistics(campaign))
    response = HttpResponse(content, content_type=XLSX_MIME)
    filename = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", plain(f"{campaign.title}-统计.xlsx"))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    response["Cache-Control"] = "no-store"
    return response
