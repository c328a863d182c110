"""Pages of awards. Public, without an account: a certificate's and a result notice's verify pages
(the QR printed on them leads here; personal numbers in titles are masked, config.masking). For the
host's committee: statistics, the case book, and the awards pages (奖项评定, the awards and their
fate, 结果通知, 奖金台账), each write through one ``awards.actions`` function, PRG with a Chinese message."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from approvals import filestore
from awards import actions, documents, ledger, selectors, statistics
from awards.charts import bar_chart
from awards.documents import chinese_date, kind_label
from awards.exceptions import NoResultNotice
from awards.models import Award, CaseBook
from config.documents import plain
from config.errors import InvalidInput, NotPermitted, NotVisible, SealflowError
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


# --- the committee's awards pages: 奖项评定, the awards and their fate, 结果通知, 奖金台账 ----------------------

PDF_MIME = "application/pdf"
ZIP_MIME = "application/zip"

# What to do next after a refusal, shown on the 奖项评定 page (``?problem=<code>``).
NEXT_STEPS = {
    "rounds_open": gettext_lazy("请先在评审页面结束该类别的全部评审轮次（晋级同分须先裁定），再重新拟定奖项。"),
    "floor_unreachable": gettext_lazy(
        "符合比例下限条件的参评申报不够：请与活动管理员核对活动设置中的等次比例下限或奖项名额，调整后重新拟定。"
    ),
    "tie_unresolved": gettext_lazy("请在下面“并列裁定”中排定并列申报的先后，重新拟定后再确认。"),
    "no_tiers": gettext_lazy("本活动尚未设置奖项等次：请活动管理员在活动设置中设置奖项等次和名额后再拟定。"),
    "no_proposal": gettext_lazy("请先点击“拟定奖项”生成分配方案，核对后再确认。"),
}


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", plain(filename))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


def _verify_url(request: HttpRequest) -> documents.VerifyUrl:
    return lambda code: request.build_absolute_uri(reverse("awards:certificate-verify", args=[code]))


def _committee_award(request: HttpRequest, award_pk: int) -> tuple[Campaign, Award]:
    """The award and its campaign, for the host's committee only; 404 for everyone else."""
    award = selectors.get_award(award_pk)
    if award is None:
        raise Http404(_("奖项不存在"))
    return _committee_campaign(request, award.campaign_id), award


def _awards_url(campaign: Campaign, problem: str = "") -> str:
    url = reverse("awards:awards", args=[campaign.pk])
    return f"{url}?problem={problem}" if problem in NEXT_STEPS else url


def _field_labels(campaign: Campaign) -> dict[str, str]:
    labels: dict[str, str] = {}
    for definition in (campaign.forms or {}).values():
        for field in (definition or {}).get("fields") or [] if isinstance(definition, dict) else []:
            if isinstance(field, dict) and field.get("key") and field.get("label"):
                labels.setdefault(str(field["key"]), str(field["label"]))
    return labels


def _plain(campaign: Campaign, text: str) -> str:
    """An allocation note or a refusal as the committee reads it: kinds by their Chinese name, form
    fields by their label, round keys by the round's name, no setting keys (``tie_order``, ``tier_floors[i]``)."""
    text = re.sub(r"\s*tier_floors\[\d+\]", "", text).replace("（tie_order）", "")
    kinds = {kind: kind_label(kind) for kind in [*campaign.kinds, *(campaign.tiers or {})]}
    if kinds:
        either = "|".join(re.escape(k) for k in sorted(kinds, key=len, reverse=True))
        text = re.sub(rf"(^|（)({either})：", lambda m: f"{m.group(1)}{kinds[m.group(2)]}：", text)
        text = re.sub(rf"“({either})”", lambda m: f"“{kinds[m.group(1)]}”", text)
    labels = _field_labels(campaign)
    text = re.sub(r"“([^”]+)”为", lambda m: f"“{labels.get(m.group(1), m.group(1))}”为", text)
    rounds = [r for r in campaign.rounds or [] if isinstance(r, dict)]
    names = {str(r.get("key")): str(r.get("name") or r.get("key")) for r in rounds}
    return re.sub(
        r"(评审轮次尚未全部结束：)(.+)$",
        lambda m: m.group(1) + "、".join(f"“{names.get(k, k)}”" for k in m.group(2).split("、")),
        text,
    )


