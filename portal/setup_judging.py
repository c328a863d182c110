"""Campaign setup pages for what follows intake (issue 17): judging rounds, award tiers and their
floors, supplements (补充材料), and the ranked entrant lists (参赛名单).

Like the other setup editors (portal/campaign_setup.py) every save of the definition is one
``workflows.actions.update_campaign`` (checked whole by ``workflows.specs`` with
``workflows/rounds.py`` and ``workflows/supplements.py``, audited as ``campaign.updated``); an
entrant list is saved by ``approvals.actions.set_entrant_list``, the action the API's ``PUT``
calls (audited as ``entrant_list.set``). Each page is for a draft only and shows, under the rows,
what the typed definition will mean once saved.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Organization
from accounts.roles import OrgKind
from approvals import actions as approval_actions
from config.errors import InvalidInput, SealflowError
from portal import setup_editors as ed
from portal import setup_judging_rows as jr
from portal.campaign_setup import _cells, _kind_label, _managed_campaign, _not_draft, _overview_url, _save
from workflows import rounds
from workflows import selectors as campaign_selectors
from workflows.models import Campaign, EntrantList

_OP = re.compile(r"^(?:(?P<prefix>[a-z]):)?(?P<op>.+)\Z")


def _kinds(campaign: Campaign) -> list[tuple[str, str]]:
    return [(k, _kind_label(k)) for k in campaign.kinds]


def _plain(messages_: list[str], kinds: list[tuple[str, str]]) -> list[str]:
    """Messages of the definition's check with a kind's key (“case”) written as its name (“案例”)."""
    out = []
    for message in messages_:
        for value, label in kinds:
            message = message.replace(f"“{value}”", f"“{label}”")
        out.append(message)
    return out


def _split_op(raw: str) -> tuple[str, str]:
    match = _OP.match(raw or "save")
    return (match.group("prefix") or "", match.group("op")) if match else ("", "save")


# --- rounds --------------------------------------------------------------------------------------


def _weight_sums(typed: list[dict[str, Any]], campaign: Campaign) -> list[dict[str, Any]]:
    """Each kind's rounds and their weights added up, exactly as ``workflows.rounds`` adds them."""
    sums = []
    for kind, label in _kinds(campaign):
        mine = [r for r in typed if kind in (r.get("kinds") or [])]
        if not mine:
            continue
        total = sum((rounds.decimal_of(r.get("weight", 0)) or Decimal(0) for r in mine), Decimal(0))
        sums.append({"label": label, "total": total, "ok": total == 100, "names": "、".join(r["name"] for r in mine)})
    return sums


@login_required
@require_http_methods(["GET", "POST"])
def setup_rounds(request: HttpRequest, pk: int) -> HttpResponse:
    """评审轮次: one row per round (name, key, method, kinds, weight, rubric, step, trim, cut, …)."""
    user, campaign = _managed_campaign(request, pk)
    if (redirect := _not_draft(request, campaign)) is not None:
        return redirect
    kinds = list(campaign.kinds)
    columns = jr.round_columns(_kinds(campaign))
    if request.method == "POST":
        editor = ed.Editor(ed.posted_rows(request.POST, "r", columns))
        _prefix, op = _split_op(request.POST.get("op", "save"))
        if ed.apply_row_op(editor.rows, op, jr.blank_round_row(kinds)):
            messages.info(request, _("轮次已调整，尚未保存：确认后请点击“保存评审轮次”。"))
        else:
            rounds, errors = jr.rounds_from_rows(editor.rows, kinds)
            if not errors:
                errors = _save(request, user, campaign, {"rounds": rounds})
            if not errors:
                messages.success(request, _("评审轮次已保存。"))
                return HttpResponseRedirect(_overview_url(campaign))
            ed.place_errors(editor, errors, "rounds", columns)
            editor.general = _plain(editor.general, _kinds(campaign))
    else:
        editor = ed.Editor(jr.round_rows(campaign.rounds, kinds))
    typed, _unreadable = jr.rounds_from_rows(editor.rows, kinds)
    context = {
        "campaign": campaign,
        "rows": _cells(editor, "r", columns),
        "general_errors": editor.general,
        "prefix": "r",
        "row_name": _("轮次"),
        "reading": jr.rounds_reading(typed, dict(_kinds(campaign))),
        "weights": _weight_sums(typed, campaign),
    }
    return render(request, "portal/setup_rounds.html", context)


# --- tiers and tier floors -----------------------------------------------------------------------


def _floor_fields(campaign: Campaign) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for kind in campaign.kinds:
        for f in campaign.forms.get(kind, {}).get("fields", []):
            seen.setdefault(str(f.get("key")), f"{_kind_label(kind)} · {f.get('label')}（{f.get('key')}）")
    return list(seen.items())


