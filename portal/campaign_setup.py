"""Campaign setup pages for the host's campaign administrators (issue 17).

Create a campaign from one of the seed notices or from scratch, edit a draft (basics, the stage
editor, the form editor with the submitter's preview, eligibility rules, quotas), and open, close
or reopen it. Every save calls the audited actions the API calls (``workflows.actions``:
``create_campaign``, ``update_campaign``, ``change_campaign_status``), so the whole definition is
checked by ``workflows.specs`` and each change is in the audit trail; a refusal comes back next
to the input it names with what the user typed kept.

They live in portal because they read two apps: the quota usage (``approvals.quotas``) and the
nomination form renderer (``approvals.web.formdefs``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.models import Organization, User
from accounts.roles import OrgKind, Role
from approvals import quotas
from approvals import selectors as approval_selectors
from approvals.web import formdefs
from config.errors import InvalidInput, NotVisible, SealflowError
from config.request_context import request_user
from config.web.errors import report
from portal import setup_editors as ed
from portal import setup_judging_rows as jr
from workflows import actions, admin_preview, forms
from workflows import selectors as campaign_selectors
from workflows.api.serializers import end_of_day
from workflows.demo import campaign_spec, demo_definitions
from workflows.models import Campaign, NominationKind, Stage

# The one field a campaign made from scratch starts with, per kind (the form editor changes it).
STARTER_FIELD = {"key": "summary", "label": "申报材料简介", "type": forms.LONG_TEXT, "required": True,
                 "max_length": 2000}  # fmt: skip
STARTER_STAGE = {"key": "host_review", "name": "主办单位审核", "role": Role.COMMITTEE, "seal": False}

# Why each part of the definition is fixed once intake is open (shown on the read-only view).
LOCKED_PARTS = (
    (gettext_lazy("审批环节"), gettext_lazy(
        "已提交的申报正按这些环节逐级签署意见、加盖印章；增删或调换环节会让已签署的意见和印章对不上环节，"
        "也会让审批中的申报跳过或重复某个环节。")),
    (gettext_lazy("申报表"), gettext_lazy(
        "已填写和提交的申报按这张表填写、校验，印章覆盖申报表的内容；改动表单会让已盖章的内容与表单不一致。")),
    (gettext_lazy("申报条件"), gettext_lazy(
        "已提交的申报已按这些条件核对；中途改动条件，先后提交的单位就不是按同一标准申报。")),
    (gettext_lazy("名额"), gettext_lazy(
        "各单位已按公布的名额报送，名额的使用已经计入；改动名额会使已报送的申报超额或失去名额。")),
    (gettext_lazy("评审轮次和奖项等次"), gettext_lazy(
        "已按通知公布评审办法和奖项名额，各单位据此申报；中途改动会使先后申报的单位不是按同一办法评审。")),
    (gettext_lazy("补充材料"), gettext_lazy(
        "各单位按公布的补充材料和截止日期准备、补交并加盖印章；改动会使已补交的材料与要求不一致。")),
    (gettext_lazy("参赛名单"), gettext_lazy(
        "名单中的单位已按排名持有名额或候补，放弃时依次顺延；改动名单会使已申报或已放弃的单位失去依据。")),
    (gettext_lazy("征集时间、公示天数等基本信息"), gettext_lazy(
        "已按通知公布；征集可以截止或重新开放（见下方“活动状态”），但通知中公布的规则不能改。")),
)  # fmt: skip

_OPEN_MEANING = gettext_lazy(
    "开始征集后，活动对各单位公开，各单位可以新建和提交申报，直到申报截止时间；"
    "此后审批环节、申报表、申报条件、名额和基本信息都不能再修改。"
)
_DONE = {
    "open": gettext_lazy("已开始征集。各单位现在可以新建和提交申报。"),
    "close": gettext_lazy("已截止征集。各单位不能再新建或首次提交申报。"),
    "reopen": gettext_lazy("已重新开放征集。"),
    "start_review": gettext_lazy("活动已进入评审阶段。"),
}


def _kind_label(kind: str) -> str:
    return str(NominationKind(kind).label) if kind in NominationKind.values else kind


def _managed_campaign(request: HttpRequest, pk: int) -> tuple[User, Campaign]:
    """The campaign, for a campaign administrator of its host only (404 for everyone else)."""
    user = request_user(request)
    try:
        campaign = campaign_selectors.get_visible_campaign(user, pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    if not permissions.can_manage_campaign(user, campaign):
        raise Http404()
    return user, campaign


def _overview_url(campaign: Campaign) -> str:
    return reverse("portal:campaign-setup", args=[campaign.pk])


def _not_draft(request: HttpRequest, campaign: Campaign) -> HttpResponse | None:
    """An editor of a campaign past draft: back to the read-only view, saying why."""
    if campaign.status == Campaign.Status.DRAFT:
        return None
    messages.warning(request, _("活动已开始征集，不能再修改定义。下面说明了哪些内容不能修改及原因。"))
    return HttpResponseRedirect(_overview_url(campaign))


def _errors_of(exc: SealflowError) -> dict[str, list[str]]:
    errors = dict(getattr(exc, "errors", {}) or {})
    return errors or {"__all__": [str(exc.detail)]}


# --- the list and creating -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def setup_list(request: HttpRequest) -> HttpResponse:
    """The campaigns of the hosts the user administers, drafts included, with what to do next."""
    user = request_user(request)
    hosts = permissions.campaign_hosts_managed_by(user)
    campaigns = list(Campaign.objects.filter(host_org__in=hosts).select_related("host_org").order_by("-id"))
    return render(request, "portal/setup_list.html", {"campaigns": campaigns, "may_create": hosts.exists()})


def _seed_choices() -> list[dict[str, Any]]:
    return [
        {"seed": d["seed"], "title": d["title"], "stages": "→".join(s["name"] for s in d["stages"])}
        for d in demo_definitions()
    ]


def _parse_moment(raw: str) -> datetime | None:
    """A datetime-local input (local time), or a date meaning the end of that day; None when unreadable."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            return end_of_day(day) if day else None
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _local_input(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def _seed_spec(seed: str, host: Organization, title: str, opens_at: datetime, deadline: datetime) -> dict[str, Any]:
    """A seed notice's definition (stages, kinds, forms, rules, figures) with ``host`` as its host.

    Its quotas name the seed host's districts: they are kept only when the host is the seed's own.
    """
    definition = next(d for d in demo_definitions() if d["seed"] == seed)
    if host.code != definition["host"]:
        definition = {**definition, "quotas": []}
    codes = {definition["host"], *(q[0] for q in definition.get("quotas", []))}
    orgs = {o.code: o for o in Organization.objects.filter(code__in=codes)}
    orgs[definition["host"]] = host
    if any(q[0] not in orgs for q in definition.get("quotas", [])):
        definition = {**definition, "quotas": []}
    spec = campaign_spec(definition, orgs, opens_at=opens_at, submission_deadline=deadline)
    spec.update(title=title, host_org=host)
    return spec


@login_required
@require_http_methods(["GET", "POST"])
def setup_new(request: HttpRequest) -> HttpResponse:
    """创建评选活动: from a seed notice (its whole definition) or from scratch (title, host, deadline, kinds)."""
    user = request_user(request)
    hosts = list(permissions.campaign_hosts_managed_by(user))
    if not hosts:
        raise Http404()
    seeds = _seed_choices()
    values: dict[str, Any] = {"source": "seed", "seed": seeds[0]["seed"], "host": str(hosts[0].pk), "kinds": []}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        post = request.POST
        values = {
            "source": post.get("source", "seed"),
            "seed": post.get("seed", ""),
            "title": post.get("title", "").strip(),
            "host": post.get("host", ""),
            "opens_at": post.get("opens_at", ""),
            "submission_deadline": post.get("submission_deadline", ""),
            "kinds": post.getlist("kinds"),
        }
        host = next((h for h in hosts if str(h.pk) == values["host"]), None)
        if host is None:
            errors["host"] = [_("请选择主办单位")]
        if not values["title"]:
            errors["title"] = [_("请填写活动名称")]
        opens_at = _parse_moment(values["opens_at"]) if values["opens_at"] else timezone.now()
        if opens_at is None:
            errors["opens_at"] = [_("请填写开始征集时间，如 2027-01-05 09:00")]
        deadline = _parse_moment(values["submission_deadline"])
        if deadline is None:
            errors["submission_deadline"] = [_("请填写申报截止时间")]
        if values["source"] == "seed" and values["seed"] not in {s["seed"] for s in seeds}:
            errors["seed"] = [_("请选择一份通知模板")]
        if values["source"] != "seed" and not values["kinds"]:
            errors["kinds"] = [_("至少选择一种申报类别")]
        if not errors:
            assert host is not None
            assert opens_at is not None
            assert deadline is not None
            if values["source"] == "seed":
                spec = _seed_spec(values["seed"], host, values["title"], opens_at, deadline)
            else:
                kinds = [k for k in NominationKind.values if k in values["kinds"]]
                spec = {
                    "title": values["title"], "host_org": host, "kinds": kinds,
                    "forms": {k: {"fields": [dict(STARTER_FIELD)]} for k in kinds},
                    "opens_at": opens_at, "submission_deadline": deadline, "stages": [dict(STARTER_STAGE)],
                }  # fmt: skip
            try:
                campaign = actions.create_campaign(actor=user, spec=spec)
            except InvalidInput as exc:
                errors = _errors_of(exc)
            except SealflowError as exc:
                report(request, exc)
            else:
                messages.success(request, _("已创建草稿。检查并修改下面各项，确认无误后开始征集。"))
                return HttpResponseRedirect(_overview_url(campaign))
    context = {
        "seeds": seeds,
        "hosts": hosts,
        "kinds": NominationKind.choices,
        "values": values,
        "errors": errors,
        "general_errors": [m for k, ms in errors.items() if k not in _CREATE_FIELDS for m in ms],
    }
    return render(request, "portal/setup_new.html", context)


_CREATE_FIELDS = ("source", "seed", "title", "host", "opens_at", "submission_deadline", "kinds")


# --- the overview (read-only once open) ----------------------------------------------------------


def _seal_text(stage: Stage) -> str:
    if not stage.seal:
        return _("不盖章")
    return _("盖申报单位的章") if stage.seal_org == Stage.SignerOrg.UNIT else _("盖章")


def _stage_view(stage: Stage) -> dict[str, Any]:
    if stage.due_date:
        limit = _("{date}前").format(date=f"{stage.due_date.year}年{stage.due_date.month}月{stage.due_date.day}日")
    elif stage.time_limit_days:
        limit = _("{n} 天").format(n=stage.time_limit_days)
    else:
        limit = _("不限")
    return {
        "name": stage.name,
        "role": stage.get_role_display(),
        "signer_org": stage.get_signer_org_display(),
        "seal": _seal_text(stage),
        "limit": limit,
        "same_signer": stage.same_signer_as_previous,
        "holders": "；".join(ed.holder_line(h) for h in stage.holders) if stage.mode else "",
        "mode": str(dict(ed.MODE_CHOICES).get(stage.mode, stage.get_mode_display())) if stage.mode else "",
    }


def _status_changes(user: User, campaign: Campaign) -> list[dict[str, Any]]:
    """Open (from a draft), then the dashboard's changes (close, reopen, start review), each with its meaning."""
    opening = {
        "transition": "open",
        "label": _("开始征集"),
        "meaning": _OPEN_MEANING,
        "available": campaign.status == Campaign.Status.DRAFT,
        "reason": "" if campaign.status == Campaign.Status.DRAFT else _("活动已开始征集，不是草稿。"),
        "note": "",
    }
    return [opening, *campaign_selectors.status_changes(user, campaign)]


@login_required
@require_http_methods(["GET"])
def setup_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole definition as the admin reads it, with an edit link per part while a draft."""
    user, campaign = _managed_campaign(request, pk)
    is_draft = campaign.status == Campaign.Status.DRAFT
    overview = {} if is_draft else approval_selectors.campaign_overview(user, campaign)
    entrant_lists = {lst.kind: lst for lst in campaign.entrant_lists.all()}
    kinds = [(k, _kind_label(k)) for k in campaign.kinds]
    context = {
        "campaign": campaign,
        "is_draft": is_draft,
        "kinds": kinds,
        "stages": [_stage_view(s) for s in campaign.stages.order_by("position")],
        "forms_html": admin_preview.forms_html(campaign.forms),
        "eligibility_html": admin_preview.eligibility_html(campaign.eligibility),
        "quotas": quotas.quota_usage(campaign),
        "status_changes": _status_changes(user, campaign),
        "locked_parts": LOCKED_PARTS,
        "rounds": jr.rounds_reading(campaign.rounds, dict(kinds)),
        "tiers": jr.tiers_reading(campaign.tiers, campaign.tier_floors, dict(kinds), campaign.forms),
        "supplements": jr.supplements_reading(campaign.supplements),
        "entrant_lists": [
            {
                "kind": k,
                "label": _kind_label(k),
                "list": entrant_lists.get(k),
                "units": entrant_lists[k].entries.count() if k in entrant_lists else 0,
            }
            for k in campaign.kinds
        ],  # fmt: skip
        "nominations_total": overview.get("total", 0),
        "by_status": overview.get("by_status", []),
    }
    return render(request, "portal/setup_overview.html", context)


@login_required
@require_POST
def setup_status(request: HttpRequest, pk: int) -> HttpResponse:
    """开始征集 / 截止征集 / 重新开放征集 / 开始评审 from the setup page: back to it."""
    user, campaign = _managed_campaign(request, pk)
    transition = request.POST.get("transition", "")
    if transition not in _DONE:
        messages.error(request, _("未知的状态变更"))
    else:
        try:
            actions.change_campaign_status(campaign.pk, actor=user, transition=transition)
        except SealflowError as exc:
            report(request, exc)
        else:
            messages.success(request, str(_DONE[transition]))
    return HttpResponseRedirect(_overview_url(campaign))


# --- the editors of a draft ----------------------------------------------------------------------


def _cells(editor: ed.Editor, prefix: str, columns: tuple[ed.Column, ...]) -> list[dict[str, Any]]:
    """The editor's rows as the generic row template (portal/_editor_rows.html) renders them."""
    rows = []
    for i, row in enumerate(editor.rows):
        errors = editor.errors.get(i, {})
        cells = []
        for column in columns:
            value = row.get(column.name, "")
            cells.append(
                {
                    "name": f"{prefix}-{i}-{column.name}",
                    "column": column.name,
                    "label": column.label,
                    "help": column.help,
                    "widget": column.widget,
                    "value": value,
                    "choices": [(v, lbl, str(v) == str(value)) for v, lbl in column.choices],
                    "errors": errors.get(column.name, []),
                }
            )
        title = row.get("name") or row.get("label") or ""
        rows.append(
            {"index": i, "number": i + 1, "title": title, "cells": cells, "extra": row.get("extra", ""),
             "row_errors": errors.get("__row__", []), "first": i == 0, "last": i == len(editor.rows) - 1}
        )  # fmt: skip
    return rows


def _save(request: HttpRequest, user: User, campaign: Campaign, changes: dict[str, Any]) -> dict[str, list[str]]:
    """``update_campaign`` with ``changes``; the errors by key when it refuses (empty when saved)."""
    try:
        actions.update_campaign(campaign.pk, actor=user, changes=changes)
    except InvalidInput as exc:
        return _errors_of(exc)
    except SealflowError as exc:
        return {"__all__": [str(exc.detail)]}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def setup_stages(request: HttpRequest, pk: int) -> HttpResponse:
    """The stage editor: order, name, role, where the signer sits, seal, time limit or date, 会签 / 或签."""
    user, campaign = _managed_campaign(request, pk)
    if (redirect := _not_draft(request, campaign)) is not None:
        return redirect
    if request.method == "POST":
        editor = ed.Editor(ed.posted_rows(request.POST, "s", ed.STAGE_COLUMNS))
        op = request.POST.get("op", "save")
        if ed.apply_row_op(editor.rows, op, ed.blank_stage_row()):
            messages.info(request, _("顺序或环节已调整，尚未保存：确认后请点击“保存审批环节”。"))
        else:
            stages, errors = ed.stages_from_rows(editor.rows)
            if not errors:
                errors = _save(request, user, campaign, {"stages": stages})
            if not errors:
                messages.success(request, _("审批环节已保存。"))
                return HttpResponseRedirect(_overview_url(campaign))
            ed.place_errors(editor, errors, "stages", ed.STAGE_COLUMNS)
    else:
        editor = ed.Editor(ed.stage_rows(actions.current_spec(campaign)["stages"]))
    context = {
        "campaign": campaign,
        "rows": _cells(editor, "s", ed.STAGE_COLUMNS),
        "general_errors": editor.general,
        "prefix": "s",
        "row_name": _("环节"),
    }
    return render(request, "portal/setup_stages.html", context)


def _preview(definition: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The form as the submitter will see it (the nomination form renderer), when the definition is whole."""
    if forms.validate_form_definition(definition):
        return None
    return formdefs.widgets(definition, {}, {})


@login_required
@require_http_methods(["GET", "POST"])
def setup_form(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The form editor of one kind: fields, types, limits, and the submitter's preview."""
    user, campaign = _managed_campaign(request, pk)
    if kind not in campaign.kinds:
        raise Http404()
    if (redirect := _not_draft(request, campaign)) is not None:
        return redirect
    previewing = False
    if request.method == "POST":
        editor = ed.Editor(ed.posted_rows(request.POST, "f", ed.FIELD_COLUMNS))
        op = request.POST.get("op", "save")
        definition = ed.definition_from_rows(editor.rows)
        if ed.apply_row_op(editor.rows, op, ed.blank_field_row()):
            definition = ed.definition_from_rows(editor.rows)
            messages.info(request, _("字段已调整，尚未保存：确认后请点击“保存申报表”。"))
        elif op == "preview":
            previewing = True
            ed.place_errors(editor, forms.validate_form_definition(definition), "fields", ed.FIELD_COLUMNS)
        else:
            errors = _save(request, user, campaign, {"forms": {**campaign.forms, kind: definition}})
            if not errors:
                messages.success(request, _("“{kind}”申报表已保存。").format(kind=_kind_label(kind)))
                return HttpResponseRedirect(_overview_url(campaign))
            ed.place_errors(editor, errors, f"forms.{kind}.fields", ed.FIELD_COLUMNS)
    else:
        definition = campaign.forms.get(kind, {"fields": []})
        editor = ed.Editor(ed.field_rows(definition))
    context = {
        "campaign": campaign,
        "kind": kind,
        "kind_label": _kind_label(kind),
        "rows": _cells(editor, "f", ed.FIELD_COLUMNS),
        "general_errors": editor.general,
        "prefix": "f",
        "row_name": _("字段"),
        "preview": _preview(definition),
        "previewing": previewing,
    }
    return render(request, "portal/setup_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def setup_eligibility(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The eligibility rules of one kind, one row per rule (the same rules as the data on 申报条件和名额)."""
    user, campaign = _managed_campaign(request, pk)
    if kind not in campaign.kinds:
        raise Http404()
    if (redirect := _not_draft(request, campaign)) is not None:
        return redirect
    fields = [(str(f.get("key")), f"{f.get('label')}（{f.get('key')}）")
              for f in campaign.forms.get(kind, {}).get("fields", [])]  # fmt: skip
    columns = ed.rule_columns(fields)
    if request.method == "POST":
        editor = ed.Editor(ed.posted_rows(request.POST, "r", columns))
        op = request.POST.get("op", "save")
        if ed.apply_row_op(editor.rows, op, ed.blank_rule_row()):
            messages.info(request, _("条件已调整，尚未保存：确认后请点击“保存申报条件”。"))
        else:
            rules = ed.rules_from_rows(editor.rows)
            current = {k: v for k, v in campaign.eligibility.items() if k != kind}
            errors = _save(request, user, campaign, {"eligibility": {**current, **({kind: rules} if rules else {})}})
            if not errors:
                messages.success(request, _("“{kind}”的申报条件已保存。").format(kind=_kind_label(kind)))
                return HttpResponseRedirect(_overview_url(campaign))
            ed.place_errors(editor, errors, f"eligibility.{kind}.rules", columns)
    else:
        editor = ed.Editor(ed.rule_rows(campaign.eligibility.get(kind, [])))
    context = {
        "campaign": campaign,
        "kind_label": _kind_label(kind),
        "rows": _cells(editor, "r", columns),
        "general_errors": editor.general,
        "prefix": "r",
        "row_name": _("条件"),
    }
    return render(request, "portal/setup_eligibility.html", context)


def _quota_orgs(campaign: Campaign) -> list[Organization]:
    """Where quotas may be set: the province, city, district and township organisations of the region."""
    region = campaign_selectors.campaign_region(campaign)
    orgs = Organization.objects.filter(kind__in=[OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT, OrgKind.TOWNSHIP])
    if region is not None:
        orgs = orgs.filter(path__startswith=region.path)
    return list(orgs.order_by("path"))


def _quota_columns(campaign: Campaign, orgs: list[Organization]) -> tuple[ed.Column, ...]:
    kinds = (("", gettext_lazy("全部类别")), *((k, _kind_label(k)) for k in campaign.kinds))
    return (
        ed.Column("org", gettext_lazy("组织"), "select", tuple((str(o.pk), o.name) for o in orgs)),
        ed.Column("kind", gettext_lazy("类别"), "select", kinds),
        ed.Column("max", gettext_lazy("名额"), "number"),
        ed.Column("field", gettext_lazy("只计申报表字段（可选）"), help=gettext_lazy("单选字段的标识")),
        ed.Column("value", gettext_lazy("该字段的取值（可选）")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup_rules(request: HttpRequest, pk: int) -> HttpResponse:
    """Eligibility rules (per kind, as the rules' data with a reading in words) and quotas."""
    user, campaign = _managed_campaign(request, pk)
    if (redirect := _not_draft(request, campaign)) is not None:
        return redirect
    orgs = _quota_orgs(campaign)
    columns = _quota_columns(campaign, orgs)
    rules_text = {k: json.dumps(campaign.eligibility.get(k, []), ensure_ascii=False, indent=2) for k in campaign.kinds}
    rule_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        editor = ed.Editor(ed.posted_rows(request.POST, "q", columns))
        rules_text = {k: request.POST.get(f"rules-{k}", "[]") for k in campaign.kinds}
        op = request.POST.get("op", "save")
        blank = {"org": str(orgs[0].pk) if orgs else "", "kind": "", "max": "", "field": "", "value": "", "extra": ""}
        if ed.apply_row_op(editor.rows, op, blank):
            messages.info(request, _("名额已调整，尚未保存：确认后请点击“保存申报条件和名额”。"))
        else:
            eligibility, quota_list, errors = _rules_and_quotas(campaign, rules_text, editor.rows, orgs)
            if not errors:
                errors = _save(request, user, campaign, {"eligibility": eligibility, "quotas": quota_list})
            if not errors:
                messages.success(request, _("申报条件和名额已保存。"))
                return HttpResponseRedirect(_overview_url(campaign))
            for key, msgs in errors.items():
                kind = key.split(".")[1] if key.startswith("eligibility.") else ""
                if kind in rules_text:
                    rule_errors.setdefault(kind, []).extend(msgs)
            ed.place_errors(editor, {k: v for k, v in errors.items() if not k.startswith("eligibility.")},
                            "quotas", columns)  # fmt: skip
    else:
        editor = ed.Editor(
            [
                {
                    "org": str(q["org"].pk),
                    "kind": q["kind"],
                    "max": str(q["max"]),
                    "field": q["field"],
                    "value": q["value"],
                    "extra": "",
                }
                for q in actions.current_spec(campaign)["quotas"]
            ]  # fmt: skip
        )
    context = {
        "campaign": campaign,
        "rule_kinds": [
            {
                "kind": k,
                "label": _kind_label(k),
                "text": rules_text[k],
                "errors": rule_errors.get(k, []),
                "reading": admin_preview.eligibility_html({k: campaign.eligibility.get(k, [])}),
                "fields": [
                    (f.get("key"), f.get("label"), admin_preview.FIELD_TYPE_LABELS.get(f.get("type"), ""))
                    for f in campaign.forms.get(k, {}).get("fields", [])
                ],
            }
            for k in campaign.kinds
        ],  # fmt: skip
        "rows": _cells(editor, "q", columns),
        "general_errors": editor.general,
        "prefix": "q",
        "row_name": _("名额"),
    }
    return render(request, "portal/setup_rules.html", context)


def _rules_and_quotas(
    campaign: Campaign, rules_text: dict[str, str], rows: list[dict[str, Any]], orgs: list[Organization]
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    eligibility: dict[str, Any] = {}
    for kind, text in rules_text.items():
        try:
            rules = json.loads(text or "[]")
        except ValueError:
            errors[f"eligibility.{kind}"] = [_('申报条件的格式有误：须为规则列表，如 [] 或 [{"type": …}]')]
            continue
        if rules:
            eligibility[kind] = rules
    by_pk = {str(o.pk): o for o in orgs}
    quota_list = []
    for i, row in enumerate(rows):
        org = by_pk.get(row["org"])
        if org is None:
            errors[f"quotas[{i}].org"] = [_("请选择组织")]
            continue
        if not row["max"].strip().isdigit():
            errors[f"quotas[{i}].max"] = [_("名额应为整数")]
            continue
        quota_list.append({"org": org, "kind": row["kind"], "field": row["field"].strip(),
                           "value": row["value"].strip(), "max": int(row["max"])})  # fmt: skip
    return eligibility, quota_list, errors


_BASIC_NUMBERS = ("per_unit_max", "total_max", "min_per_township", "publicity_days")
_BASIC_FLAGS = ("publicity_working_days", "publicity_counts_publication_day")


def _basics_values(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": spec["title"],
        "description": spec["description"],
        "kinds": list(spec["kinds"]),
        "opens_at": _local_input(spec["opens_at"]),
        "submission_deadline": _local_input(spec["submission_deadline"]),
        **{n: "" if spec[n] is None else str(spec[n]) for n in _BASIC_NUMBERS},
        **{n: bool(spec[n]) for n in _BASIC_FLAGS},
    }


def _basics_changes(
    spec: dict[str, Any], post: QueryDict
) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    """What the posted basics change (only what differs from the campaign), the values as typed, errors."""
    values: dict[str, Any] = {
        "title": post.get("title", "").strip(),
        "description": post.get("description", "").strip(),
        "kinds": [k for k in NominationKind.values if k in post.getlist("kinds")],
        "opens_at": post.get("opens_at", ""),
        "submission_deadline": post.get("submission_deadline", ""),
        **{n: post.get(n, "").strip() for n in _BASIC_NUMBERS},
        **{n: n in post for n in _BASIC_FLAGS},
    }
    errors: dict[str, list[str]] = {}
    new: dict[str, Any] = {"title": values["title"], "description": values["description"]}
    if not values["title"]:
        errors["title"] = [_("请填写活动名称")]
    for name in ("opens_at", "submission_deadline"):
        if values[name] == _local_input(spec[name]):  # untouched (the input shows minutes, not seconds)
            new[name] = spec[name]
            continue
        moment = _parse_moment(values[name])
        if moment is None:
            errors[name] = [_("请填写日期和时间，如 2027-01-05 09:00")]
        new[name] = moment
    for name in _BASIC_NUMBERS:
        text = values[name]
        if text and not (text.isdigit() and int(text) >= 1):
            errors[name] = [_("应为正整数，不限时留空")]
        new[name] = int(text) if text.isdigit() and int(text) >= 1 else None
    for name in _BASIC_FLAGS:
        new[name] = values[name]
    changes = {k: v for k, v in new.items() if v != spec.get(k)}
    if values["kinds"] != list(spec["kinds"]):
        kinds = values["kinds"]
        changes["kinds"] = kinds
        changes["forms"] = {k: spec["forms"].get(k, {"fields": [dict(STARTER_FIELD)]}) for k in kinds}
        changes["eligibility"] = {k: v for k, v in spec["eligibility"].items() if k in kinds}
        changes["quotas"] = [q for q in spec["quotas"] if not q["kind"] or q["kind"] in kinds]
        # Judging follows: a dropped kind leaves its rounds (a round of no kind left goes), tiers and floors.
        rounds = [{**r, "kinds": [k for k in r.get("kinds") or [] if k in kinds]} for r in spec.get("rounds") or []]
        judging = {
            "rounds": [r for r in rounds if r["kinds"]],
            "tiers": {k: v for k, v in (spec.get("tiers") or {}).items() if k in kinds},
            "tier_floors": [f for f in spec.get("tier_floors") or [] if f.get("kind") in kinds],
        }
        changes.update({k: v for k, v in judging.items() if v != spec.get(k)})
    return changes, values, errors


@login_required
@require_http_methods(["GET", "POST"])
def setup_basics(request: HttpRequest, pk: int) -> HttpResponse:
    """Title, description, kinds, the intake window, limits per unit and in all, publicity days."""
    user, campaign = _managed_campaign(request, pk)
    if (redirect := _not_draft(request, campaign)) is not None:
        return redirect
    spec = actions.current_spec(campaign)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        changes, values, errors = _basics_changes(spec, request.POST)
        if not errors and changes:
            errors = _save(request, user, campaign, changes)
        if not errors:
            messages.success(request, _("基本信息已保存。") if changes else _("没有修改。"))
            return HttpResponseRedirect(_overview_url(campaign))
    else:
        values = _basics_values(spec)
    context = {
        "campaign": campaign,
        "values": values,
        "errors": errors,
        "kinds": NominationKind.choices,
        "general_errors": [m for k, ms in errors.items() if k not in values for m in ms],
    }
    return render(request, "portal/setup_basics.html", context)