def _refused(request: HttpRequest, exc: SealflowError, campaign: Campaign) -> HttpResponse:
    if isinstance(exc, (NotVisible, NotPermitted, InvalidInput)):
        report(request, exc)
    else:
        messages.error(request, _plain(campaign, str(exc.detail)))
    return HttpResponseRedirect(_awards_url(campaign, exc.code))


def _fate(award: Award) -> dict[str, str]:
    """The award's status as the committee says it (有效/已放弃/已撤销, 顺延) and its CSS class."""
    successor = getattr(award, "passed_to", None)
    if award.status == Award.Status.CONFIRMED:
        label = _("有效（顺延）") if award.passed_from_id else _("有效")
        return {"label": label, "css": "status-approved"}
    if award.status == Award.Status.DECLINED:
        return {"label": _("已放弃，已顺延") if successor else _("已放弃"), "css": "status-revoked"}
    if successor:
        return {"label": _("已撤销，已顺延"), "css": "status-revoked"}
    return {"label": _("已撤销"), "css": "status-revoked"}


def _award_rows(campaign: Campaign, awards: Any) -> list[tuple[str, list[dict[str, Any]]]]:
    finished = campaign.status == Campaign.Status.FINISHED
    return [
        (
            heading,
            [
                {
                    "award": a,
                    "fate": _fate(a),
                    "successor": getattr(a, "passed_to", None),
                    "certificate": getattr(a, "certificate", None),
                    "may_decline": not finished and a.status == Award.Status.CONFIRMED,
                    "may_pass_down": not finished
                    and a.status == Award.Status.REVOKED
                    and getattr(a, "passed_to", None) is None,
                }
                for a in members
            ],
        )
        for heading, members in documents.awards_by_tier(campaign, awards)
    ]


@login_required
@require_GET
def awards_page(request: HttpRequest, pk: int) -> HttpResponse:
    """奖项评定: before confirmation the proposal by kind and tier with its notes and ties, 拟定 and 确认;
    after it the awards by kind and tier with their fate, 放弃, 顺延 and the certificates."""
    campaign = _committee_campaign(request, pk)
    allocation = selectors.get_allocation(campaign)
    confirmed = allocation is not None and allocation.confirmed_at is not None
    # a next step belongs to the proposal: after confirmation (e.g. a second 确认 press) none is shown
    problem = "" if confirmed else request.GET.get("problem", "")
    context: dict[str, Any] = {
        "campaign": campaign,
        "allocation": allocation,
        "confirmed": confirmed,
        "finished": campaign.status == Campaign.Status.FINISHED,
        "problem": problem if problem in NEXT_STEPS else "",
        "next_step": NEXT_STEPS.get(problem, ""),
        "has_rounds": bool(campaign.rounds),
    }
    if confirmed:
        context["groups"] = _award_rows(campaign, selectors.committee_awards(campaign))
    else:
        proposal = list(selectors.proposed_awards(campaign))
        context.update(
            proposal=documents.awards_by_tier(campaign, proposal),
            proposal_count=len(proposal),
            notes=[_plain(campaign, str(note)) for note in (allocation.notes if allocation else [])],
            ties=[{**g, "kind_label": kind_label(g["kind"])} for g in selectors.tie_groups(campaign, allocation)],
            left_out=selectors.left_without_award(campaign) if allocation else 0,
        )
    return render(request, "awards/awards.html", context)


def _tie_order(request: HttpRequest, campaign: Campaign) -> list[int]:
    """The committee's order of the tied entries: ``order-<nomination>`` = its place (1, 2, …) within
    its group; one place per entry of a group, or ``InvalidInput``."""
    order: list[tuple[int, int, int]] = []
    for g, group in enumerate(selectors.tie_groups(campaign, selectors.get_allocation(campaign))):
        places: list[int] = []
        for member in group["members"]:
            raw = request.POST.get(f"order-{member.pk}", "")
            if not raw:
                continue
            try:
                place = int(raw)
            except ValueError:
                raise InvalidInput.for_field("tie_order", _("并列先后须填写 1、2、3 等名次")) from None
            places.append(place)
            order.append((g, place, member.pk))
        if places and (len(places) != len(group["members"]) or len(set(places)) != len(places)):
            raise InvalidInput.for_field("tie_order", _("同一组并列申报须逐一排定先后，且先后不能相同"))
    return [pk for _g, _place, pk in sorted(order)]