@login_required
@require_http_methods(["GET", "POST"])
def setup_tiers(request: HttpRequest, pk: int) -> HttpResponse:
    """奖项等次 per kind (name, key, count, prize) and 等次比例下限 (kind, field, values, share)."""
    user, campaign = _managed_campaign(request, pk)
    if (redirect := _not_draft(request, campaign)) is not None:
        return redirect
    kinds = _kinds(campaign)
    tier_cols = jr.tier_columns(kinds)
    floor_cols = jr.floor_columns(kinds, _floor_fields(campaign))
    if request.method == "POST":
        tiers_ed = ed.Editor(ed.posted_rows(request.POST, "t", tier_cols))
        floors_ed = ed.Editor(ed.posted_rows(request.POST, "g", floor_cols))
        prefix, op = _split_op(request.POST.get("op", "save"))
        first_kind = kinds[0][0] if kinds else ""
        blank_tier = {"kind": first_kind, "name": "", "key": "", "count": "", "prize": "", "extra": ""}
        blank_floor = {"kind": first_kind, "field": "", "values": "", "min_share": "", "extra": ""}
        moved = (prefix == "t" and ed.apply_row_op(tiers_ed.rows, op, blank_tier)) or (
            prefix == "g" and ed.apply_row_op(floors_ed.rows, op, blank_floor)
        )
        if moved:
            messages.info(request, _("等次已调整，尚未保存：确认后请点击“保存奖项等次”。"))
        else:
            tiers, where = jr.tiers_from_rows(tiers_ed.rows)
            floors, errors = jr.floors_from_rows(floors_ed.rows)
            if errors:  # the levels are checked too, so that every wrong input is named at once
                errors.update(rounds.check_tiers(tiers, list(campaign.kinds)))
            else:
                errors = _save(request, user, campaign, {"tiers": tiers, "tier_floors": floors})
            if not errors:
                messages.success(request, _("奖项等次已保存。"))
                return HttpResponseRedirect(_overview_url(campaign))
            tier_errors: dict[str, list[str]] = {}
            floor_errors: dict[str, list[str]] = {}
            for key, msgs in errors.items():
                if key.startswith("tier_floors"):
                    floor_errors[key] = msgs
                    continue
                at = re.match(r"^tiers\.[a-z_]+\[\d+\]", key)
                tier_errors[(where.get(at.group(0), "tiers") + key[at.end() :]) if at else key] = msgs
            ed.place_errors(tiers_ed, tier_errors, "tiers", tier_cols)
            ed.place_errors(floors_ed, floor_errors, "tier_floors", floor_cols)
            tiers_ed.general = _plain(tiers_ed.general + floors_ed.general, kinds)
    else:
        tiers_ed = ed.Editor(jr.tier_rows(campaign.tiers, list(campaign.kinds)))
        floors_ed = ed.Editor(jr.floor_rows(campaign.tier_floors))
    typed_tiers, _where = jr.tiers_from_rows(tiers_ed.rows)
    typed_floors, _errors = jr.floors_from_rows(floors_ed.rows)
    context = {
        "campaign": campaign,
        "tier_rows": _cells(tiers_ed, "t", tier_cols),
        "floor_rows": _cells(floors_ed, "g", floor_cols),
        "general_errors": tiers_ed.general,
        "reading": jr.tiers_reading(typed_tiers, typed_floors, dict(_kinds(campaign)), campaign.forms),
    }
    return render(request, "portal/setup_tiers.html", context)


# --- supplements ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def setup_supplements(request: HttpRequest, pk: int) -> HttpResponse:
    """补充材料: documents a submitted nomination adds later, each by its own date."""
    user, campaign = _managed_campaign(request, pk)
    if (redirect := _not_draft(request, campaign)) is not None:
        return redirect
    columns = jr.SUPPLEMENT_COLUMNS
    if request.method == "POST":
        editor = ed.Editor(ed.posted_rows(request.POST, "m", columns))
        _prefix, op = _split_op(request.POST.get("op", "save"))
        if ed.apply_row_op(editor.rows, op, jr.blank_supplement_row()):
            messages.info(request, _("补充材料已调整，尚未保存：确认后请点击“保存补充材料”。"))
        else:
            errors = _save(request, user, campaign, {"supplements": jr.supplements_from_rows(editor.rows)})
            if not errors:
                messages.success(request, _("补充材料已保存。"))
                return HttpResponseRedirect(_overview_url(campaign))
            ed.place_errors(editor, errors, "supplements", columns)
    else:
        editor = ed.Editor(jr.supplement_rows(campaign.supplements))
    context = {
        "campaign": campaign,
        "rows": _cells(editor, "m", columns),
        "general_errors": editor.general,
        "prefix": "m",
        "row_name": _("补充材料"),
        "reading": jr.supplements_reading(jr.supplements_from_rows(editor.rows)),
    }
    return render(request, "portal/setup_supplements.html", context)


# --- entrant lists -------------------------------------------------------------------------------


def _unit_lines(text: str) -> list[tuple[int, str]]:
    """The non-empty lines as (line number, unit name), a leading "1." or "1、" rank dropped."""
    lines = []
    for n, raw in enumerate(text.splitlines(), start=1):
        name = re.sub(r"^\s*\d+\s*[.、．)）]\s*", "", raw).strip()
        if name:
            lines.append((n, name))
    return lines


