"""Public pages of awards without an account: a certificate's and a result notice's verify pages
(the QR printed on them leads here). Personal numbers in titles are masked (config.masking)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from approvals import filestore
from awards import actions, selectors, statistics
from awards.charts import bar_chart
from awards.documents import chinese_date, kind_label
from awards.models import Award, CaseBook
from config.documents import plain
from config.errors import SealflowError
from config.masking import mask_text
from config.request_context import request_user
from config.web.errors import or_404, report
from workflows import selectors as campaign_selectors
from workflows.models import Campaign

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
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
    return or_404(lambda: campaign_selectors.get_campaign_for(user, pk, permissions.can_see_campaign_statistics))


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


# --- the committee's case book page (案例集) ------------------------------------------------------------------


def _committee_campaign(request: HttpRequest, pk: int) -> Campaign:
    """The campaign, for the host's committee only; 404 for everyone else (they do not see these pages)."""
    user = request_user(request)
    return or_404(lambda: campaign_selectors.get_campaign_for(user, pk, permissions.can_allocate_awards))


def _progress(book: CaseBook | None) -> dict[str, object]:
    if book is None:
        return {"status": None, "done": 0, "total": 0, "label": "", "running": False}
    return {
        "status": book.status, "done": book.done, "total": book.total, "label": book.get_status_display(),
        "running": book.status in CaseBook.RUNNING,
    }  # fmt: skip


@login_required
@require_GET
def casebook_page(request: HttpRequest, pk: int) -> HttpResponse:
    """案例集: build the awarded cases into one PDF and one Word document, follow the build, download."""
    campaign = _committee_campaign(request, pk)
    latest = selectors.latest_casebook(campaign)
    built = selectors.latest_done_casebook(campaign)
    return render(
        request,
        "awards/casebook.html",
        {
            "campaign": campaign,
            "latest": latest,
            "built": built,
            "built_on": chinese_date(timezone.localdate(built.finished_at)) if built and built.finished_at else "",
            "progress": _progress(latest),
            "cases": selectors.casebook_awards(campaign).count(),
        },
    )


@login_required
@require_POST
def casebook_build(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    try:
        book, queued = actions.request_casebook(campaign.pk, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
    else:
        if queued:
            messages.success(request, _("已开始生成案例集（共 {n} 个案例），完成后可在本页下载").format(n=book.total))
        else:
            messages.info(request, _("案例集正在生成中，无需重复提交"))
    return HttpResponseRedirect(reverse("awards:casebook", args=[campaign.pk]))


@login_required
@require_GET
def casebook_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The latest build's progress, for the page's script (polled while it builds)."""
    campaign = _committee_campaign(request, pk)
    response = JsonResponse(_progress(selectors.latest_casebook(campaign)))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def casebook_file(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    """The newest built case book (PDF or Word), also while a newer one builds; 404 before the first."""
    campaign = _committee_campaign(request, pk)
    built = selectors.latest_done_casebook(campaign)
    if built is None:
        raise Http404(_("尚未生成案例集"))
    path = filestore.path_of(built.docx_name if kind == "docx" else built.pdf_name)
    if not path.is_file():
        raise Http404(_("尚未生成案例集"))
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", plain(f"{campaign.title}-案例集.{kind}"))
    mime = DOCX_MIME if kind == "docx" else "application/pdf"
    response = FileResponse(path.open("rb"), content_type=mime, as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response