@login_required
@require_POST
def awards_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """拟定奖项 (again): by final rank, with the committee's order of tied entries when given."""
    campaign = _committee_campaign(request, pk)
    try:
        tie_order = _tie_order(request, campaign)
        allocation = actions.allocate_awards(campaign.pk, actor=request_user(request), tie_order=tie_order)
    except SealflowError as exc:
        return _refused(request, exc, campaign)
    count = selectors.proposed_awards(campaign).count()
    if allocation.ties:
        messages.warning(request, _("已拟定 {n} 个奖项，但仍有并列须裁定先后，裁定后才能确认").format(n=count))
    else:
        messages.success(request, _("已拟定 {n} 个奖项，请核对后确认").format(n=count))
    return HttpResponseRedirect(_awards_url(campaign))


@login_required
@require_POST
def awards_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    try:
        awards = actions.confirm_awards(campaign.pk, actor=request_user(request))
    except SealflowError as exc:
        return _refused(request, exc, campaign)
    messages.success(
        request, _("已确认奖项分配，共 {n} 个奖项；未获奖的申报已标为未入选，并已通知申报单位").format(n=len(awards))
    )
    return HttpResponseRedirect(_awards_url(campaign))


@login_required
@require_POST
def award_decline(request: HttpRequest, award_pk: int) -> HttpResponse:
    """放弃: the winner gave the award up (reason required); the next in rank takes the place (顺延)."""
    campaign, award = _committee_award(request, award_pk)
    try:
        successor = actions.decline_award(award.pk, actor=request_user(request), reason=request.POST.get("reason", ""))
    except SealflowError as exc:
        return _refused(request, exc, campaign)
    messages.success(
        request,
        _("已记录“{title}”放弃{tier}；按名次由“{successor}”顺延获得该奖项").format(
            title=award.nomination.title, tier=award.tier_name, successor=successor.nomination.title
        ),
    )
    return HttpResponseRedirect(_awards_url(campaign))


@login_required
@require_POST
def award_pass_down(request: HttpRequest, award_pk: int) -> HttpResponse:
    """顺延 after a revocation (the committee's choice)."""
    campaign, award = _committee_award(request, award_pk)
    try:
        successor = actions.pass_down(award.pk, actor=request_user(request))
    except SealflowError as exc:
        return _refused(request, exc, campaign)
    messages.success(
        request,
        _("已顺延：“{successor}”获得“{title}”被撤销的{tier}").format(
            successor=successor.nomination.title, title=award.nomination.title, tier=award.tier_name
        ),
    )
    return HttpResponseRedirect(_awards_url(campaign))


@login_required
@require_GET
def award_certificate(request: HttpRequest, award_pk: int) -> HttpResponse:
    """One award's certificate (PDF), numbered at the first issue; a declined or revoked award has none."""
    campaign, award = _committee_award(request, award_pk)
    try:
        certificate = actions.issue_certificates(campaign.pk, actor=request_user(request), award_id=award.pk)[0]
    except SealflowError as exc:
        return _refused(request, exc, campaign)
    pdf = documents.render_certificates_pdf([certificate], _verify_url(request))
    return _download(pdf, PDF_MIME, f"{campaign.title}-证书-{certificate.number}.pdf")


