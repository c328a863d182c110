"""The public likes page (网络点赞): phone-sized, Chinese, no account, no script needed.

One form: the phone and its SMS code on top, each entry a card whose button casts the like.
Every refusal comes back as a Chinese message on the same page.

The committee's pages (网络点赞管理, the host's committee only, 404 to others): open a window on a
vote round, watch the live counts and the anomaly report, void votes with a recorded reason, and
close the window; each calls the same action as the API (voting/api.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from approvals.web.common import parse_local
from config.errors import InvalidInput, NotVisible, SealflowError, ServiceUnavailable
from config.request_context import request_user
from config.web.errors import or_404, report
from voting import actions, selectors
from voting.models import Vote, VotingWindow
from workflows import selectors as campaign_selectors
from workflows.models import Campaign
from workflows.rounds import is_likes_round


def official_date(value: datetime) -> str:
    """A time as an official notice writes it: ``2026年12月9日17时`` (``17时30分`` when not on the hour)."""
    local = timezone.localtime(value)
    text = f"{local.year}年{local.month}月{local.day}日"
    if local.hour or local.minute:
        text += f"{local.hour}时" + (f"{local.minute}分" if local.minute else "")
    return text


@require_http_methods(["GET", "POST"])
def vote_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    try:
        window = selectors.public_window(campaign_id)
    except NotVisible:
        raise Http404() from None
    values = {"phone": request.POST.get("phone", "")[:40], "code": request.POST.get("code", "")[:12]}
    context: dict[str, Any] = {"message": "", "error": "", "errors": {}, "voted": None}
    status = 200
    if request.method == "POST":
        address = str(request.META.get("REMOTE_ADDR") or "")
        try:
            if request.POST.get("action") == "code":
                actions.send_vote_code(values["phone"], address=address)
                context["message"] = _("验证码已发送至您的手机，{n}分钟内有效。").format(n=actions.CODE_MINUTES)
            else:
                raw = request.POST.get("nomination", "")
                if not raw.isdigit() or len(raw) > 18:
                    raise InvalidInput(_("请选择要点赞的作品"))
                actions.cast_vote(int(raw), phone=values["phone"], code=values["code"], address=address)
                context["voted"] = int(raw)
                context["message"] = _("点赞成功，感谢您的参与！")
        except NotVisible:
            context["error"] = _("该作品不在本次网络点赞范围内")
        except SealflowError as exc:
            context["error"] = exc.detail
            if isinstance(exc, ServiceUnavailable):  # the rate limit cannot be counted: refused, not accepted
                status = exc.status
            if isinstance(exc, InvalidInput):
                context["errors"] = exc.errors
    now = timezone.now()
    context.update(
        window=window,
        campaign=window.campaign,
        values=values,
        open=selectors.is_open(window, now),
        not_yet=window.closed_at is None and now < window.starts_at,
        starts=official_date(window.starts_at),
        ends=official_date(window.ends_at),
        standings=selectors.standings(window),
        per_day=window.per_phone_per_day,
    )
    return render(request, "voting/vote.html", context, status=status)


# --- the committee's pages (网络点赞管理): the same actions and selectors as voting/api.py ---------


def _committee_campaign(request: HttpRequest, pk: int) -> Campaign:
    """The campaign, for the host's committee only; 404 for everyone else."""
    user = request_user(request)
    return or_404(lambda: campaign_selectors.get_campaign_for(user, pk, permissions.can_run_voting))


def _vote_rounds(campaign: Campaign) -> list[dict[str, Any]]:
    """The campaign's ``vote`` rounds of weight 0 (a public likes round each)."""
    return [r for r in campaign.rounds or [] if is_likes_round(r)]


def _local_input(value: str, field: str) -> datetime:
    """A required ``datetime-local`` field (Beijing time); 400 on the field when empty or malformed."""
    parsed = parse_local(value, field)
    if parsed is None:
        raise InvalidInput.for_field(field, _("请填写正确的日期和时间"))
    return parsed


def _window_of(campaign: Campaign, window_id: int) -> VotingWindow:
    window = VotingWindow.objects.filter(pk=window_id, campaign=campaign).select_related("campaign").first()
    if window is None:
        raise Http404()
    return window


@login_required
@require_GET
def committee_voting(request: HttpRequest, pk: int) -> HttpResponse:
    """网络点赞管理: the vote rounds, their windows, and the form to open one."""
    campaign = _committee_campaign(request, pk)
    windows = {w.round_key: w for w in VotingWindow.objects.filter(campaign=campaign).order_by("starts_at", "pk")}
    now = timezone.now()
    rounds = [
        {"key": r["key"], "name": r.get("name") or r["key"], "window": windows.get(r["key"]),
         "open": windows.get(r["key"]) is not None and selectors.is_open(windows[r["key"]], now),
         "tiers": bool(r.get("tiers"))}
        for r in _vote_rounds(campaign)
    ]  # fmt: skip
    return render(
        request, "voting/committee.html",
        {"campaign": campaign, "rounds": rounds, "openable": [r for r in rounds if r["window"] is None]},
    )  # fmt: skip


