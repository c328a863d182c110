"""The entrant-list page (参赛名单, 顺延 [002]): ranks, places, reserves, declines; and the decline form.

The committee reads every list of the campaign in full (who declined and why) and may record a
unit's decline; a listed unit's submitter or leader reads the lists naming the unit and declines
its own place. Reads through ``approvals.api.entrants.readable_lists``; the change is
``approvals.actions.decline_entrant_place``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.models import Organization
from approvals import actions
from approvals.actions.entrants import DECLINE_OPEN
from approvals.api.entrants import entrant_campaign, list_data, readable_lists
from config.errors import NotPermitted, NotVisible, SealflowError
from config.request_context import request_user
from config.web.errors import report
from workflows.models import Campaign


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    try:
        return entrant_campaign(request_user(request), pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc


@login_required
@require_GET
def entrant_lists(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    campaign = _campaign(request, pk)
    try:
        lists, full = readable_lists(user, campaign)
    except NotPermitted as exc:
        raise Http404(exc.detail) from exc
    mine = set(permissions.units_nominating_by(user).values_list("pk", flat=True))
    tables: list[dict[str, Any]] = []
    for entrant_list in lists:
        data = list_data(entrant_list, full=full)
        for entry in data["entries"]:
            entry["may_decline"] = entry["standing"] != "declined" and (full or entry["unit"] in mine)
            entry["is_mine"] = entry["unit"] in mine
        tables.append(data)
    holds_place = any(e["is_mine"] and e["standing"] == "place" for t in tables for e in t["entries"])
    context = {
        "campaign": campaign,
        "lists": tables,
        "full": full,
        "collecting": campaign.status in DECLINE_OPEN,
        "is_committee": full,
        "holds_place": holds_place,
        "may_nominate": campaign.status == Campaign.Status.OPEN and holds_place,
    }
    return render(request, "approvals/entrants.html", context)


@login_required
@require_POST
def decline(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    user = request_user(request)
    campaign = _campaign(request, pk)
    raw = request.POST.get("unit", "")
    unit = Organization.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
    if unit is None:
        messages.error(request, _("请选择要放弃参赛名额的单位"))
    else:
        try:
            entry = actions.decline_entrant_place(
                campaign.pk, actor=user, kind=kind, unit=unit, reason=request.POST.get("reason", "")
            )
        except SealflowError as exc:
            report(request, exc)
        else:
            messages.success(
                request,
                _("已记录“{unit}”放弃参赛名额（排名第 {rank} 位）；名额按排名顺延给下一候补单位。").format(
                    unit=unit.name, rank=entry.rank
                ),
            )
    return HttpResponseRedirect(reverse("approvals:entrants", args=[campaign.pk]))
