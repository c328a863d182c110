"""Pages of the lottery (抽签) and the live results: the public draw page, the committee's page
(commit, the representatives' values, draw, publish the next group) and the public big-screen
scoreboard. Every state change is one action of ``judging.actions``; refusals show in Chinese."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from approvals.models import Nomination
from config.errors import NotVisible, SealflowError
from config.request_context import request_user
from config.web.errors import report
from judging import actions, api_live
from judging.models import Assignment, Draw, Round
from workflows import selectors as campaign_selectors
from workflows.models import Campaign

SCOREBOARD_REFRESH_SECONDS = 10


def _committee_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """A campaign whose judging the user runs; 404 for anyone else (as the other committee pages)."""
    user = request_user(request)
    try:
        campaign = campaign_selectors.get_visible_campaign(user, campaign_id)
    except NotVisible as exc:
        raise Http404() from exc
    if not permissions.can_run_judging(user, campaign):
        raise Http404()
    return campaign


def _definition(campaign: Campaign, key: str) -> dict[str, Any]:
    try:
        return actions.round_definition(campaign, key)
    except NotVisible as exc:
        raise Http404() from exc


def _back(campaign_id: int, key: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("live:committee", args=[campaign_id, key]))


# --- public ---------------------------------------------------------------------------------


@require_GET
def draw_page(request: HttpRequest, pk: int) -> HttpResponse:
    """抽签公开页: the commitment before the draw; after it the whole record and how to recompute it."""
    try:
        record = api_live.public_draw(pk)
    except NotVisible as exc:
        raise Http404() from exc
    return render(request, "judging/live/draw.html", {"record": record})


@require_GET
def scoreboard(request: HttpRequest, campaign_id: int, key: str) -> HttpResponse:
    """The big-screen live scoreboard: published groups only; reloads itself every few seconds."""
    try:
        data = api_live.public_scores(campaign_id, key)
    except NotVisible as exc:
        raise Http404() from exc
    campaign = Campaign.objects.get(pk=campaign_id)
    definition = actions.round_definition(campaign, key)
    every = definition.get("publish_every") or 0
    rows = data["results"]
    latest_from = ((len(rows) - 1) // every) * every + 1 if every and rows else 1
    for row in rows:
        row["latest"] = bool(every) and row["order"] >= latest_from
    ranking = sorted(rows, key=lambda r: (-r["score"], r["order"]))[:10]
    for i, row in enumerate(ranking):  # equal scores share a rank (1, 2, 2, 4)
        tied = i and row["score"] == ranking[i - 1]["score"]
        row["rank"] = ranking[i - 1]["rank"] if tied else i + 1
    response = render(
        request,
        "judging/live/scoreboard.html",
        {"campaign": campaign, "data": data, "rows": rows, "ranking": ranking, "every": every,
         "refresh": SCOREBOARD_REFRESH_SECONDS},
    )  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


# --- committee ------------------------------------------------------------------------------


def _progress(current: Round | None, ids: list[int]) -> dict[int, tuple[int, int]]:
    """nomination -> (submitted sheets, sheets expected), not counting recusals; one query."""
    if current is None:
        return {}
    rows = (
        Assignment.objects.filter(round=current, nomination_id__in=ids)
        .values("nomination_id")
        .annotate(
            done=Count("pk", filter=Q(status=Assignment.Status.SUBMITTED)),
            expected=Count("pk", filter=~Q(status=Assignment.Status.RECUSED)),
        )
    )
    return {r["nomination_id"]: (r["done"], r["expected"]) for r in rows}


@login_required
@require_GET
def committee_page(request: HttpRequest, campaign_id: int, key: str) -> HttpResponse:
    """组委会现场页: commit, enter the representatives' values, draw, publish the next group."""
    campaign = _committee_campaign(request, campaign_id)
    definition = _definition(campaign, key)
    current = Round.objects.filter(campaign=campaign, key=key).first()
    draw = Draw.objects.filter(round=current).first() if current else None
    order = list(draw.order) if draw and draw.drawn_at else []
    entry_ids = order
    if not order:
        try:
            entry_ids = [i for ids in actions.round_entries(campaign, definition).values() for i in ids]
        except SealflowError:
            entry_ids = []
    labels = dict(Nomination.objects.filter(pk__in=entry_ids).values_list("pk", "title"))
    units = dict(Nomination.objects.filter(pk__in=entry_ids).values_list("pk", "unit__name"))
    progress = _progress(current, entry_ids)
    published_through = current.published_through if current else 0
    every = definition.get("publish_every") or 0
    rows = [
        {"place": place if order else None, "nomination": entry, "title": labels.get(entry, ""),
         "unit": units.get(entry, ""), "done": progress.get(entry, (0, 0))[0],
         "expected": progress.get(entry, (0, 0))[1], "published": bool(order) and place <= published_through}
        for place, entry in enumerate(entry_ids, start=1)
    ]  # fmt: skip
    next_through = 0
    if order and published_through < len(order):
        step = every or 1
        next_through = min(len(order), (published_through // step + 1) * step)
    return render(
        request,
        "judging/live/committee.html",
        {
            "campaign": campaign,
            "definition": definition,
            "is_lottery": definition.get("order") == "lottery",
            "draw": draw,
            "drawn": bool(order),
            "rows": rows,
            "published_through": published_through,
            "every": every,
            "next_through": next_through,
            "total": len(order),
        },
    )


@login_required
@require_POST
def commit(request: HttpRequest, campaign_id: int, key: str) -> HttpResponse:
    campaign = _committee_campaign(request, campaign_id)
    try:
        draw = actions.commit_draw(campaign.pk, key, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已生成并公布抽签承诺值：{c}").format(c=draw.commitment))
    return _back(campaign.pk, key)


@login_required
@require_POST
def perform(request: HttpRequest, campaign_id: int, key: str) -> HttpResponse:
    """抽签: the representatives' values, one per line, in the order they were given."""
    campaign = _committee_campaign(request, campaign_id)
    lines = [line.strip() for line in request.POST.get("contributions", "").splitlines()]
    try:
        draw = actions.perform_draw(
            campaign.pk, key, actor=request_user(request), contributions=[line for line in lines if line]
        )
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("抽签完成，共 {n} 个出场").format(n=len(draw.order)))
    return _back(campaign.pk, key)


@login_required
@require_POST
def publish(request: HttpRequest, campaign_id: int, key: str) -> HttpResponse:
    campaign = _committee_campaign(request, campaign_id)
    raw = request.POST.get("through", "").strip()
    through = int(raw) if raw.isdigit() and len(raw) <= 6 else 0
    try:
        publication = actions.publish_results(
            campaign.pk, key, actor=request_user(request), through=through, partial=request.POST.get("partial") == "1"
        )
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已公布前 {n} 个出场的成绩").format(n=publication.published_through))
    return _back(campaign.pk, key)