@login_required
@require_POST
def committee_open(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    back = HttpResponseRedirect(reverse("voting:committee", args=[campaign.pk]))
    try:
        per_day = request.POST.get("per_phone_per_day", "").strip()
        if not per_day.isdigit() or len(per_day) > 3:
            raise InvalidInput.for_field("per_phone_per_day", _("每个手机号每天可投票数须在1到100之间"))
        window = actions.open_voting(
            campaign.pk, request.POST.get("round", "")[:40], actor=request_user(request),
            starts_at=_local_input(request.POST.get("starts_at", ""), "starts_at"),
            ends_at=_local_input(request.POST.get("ends_at", ""), "ends_at"), per_phone_per_day=int(per_day),
        )  # fmt: skip
    except SealflowError as exc:
        report(request, exc)
        return back
    messages.success(
        request,
        _("已开启网络点赞：{start}至{end}，共 {n} 件作品").format(
            start=official_date(window.starts_at), end=official_date(window.ends_at), n=window.entries.count()
        ),
    )
    return HttpResponseRedirect(reverse("voting:committee-window", args=[campaign.pk, window.pk]))


def _minute_label(iso: str) -> str:
    moment = parse_datetime(iso)
    return timezone.localtime(moment).strftime("%H:%M") if moment else iso


@login_required
@require_GET
def committee_window(request: HttpRequest, pk: int, window_id: int) -> HttpResponse:
    """One window: live counts, the anomaly report, voiding with a reason, closing."""
    campaign = _committee_campaign(request, pk)
    window = _window_of(campaign, window_id)
    burst = request.GET.get("burst", "10")
    burst_n = int(burst) if burst.isdigit() and 2 <= int(burst) <= 10000 else 10
    report_data = selectors.anomaly_report(window, burst=burst_n)
    per_minute = [{**m, "label": _minute_label(m["minute"])} for m in report_data["per_minute"]]
    now = timezone.now()
    definition = next((r for r in _vote_rounds(campaign) if r.get("key") == window.round_key), {})
    return render(
        request,
        "voting/committee_window.html",
        {
            "campaign": campaign, "window": window, "round_name": definition.get("name") or window.round_key,
            "standings": selectors.standings(window), "report": report_data,
            "bursts": [m for m in per_minute if m["burst"]], "per_minute": per_minute[-60:],
            "open": selectors.is_open(window, now), "ended": now >= window.ends_at,
            "closable": window.closed_at is None and now >= window.ends_at, "has_tiers": bool(definition.get("tiers")),
            "starts": official_date(window.starts_at), "ends": official_date(window.ends_at),
            "closed": official_date(window.closed_at) if window.closed_at else "",
            "voided_votes": Vote.objects.filter(window=window, voided=True).order_by("-voided_at", "-pk")[:20],
        },
    )  # fmt: skip


@login_required
@require_POST
def committee_void(request: HttpRequest, pk: int, window_id: int) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    window = _window_of(campaign, window_id)
    back = HttpResponseRedirect(reverse("voting:committee-window", args=[campaign.pk, window.pk]))
    try:
        raw_ids = [
            p for p in request.POST.get("ids", "").replace("，", ",").replace("、", ",").split(",") if p.strip()
        ]
        if not all(p.strip().isdigit() and len(p.strip()) <= 18 for p in raw_ids):
            raise InvalidInput.for_field("ids", _("票号须为数字，用逗号分隔"))
        since, until = request.POST.get("since", ""), request.POST.get("until", "")
        where = actions.VoteFilter(
            address=request.POST.get("address", "").strip()[:64],
            phone_prefix=request.POST.get("phone_prefix", "").strip()[:11],
            since=_local_input(since, "since") if since.strip() else None,
            until=_local_input(until, "until") if until.strip() else None,
        )
        voided = actions.void_votes(
            window.pk, actor=request_user(request), reason=request.POST.get("reason", "")[:500],
            ids=[int(p) for p in raw_ids][:10000], where=where,
        )  # fmt: skip
    except SealflowError as exc:
        report(request, exc)
        return back
    if voided:
        messages.success(request, _("已作废 {n} 票，原因已记录").format(n=len(voided)))
    else:
        messages.warning(request, _("没有符合条件的有效票，未作废任何票"))
    return back


@login_required
@require_POST
def committee_close(request: HttpRequest, pk: int, window_id: int) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    window = _window_of(campaign, window_id)
    try:
        actions.close_voting(window.pk, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已结束网络点赞统计，票数已计入本轮结果"))
    return HttpResponseRedirect(reverse("voting:committee-window", args=[campaign.pk, window.pk]))