def match_units(campaign: Campaign, lines: list[tuple[int, str]]) -> tuple[list[Organization], dict[int, str]]:
    """The units the lines name (by name or code, in order), and an error per line that names none or several."""
    names = [name for _n, name in lines]
    found: dict[str, list[Organization]] = {}
    for org in Organization.objects.filter(Q(name__in=names) | Q(code__in=names), kind=OrgKind.UNIT):
        for key in {org.name, org.code}:
            found.setdefault(key, []).append(org)
    units: list[Organization] = []
    errors: dict[int, str] = {}
    for n, name in lines:
        candidates = found.get(name, [])
        if len(candidates) > 1:
            candidates = [o for o in candidates if campaign_selectors.accepts_unit(campaign, o)]
        if not candidates:
            errors[n] = _("第 {n} 行：没有名为“{name}”的申报单位，请按组织机构中的全称填写").format(n=n, name=name)
        elif len(candidates) > 1:
            codes = "、".join(o.code for o in candidates)
            errors[n] = _("第 {n} 行：有多个“{name}”，请改写为其组织代码（{codes}）").format(
                n=n, name=name, codes=codes
            )
        else:
            units.append(candidates[0])
    return units, errors


def _choice_fields(campaign: Campaign, kind: str) -> list[tuple[str, str]]:
    fields = campaign.forms.get(kind, {}).get("fields", [])
    return [(str(f["key"]), f"{f.get('label')}（{f['key']}）") for f in fields if f.get("type") == "choice"]


@login_required
@require_http_methods(["GET", "POST"])
def setup_entrants(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """参赛名单 of one kind: places, the answer it restricts (optional), the ranked units one per line."""
    user, campaign = _managed_campaign(request, pk)
    if kind not in campaign.kinds:
        raise Http404()
    if (redirect := _not_draft(request, campaign)) is not None:
        return redirect
    current = EntrantList.objects.filter(campaign=campaign, kind=kind).first()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {
            "places": request.POST.get("places", "").strip(),
            "field": request.POST.get("field", ""),
            "value": request.POST.get("value", "").strip(),
            "units": request.POST.get("units", ""),
        }
        lines = _unit_lines(values["units"])
        units, unknown = match_units(campaign, lines)
        if unknown:
            errors["units"] = list(unknown.values())
        if not lines:
            errors["units"] = [_("请填写参赛单位，每行一个，按排名先后")]
        if not values["places"].isdigit() or int(values["places"]) < 1:
            errors["places"] = [_("参赛名额应为正整数")]
        if values["field"] and not values["value"]:
            errors["value"] = [_("选择了申报表字段时，请填写该字段的取值")]
        if not errors:
            try:
                approval_actions.set_entrant_list(
                    campaign.pk, actor=user, kind=kind, places=int(values["places"]), units=units,
                    field=values["field"], value=values["value"] if values["field"] else "",
                )  # fmt: skip
            except InvalidInput as exc:
                errors = _entrant_errors(dict(exc.errors or {}) or {"__all__": [str(exc.detail)]}, lines)
            except SealflowError as exc:
                errors = {"__all__": [str(exc.detail)]}
            else:
                messages.success(request, _("“{kind}”的参赛名单已保存。").format(kind=_kind_label(kind)))
                return HttpResponseRedirect(_overview_url(campaign))
    elif current is not None:
        ranked = current.entries.select_related("unit").order_by("rank")
        values = {"places": str(current.places), "field": current.field, "value": current.value,
                  "units": "\n".join(e.unit.name for e in ranked)}  # fmt: skip
    else:
        values = {"places": "", "field": "", "value": "", "units": ""}
    count = len(_unit_lines(values["units"]))
    places = int(values["places"]) if values["places"].isdigit() else 0
    context = {
        "campaign": campaign,
        "kind": kind,
        "kind_label": _kind_label(kind),
        "values": values,
        "errors": errors,
        "general_errors": [m for k, ms in errors.items() if k not in values for m in ms],
        "fields": _choice_fields(campaign, kind),
        "count": count,
        "holding": min(places, count),
        "reserves": max(count - places, 0),
        "current": current,
    }
    return render(request, "portal/setup_entrants.html", context)


def _entrant_errors(errors: dict[str, list[str]], lines: list[tuple[int, str]]) -> dict[str, list[str]]:
    """The action's errors on the page's inputs: ``units[i]`` is the i-th unit's line."""
    out: dict[str, list[str]] = {}
    for key, msgs in errors.items():
        at = re.match(r"^units\[(\d+)\]", key)
        if at and int(at.group(1)) < len(lines):
            n = lines[int(at.group(1))][0]
            out.setdefault("units", []).extend(_("第 {n} 行：{m}").format(n=n, m=m) for m in msgs)
        elif key in ("places", "field", "units"):
            out.setdefault(key, []).extend(msgs)
        else:
            out.setdefault("__all__", []).extend(msgs)
    return out