@login_required
@require_GET
def campaign_certificates(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Every valid award's certificate: one PDF to print (``pdf``) or a ZIP of one PDF per award."""
    campaign = _committee_campaign(request, pk)
    try:
        certificates = actions.issue_certificates(campaign.pk, actor=request_user(request))
    except SealflowError as exc:
        return _refused(request, exc, campaign)
    if kind == "zip":
        content = documents.render_certificates_zip(certificates, _verify_url(request))
        return _download(content, ZIP_MIME, f"{campaign.title}-获奖证书.zip")
    content = documents.render_certificates_pdf(certificates, _verify_url(request))
    return _download(content, PDF_MIME, f"{campaign.title}-获奖证书.pdf")


class ResultNoticeForm(forms.Form):
    doc_number = forms.CharField(label=gettext_lazy("文号"), max_length=100)
    issuer = forms.CharField(label=gettext_lazy("发文单位"), max_length=200)
    issued_on = forms.DateField(
        label=gettext_lazy("发文日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    contact = forms.CharField(label=gettext_lazy("联系人及电话"), max_length=200, required=False)


@login_required
@require_http_methods(["GET", "POST"])
def result_notice_page(request: HttpRequest, pk: int) -> HttpResponse:
    """结果通知（发文）: 文号, issuing body, date and contact (set_result_notice), and the PDF."""
    campaign = _committee_campaign(request, pk)
    notice = selectors.get_result_notice(campaign)
    if request.method == "POST":
        form = ResultNoticeForm(request.POST)
        if form.is_valid():
            try:
                actions.set_result_notice(campaign.pk, actor=request_user(request), **form.cleaned_data)
            except SealflowError as exc:
                report(request, exc)
            else:
                messages.success(request, _("已保存结果通知，可下载结果通知（PDF）"))
                return HttpResponseRedirect(reverse("awards:result-notice", args=[campaign.pk]))
    elif notice is not None:
        form = ResultNoticeForm(
            initial={"doc_number": notice.doc_number, "issuer": notice.issuer, "issued_on": notice.issued_on,
                     "contact": notice.contact}
        )  # fmt: skip
    else:
        form = ResultNoticeForm(initial={"issuer": campaign.host_org.name, "issued_on": timezone.localdate()})
    valid = selectors.valid_awards(campaign)
    return render(
        request,
        "awards/result_notice.html",
        {
            "campaign": campaign,
            "notice": notice,
            "issued_on": chinese_date(notice.issued_on) if notice else "",
            "form": form,
            "groups": documents.awards_by_tier(campaign, valid),
            "valid_count": valid.count(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def result_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    notice = selectors.get_result_notice(campaign)
    if notice is None:
        messages.error(request, str(NoResultNotice.message))
        return HttpResponseRedirect(reverse("awards:result-notice", args=[campaign.pk]))
    pdf = documents.render_notice_pdf(
        notice,
        selectors.valid_awards(campaign),
        lambda code: request.build_absolute_uri(reverse("awards:notice-verify", args=[code])),
    )
    return _download(pdf, PDF_MIME, f"{campaign.title}-结果通知.pdf")


@login_required
@require_GET
def prize_ledger_page(request: HttpRequest, pk: int) -> HttpResponse:
    """奖金台账: each confirmed award's prize, paid (when, by whom) or recovered; 标记已发放; the Excel."""
    campaign = _committee_campaign(request, pk)
    # the ledger's awards (every award since confirmation, as its Excel file lists them), read with
    # their fate's rows at once (顺延给 is a reverse one-to-one: one query per row otherwise)
    found = selectors.committee_awards(campaign).filter(confirmed_at__isnull=False)
    awards = [a for _heading, members in documents.awards_by_tier(campaign, found) for a in members]
    rows = [
        {"award": a, "fate": _fate(a), "tier": f"{kind_label(a.kind)} {a.tier_name}",
         "may_pay": a.status == Award.Status.CONFIRMED and bool(a.prize) and a.paid_at is None}
        for a in awards
    ]  # fmt: skip
    owed = [a for a in awards if a.status == Award.Status.CONFIRMED and a.prize]
    return render(
        request,
        "awards/ledger.html",
        {
            "campaign": campaign,
            "rows": rows,
            "total": sum((a.prize for a in owed if a.prize), Decimal(0)),
            "paid": sum((a.prize for a in owed if a.prize and a.paid_at), Decimal(0)),
            "unpaid_count": sum(1 for a in owed if a.paid_at is None),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def award_paid(request: HttpRequest, award_pk: int) -> HttpResponse:
    """标记已发放: the prize paid on the given day (today when none), by the caller."""
    campaign, award = _committee_award(request, award_pk)
    back = HttpResponseRedirect(reverse("awards:prize-ledger", args=[campaign.pk]))
    raw = request.POST.get("paid_on", "").strip()
    paid_at = None
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            messages.error(request, _("发放日期格式不正确，请按“年-月-日”填写"))
            return back
        if day > timezone.localdate():
            messages.error(request, _("发放日期不能晚于今天"))
            return back
        paid_at = timezone.make_aware(datetime.combine(day, time.min))
    try:
        actions.mark_prize_paid(award.pk, actor=request_user(request), paid_at=paid_at)
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已登记“{title}”的奖金已发放").format(title=award.nomination.title))
    return back


@login_required
@require_GET
def prize_ledger_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    return _download(ledger.render_ledger_xlsx(campaign), XLSX_MIME, f"{campaign.title}-奖金台账.xlsx")
