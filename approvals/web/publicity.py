"""公示 pages: the public objection form, receipt and receipt lookup (no account), and the
committee's pages (start 公示, the objection queue, an objection, revocation, finalisation).

Every state change is one action of ``approvals.actions.publicity``, ``.objections`` or
``.revocations``; who may do what is decided there (and by ``publicity_selectors`` for what a
user may see). The objector's identity is shown only in the response to the audited POST
"查看异议人身份", never stored in a message or session.
"""

from __future__ import annotations

import gzip
import re
import secrets
import time
from decimal import Decimal, InvalidOperation
from typing import IO, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from accounts.models import User
from approvals import filestore, publicity_public, publicity_selectors, selectors
from approvals.actions import objections as objection_actions
from approvals.actions import publicity as publicity_actions
from approvals.actions import revocations as revocation_actions
from approvals.exceptions import AnonymousObjection
from approvals.models import Nomination, Objection
from approvals.web.common import hosted_campaign as _hosted_campaign
from approvals.web.common import parse_local as _parse_local
from config.api.models import IdempotencyRecord
from config.dates import official_time
from config.errors import InvalidInput, NotVisible, SealflowError
from config.masking import mask_text
from config.request_context import request_user
from config.web.errors import report
from config.web.pagination import PAGE, keyset_page
from workflows import selectors as campaign_selectors

RECEIPT_MAX = 32


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# --- public ---------------------------------------------------------------------------------


def _public_entry(campaign_id: int, nomination_id: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The masked public list, the latest list round naming the nomination and its entry (404 if none)."""
    try:
        data = publicity_public.build_public_list(campaign_id)
    except NotVisible as exc:
        raise Http404() from exc
    for r in data["rounds"]:
        if r["kind"] != "list":
            continue
        for entry in r["entries"]:
            if entry["nomination"] == nomination_id:
                return data, r, entry
    raise Http404()


def _form_errors(exc: SealflowError) -> dict[str, list[str]]:
    return dict(exc.errors) if isinstance(exc, InvalidInput) and exc.errors else {}


FILED_SESSION_KEY = "objection_filed"
FILED_SHOWN_SECONDS = 3600  # the receipt stays readable on the 已受理 page of this browser for an hour
FORM_KEY_PREFIX = "web-objection:"
TOKEN_MAX = 64
REPLAY_WAIT_SECONDS = 5.0


def _form_context(data: dict[str, Any], publicity_round: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": data,
        "round": publicity_round,
        "entry": entry,
        "errors": {},
        "error": "",
        "max_files": objection_actions.EVIDENCE_MAX_FILES,
        "max_mb": objection_actions.EVIDENCE_MAX_BYTES // (1024 * 1024),
        "types": "、".join(t.upper() for t in objection_actions.EVIDENCE_TYPES),
        "content_min": objection_actions.CONTENT_MIN,
        "content_max": objection_actions.CONTENT_MAX,
    }


@require_http_methods(["GET", "POST"])
def objection_form(request: HttpRequest, campaign_id: int, nomination_id: int) -> HttpResponse:
    """实名提出异议: real-name rules and the window on top; after the window, only that it closed and when.

    Post/redirect/get: a filed objection redirects to ``objection-filed`` (a GET page that reads the
    receipt from the session, so a refresh files nothing and the code is never in a URL). Each
    rendering of the form carries a one-time token (``form_token``, the web form's Idempotency-Key):
    a second POST with it (double click, back and resubmit) files nothing and leads to the same receipt.
    """
    data, publicity_round, entry = _public_entry(campaign_id, nomination_id)
    values = {k: request.POST.get(k, "") for k in ("objector_kind", "name", "phone", "unit_name", "unit_contact",
                                                    "content")}  # fmt: skip
    values["objector_kind"] = values["objector_kind"] or "person"
    context = _form_context(data, publicity_round, entry)
    context["values"] = values
    token = request.POST.get("form_token", "").strip()[:TOKEN_MAX]
    context["form_token"] = token or secrets.token_urlsafe(24)
    if request.method != "POST":
        return _no_store(render(request, "approvals/publicity/objection_form.html", context))
    ip = str(request.META.get("REMOTE_ADDR") or "")
    record = None
    if token:
        claimed = _claim_form_token(request, ip, token)
        if isinstance(claimed, HttpResponse):
            return claimed
        record = claimed
    files = request.FILES.getlist("evidence")
    try:
        objection_actions.check_objection_rate(ip, values["phone"])
        objection = objection_actions.file_objection(
            nomination_id,
            objector=objection_actions.ObjectorInput(
                kind=values["objector_kind"], name=values["name"], phone=values["phone"],
                unit_name=values["unit_name"], unit_contact=values["unit_contact"],
            ),
            content=values["content"],
            evidence=[(f.name or "", cast(IO[bytes], f.file)) for f in files],
            ip_address=ip or None,
        )  # fmt: skip
    except NotVisible as exc:
        _release(record)
        raise Http404() from exc
    except SealflowError as exc:
        # Nothing was filed: the token is free again, so the corrected form can be sent with it.
        _release(record)
        # The rule against anonymous objections is in the notes above the form: not said twice.
        anonymous = exc.code == AnonymousObjection.code
        context["error"] = _("异议须实名提出，请补全下面标出的信息。") if anonymous else exc.detail
        context["errors"] = _form_errors(exc)
        return _no_store(render(request, "approvals/publicity/objection_form.html", context, status=exc.status))
    except BaseException:
        _release(record)
        raise
    if record is not None:
        IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=201, response={"objection": objection.pk})
    return _filed_redirect(request, objection.pk)


def _claim_form_token(request: HttpRequest, ip: str, token: str) -> IdempotencyRecord | HttpResponse:
    """Claim the form's token (one row per token and client address, as the API's Idempotency-Key);
    a token already used leads to the objection it filed instead of filing another."""
    key = FORM_KEY_PREFIX + token
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                user=None, client=ip, key=key, endpoint=request.path[:255], body_hash=""
            )
    except IntegrityError:
        pass
    # A double submit races the first request: wait for it to finish (it takes milliseconds).
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    while True:
        first = IdempotencyRecord.objects.filter(user=None, client=ip, key=key).first()
        if first is None:  # the first request failed and freed the token: file with it now
            return _claim_form_token(request, ip, token)
        if first.status_code is not None and isinstance(first.response, dict):
            return _filed_redirect(request, int(first.response.get("objection") or 0))
        if time.monotonic() > deadline:
            messages.warning(request, _("该异议正在提交，请稍候查看，不要重复提交"))
            return HttpResponseRedirect(request.path)
        time.sleep(0.1)


def _release(record: IdempotencyRecord | None) -> None:
    if record is not None:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()


def _filed_redirect(request: HttpRequest, objection_id: int) -> HttpResponse:
    request.session[FILED_SESSION_KEY] = {"objection": objection_id, "at": int(time.time())}
    return HttpResponseRedirect(reverse("approvals:objection-filed"))


@require_GET
def objection_filed(request: HttpRequest) -> HttpResponse:
    """异议已受理: the receipt of the objection just filed in this browser (from the session; refreshing
    files nothing). Without one, the receipt lookup."""
    held = request.session.get(FILED_SESSION_KEY) or {}
    objection = None
    if isinstance(held, dict) and int(time.time()) - int(held.get("at") or 0) <= FILED_SHOWN_SECONDS:
        objection = (
            Objection.objects.select_related("nomination", "nomination__campaign")
            .filter(pk=int(held.get("objection") or 0))
            .first()
        )
    if objection is None:
        request.session.pop(FILED_SESSION_KEY, None)
        return HttpResponseRedirect(reverse("approvals:objection-receipt-lookup"))
    context = {
        "objection": objection,
        "title": mask_text(objection.nomination.title),
        "campaign_id": objection.nomination.campaign_id,
    }
    return _no_store(render(request, "approvals/publicity/objection_filed.html", context))


def _receipt_context(code: str) -> dict[str, Any]:
    objection = (
        Objection.objects.select_related("nomination").filter(receipt=code.strip().upper()[:RECEIPT_MAX]).first()
    )
    if objection is None:
        return {"code": code, "not_found": True}
    decided = objection.status not in Objection.OPEN
    # Only what the API's receipt view shows: never anyone's identity.
    return {
        "code": code,
        "found": {
            "status_label": objection.get_status_display(),
            "decided": decided,
            "response": objection.response if decided else "",
            "nomination_title": mask_text(objection.nomination.title),
            "filed_at": objection.filed_at,
            "decided_at": objection.decided_at,
        },
    }


@require_http_methods(["GET", "POST"])
def receipt_lookup(request: HttpRequest) -> HttpResponse:
    """凭回执码查询: a form that POSTs the code (so it stays out of addresses, logs and history); the
    answer is the status and the published response."""
    context: dict[str, Any] = {"code": ""}
    if request.method == "POST":
        code = request.POST.get("code", "").strip()[:RECEIPT_MAX]
        context["code"] = code
        if code:
            context.update(_receipt_context(code))
    return _no_store(render(request, "approvals/publicity/receipt.html", context))


@require_GET
def receipt_page(request: HttpRequest, receipt: str) -> HttpResponse:
    """Former address of a receipt (older messages link here): the lookup form, which never reads a
    code from an address."""
    return HttpResponseRedirect(reverse("approvals:objection-receipt-lookup"))


# --- committee ------------------------------------------------------------------------------


def _id_list(text: str) -> list[int]:
    """Nomination ids typed as 12, 13、14 (a leading # allowed); 400 on ``nominations`` otherwise."""
    parts = [p.lstrip("#＃") for p in re.split(r"[\s,，、;；]+", text.strip()) if p]
    if not all(p.isascii() and p.isdigit() and len(p) <= 12 for p in parts):
        raise InvalidInput.for_field("nominations", _("申报编号须为数字，用逗号或顿号分隔"))
    return [int(p) for p in parts[:5000]]


@login_required
@require_POST
def start_publicity(request: HttpRequest, pk: int) -> HttpResponse:
    """开始公示 from the dashboard: an explicit window or the one computed from the campaign's settings."""
    user = request_user(request)
    campaign = _hosted_campaign(user, pk)
    back = reverse("portal:dashboard", args=[campaign.pk])
    try:
        starts_at = _parse_local(request.POST.get("starts_at", ""))
        ends_at = _parse_local(request.POST.get("ends_at", "")) if request.POST.get("window") == "explicit" else None
        nominations = _id_list(request.POST.get("nominations", ""))
        publicity_round = publicity_actions.start_publicity(
            campaign.pk, actor=user, starts_at=starts_at, ends_at=ends_at,
            title=request.POST.get("title", "").strip()[:200],
            how_to_object=request.POST.get("how_to_object", "").strip()[:2000],
            short_reason=request.POST.get("short_reason", "").strip()[:2000],
            tiers=[t[:100] for t in request.POST.getlist("tiers")[:50]], nominations=nominations,
        )  # fmt: skip
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(back)
    messages.success(
        request,
        _("已开始公示：{title}，公示期至 {end}（北京时间）").format(
            title=publicity_round.title, end=official_time(publicity_round.ends_at, end=True)
        ),
    )
    return HttpResponseRedirect(back)


@login_required
@require_POST
def finalize(request: HttpRequest, pk: int) -> HttpResponse:
    """确定最终名单 (refusals from the action in Chinese)."""
    user = request_user(request)
    campaign = _hosted_campaign(user, pk)
    try:
        ids = publicity_actions.finalize_campaign(campaign.pk, actor=user)
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已确定最终名单，共 {n} 项").format(n=len(ids)))
    return HttpResponseRedirect(reverse("portal:dashboard", args=[campaign.pk]))


@login_required
@require_GET
def my_investigations(request: HttpRequest) -> HttpResponse:
    """我的核查: the objections the user was named to investigate, newest first, paged."""
    user = request_user(request)
    rows, next_query = keyset_page(
        request, publicity_selectors.my_investigations(user), field="filed_at", descending=True
    )
    context = {"objections": rows, "next_query": next_query, "page_size": PAGE}
    return render(request, "approvals/publicity/mine.html", context)


@login_required
@require_GET
def objection_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's objections the user may see, filtered by status."""
    user = request_user(request)
    try:
        campaign = campaign_selectors.get_visible_campaign(user, pk)
    except NotVisible as exc:
        raise Http404() from exc
    status = request.GET.get("status") or ""
    if status not in Objection.Status.values:
        status = ""
    objections = publicity_selectors.list_objections(user, campaign=campaign.pk, status=status or None)
    is_committee = permissions.can_run_publicity(user, campaign)
    if not is_committee and not objections.exists() and not status:
        raise Http404()
    context = {
        "campaign": campaign,
        "objections": list(objections),
        "statuses": Objection.Status.choices,
        "filter_status": status,
        "is_committee": is_committee,
    }
    return render(request, "approvals/publicity/queue.html", context)


def _objection_context(user: User, objection: Objection) -> dict[str, Any]:
    campaign = objection.nomination.campaign
    committee = permissions.can_run_publicity(user, campaign)
    investigates = permissions.may_investigate(user, objection)
    return {
        "objection": objection,
        "campaign": campaign,
        "is_committee": committee,
        "investigates": investigates,
        "is_open": objection.status in Objection.OPEN,
        "findings": list(objection.findings.select_related("author").order_by("id")) if investigates else [],
        "evidence": list(objection.evidence.order_by("id")) if committee else [],
        "candidates": _investigator_candidates(objection) if committee else [],
        "identity": None,
    }


def _investigator_candidates(objection: Objection) -> list[User]:
    """People to choose from: the host's committee, admins and judges, and reviewers over the unit
    (a choice list only: ``assign_investigator`` decides who may be made investigator)."""
    return list(permissions.possible_investigators(objection.nomination).order_by("username")[:100])


def _visible_objection(user: User, pk: int) -> Objection:
    try:
        return publicity_selectors.get_visible_objection(user, pk)
    except NotVisible as exc:
        raise Http404() from exc


@login_required
@require_GET
def objection_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    objection = _visible_objection(user, pk)
    return render(request, "approvals/publicity/objection.html", _objection_context(user, objection))


@login_required
@require_POST
def reveal_identity(request: HttpRequest, pk: int) -> HttpResponse:
    """查看异议人身份: the committee only; every use writes one ``objection.identity_read`` event."""
    user = request_user(request)
    objection = _visible_objection(user, pk)
    try:
        identity = objection_actions.read_objector_identity(objection.pk, actor=user)
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(reverse("approvals:objection", args=[objection.pk]))
    context = _objection_context(user, objection)
    context["identity"] = identity
    return _no_store(render(request, "approvals/publicity/objection.html", context))


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence: int) -> HttpResponseBase:
    user = request_user(request)
    objection = _visible_objection(user, pk)
    try:
        item = objection_actions.read_objection_evidence(objection.pk, evidence, actor=user)
    except NotVisible as exc:
        raise Http404() from exc
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(reverse("approvals:objection", args=[objection.pk]))
    path = filestore.path_of(item.storage_name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=item.display_name)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    objection = _visible_objection(user, pk)
    investigator = _int(request.POST.get("investigator"))
    back = HttpResponseRedirect(reverse("approvals:objection", args=[objection.pk]))
    if investigator is None:
        messages.error(request, _("请选择调查人"))
        return back
    try:
        objection = objection_actions.assign_investigator(objection.pk, actor=user, investigator_id=investigator)
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已指派调查人：{user}").format(user=objection.investigator))
    return back


@login_required
@require_POST
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    objection = _visible_objection(user, pk)
    try:
        objection_actions.record_finding(objection.pk, actor=user, text=request.POST.get("text", ""))
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已记录调查核实情况"))
    return HttpResponseRedirect(reverse("approvals:objection", args=[objection.pk]))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """异议成立 (the nomination is revoked in the same transaction) or 异议不成立."""
    user = request_user(request)
    objection = _visible_objection(user, pk)
    try:
        objection = objection_actions.decide_objection(
            objection.pk, actor=user, outcome=request.POST.get("outcome", ""),
            finding=request.POST.get("finding", ""), response=request.POST.get("response", ""),
        )  # fmt: skip
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已作出处理决定：{status}").format(status=objection.get_status_display()))
    return HttpResponseRedirect(reverse("approvals:objection", args=[objection.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销申报 (the host's committee): reason; after final, recovery and a bar on re-submission."""
    user = request_user(request)
    try:
        nomination = selectors.get_visible_nomination(user, pk)
    except NotVisible as exc:
        raise Http404() from exc
    if not permissions.can_run_publicity(user, nomination.campaign):
        raise Http404()
    if request.method == "POST":
        try:
            recovery, bar = _recovery_and_bar(request)
            revocation_actions.revoke_nomination(
                nomination.pk, actor=user, reason=request.POST.get("reason", ""), recovery=recovery, bar=bar,
                publish=request.POST.get("publish") == "1",
            )  # fmt: skip
        except SealflowError as exc:
            report(request, exc)
            return HttpResponseRedirect(reverse("approvals:nomination-revoke", args=[nomination.pk]))
        messages.success(request, _("已撤销：{title}").format(title=nomination.title))
        return HttpResponseRedirect(reverse("approvals:nomination", args=[nomination.pk]))
    context = {"nomination": nomination, "is_final": nomination.status == Nomination.Status.FINAL}
    return render(request, "approvals/publicity/revoke.html", context)


def _recovery_and_bar(
    request: HttpRequest,
) -> tuple[revocation_actions.Recovery | None, revocation_actions.Bar | None]:
    post = request.POST
    recovery = None
    money_text = post.get("prize_money", "").strip()
    if money_text or post.get("certificate") == "1" or post.get("recover_note", "").strip():
        try:
            money = Decimal(money_text) if money_text else None
        except InvalidOperation as exc:
            raise InvalidInput.for_field("prize_money", _("追回奖金应为金额"), code="invalid_amount") from exc
        if money is not None and money < 0:
            raise InvalidInput.for_field("prize_money", _("追回奖金应为金额"), code="invalid_amount")
        recovery = revocation_actions.Recovery(
            money, post.get("certificate") == "1", post.get("recover_note", "").strip()[:2000]
        )
    bar = None
    years_text = post.get("bar_years", "").strip()
    if years_text:
        years = _int(years_text)
        if years is None:
            raise InvalidInput.for_field("bar.years", _("限制申报年限应为 1 到 20 年"), code="invalid_bar")
        bar = revocation_actions.Bar(
            years, post.get("bar_unit") == "1", post.get("bar_id_number", "").strip()[:18],
            post.get("bar_name", "").strip()[:100],
        )  # fmt: skip
    return recovery, bar


# --- documents ------------------------------------------------------------------------------


@login_required
@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """公示公告 (PDF) of the campaign, from the same masked list as the public page (host only)."""
    from approvals import publicity_documents
    from approvals.web.documents import _download

    campaign = _hosted_campaign(request_user(request), pk)
    try:
        data = publicity_public.build_public_list(campaign.pk)
    except NotVisible:
        messages.error(request, _("该活动尚未公示"))
        return HttpResponseRedirect(reverse("portal:dashboard", args=[campaign.pk]))
    pdf = publicity_documents.render_notice_pdf(data, publicity_documents.notice_facts(campaign))
    return _download(pdf, "application/pdf", f"{campaign.title}-公示.pdf")


@login_required
@require_GET
def final_list_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """最终名单 (Excel): the host's committee and campaign administrators."""
    from approvals import publicity_documents
    from approvals.web.documents import _download

    campaign = _hosted_campaign(request_user(request), pk)
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(publicity_documents.render_final_xlsx(campaign), mime, f"{campaign.title}-最终名单.xlsx")


# --- the public 公示 page ------------------------------------------------------------------


def publicity_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The public 公示 page (HTML), from the same cache entry as the API."""
    gzipped = publicity_public.accepts_gzip(request)
    try:
        body = publicity_public.public_html(campaign_id, gzipped=gzipped)
        return publicity_public.public_response(body, gzipped=gzipped, content_type="text/html; charset=utf-8")
    except NotVisible:
        return HttpResponse(_("没有该公示"), status=404)


def publicity_page_uncached(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The same page built on every request (benchmark baseline only; mounted with SEALFLOW_BENCH_VIEWS)."""
    body = publicity_public.render_html(publicity_public.build_public_list(campaign_id)).encode()
    gzipped = publicity_public.accepts_gzip(request)
    if gzipped:
        body = gzip.compress(body, compresslevel=6, mtime=0)
    return publicity_public.public_response(body, gzipped=gzipped, content_type="text/html; charset=utf-8")
