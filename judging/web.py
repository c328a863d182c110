"""Pages of judging (评审): the judges' tasks and score sheets, the committee's rounds.

Every page calls the same actions and selectors as the API (judging/api.py): a judge reaches only
their own sheets (another's is 404), the committee's pages answer 404 to everyone but the host's
committee. Errors of an action come back in Chinese, next to the field where there is one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.models import User
from config.errors import InvalidInput, NotVisible, SealflowError
from config.request_context import request_user
from config.text_input import find_invalid
from config.web.errors import or_404, report
from judging import actions, documents, excel, selectors
from judging.models import Assignment, ImportBatch, Round, RoundResult
from workflows import selectors as campaign_selectors
from workflows.models import Campaign, NominationKind
from workflows.rounds import decimal_of, round_step

MAX_IMPORT_BYTES = 10 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCORE_PREFIX = "score-"


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _kind_label(kind: str) -> str:
    try:
        return str(NominationKind(kind).label)
    except ValueError:
        return kind


# --- judges ---------------------------------------------------------------------------------


@login_required
@require_GET
def my_assignments(request: HttpRequest) -> HttpResponse:
    """我的评审任务: the judge's assignments by round, with the progress of each round."""
    user = request_user(request)
    assignments = list(
        selectors.assignments_of(user).select_related("round__campaign", "nomination").order_by("round_id", "id")
    )
    rounds: dict[int, dict[str, Any]] = {}
    for a in assignments:
        group = rounds.get(a.round_id)
        if group is None:
            definition = _definition_or_empty(a.round)
            group = rounds[a.round_id] = {
                "round": a.round, "name": definition.get("name") or a.round.key, "items": [],
                "pending": 0, "submitted": 0, "recused": 0, "next": None,
            }  # fmt: skip
        group["items"].append(a)
        group[a.status] += 1
        if a.status == Assignment.Status.PENDING and group["next"] is None and a.round.status == Round.Status.OPEN:
            group["next"] = a
    for group in rounds.values():
        scorable = group["pending"] + group["submitted"]
        group["percent"] = round(100 * group["submitted"] / scorable) if scorable else 100
    return render(request, "judging/my_assignments.html", {"rounds": list(rounds.values())})


def _definition_or_empty(current: Round) -> dict[str, Any]:
    try:
        return actions.round_definition(current.campaign, current.key)
    except NotVisible:
        return {}


def _own_assignment(request: HttpRequest, pk: int) -> Assignment:
    """The judge's own assignment (the committee reads sheets through its own pages): else 404."""
    user = request_user(request)
    try:
        assignment = selectors.get_assignment(user, pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    if not permissions.is_judge_of(user, assignment):
        raise Http404()
    return assignment


def _content_rows(assignment: Assignment) -> list[dict[str, str]]:
    """The entry's masked form as (label, text) rows, in the form's order."""
    content = selectors.masked_content(assignment)
    definition = (assignment.round.campaign.forms or {}).get(assignment.nomination.kind) or {}
    labels = {f.get("key"): f.get("label") for f in definition.get("fields") or [] if isinstance(f, dict)}
    rows = []
    for key, value in content.items():
        rows.append({"label": str(labels.get(key) or key), "text": _as_text(value)})
    return rows


def _as_text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return "；".join("，".join(_as_text(x) for x in item.values()) for item in value)
        if value and all(isinstance(v, int) for v in value):
            return _("附件 {n} 个").format(n=len(value))
        return "，".join(_as_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return "，".join(_as_text(v) for v in value.values())
    return str(value)


def _sheet_context(
    assignment: Assignment,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    comment: str | None = None,
    recuse_error: str = "",
) -> dict[str, Any]:
    definition = _definition_or_empty(assignment.round)
    step = round_step(definition) if definition else Decimal(1)
    stored = assignment.scores or {}
    errors = errors or {}
    criteria = []
    total = Decimal(0)
    full = Decimal(0)
    for c in definition.get("criteria") or []:
        value = (values or {}).get(c["key"], stored.get(c["key"], ""))
        number = decimal_of(value)
        total += number or 0
        full += decimal_of(c.get("max")) or 0
        criteria.append({
            "key": c["key"], "name": c.get("name") or c["key"], "max": c.get("max"),
            "description": c.get("description", ""), "value": value,
            "errors": errors.get(f"scores.{c['key']}", []),
        })  # fmt: skip
    open_ = assignment.status == Assignment.Status.PENDING and assignment.round.status == Round.Status.OPEN
    following = (
        Assignment.objects.filter(judge_id=assignment.judge_id, round_id=assignment.round_id,
                                  status=Assignment.Status.PENDING)
        .exclude(pk=assignment.pk).order_by("id").first()
    )  # fmt: skip
    return {
        "assignment": assignment,
        "nomination": assignment.nomination,
        "kind_label": _kind_label(assignment.nomination.kind),
        "round_name": definition.get("name") or assignment.round.key,
        "content": _content_rows(assignment),
        "criteria": criteria,
        "step": step,
        "total": documents.number_text(total),
        "full_mark": documents.number_text(full),
        "comment": assignment.comment if comment is None else comment,
        "general_errors": [m for k, ms in errors.items() if not k.startswith("scores.") for m in ms],
        "editable": open_,
        "next_assignment": following,
        "recuse_error": recuse_error,
        "score_prefix": SCORE_PREFIX,
    }


def _posted_scores(request: HttpRequest, assignment: Assignment) -> dict[str, str]:
    definition = _definition_or_empty(assignment.round)
    return {
        c["key"]: request.POST.get(f"{SCORE_PREFIX}{c['key']}", "").strip() for c in definition.get("criteria") or []
    }


def _posted_comment(request: HttpRequest) -> str:
    return request.POST.get("comment", "")[:5000]


@login_required
def sheet_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The entry's content (masked) beside the rubric score sheet; a POST saves the draft (no script)."""
    assignment = _own_assignment(request, pk)
    if request.method == "POST":
        values = _posted_scores(request, assignment)
        comment = _posted_comment(request)
        try:
            _check_text({"comment": comment})
            actions.save_score(pk, actor=request_user(request), scores=values, comment=comment)
        except InvalidInput as exc:
            context = _sheet_context(assignment, values=values, errors=exc.errors, comment=comment)
            messages.error(request, exc.detail)
            return render(request, "judging/sheet.html", context, status=400)
        except SealflowError as exc:
            report(request, exc)
            return HttpResponseRedirect(reverse("judging:sheet", args=[pk]))
        messages.success(request, _("评分已暂存，提交前仍可修改"))
        return HttpResponseRedirect(reverse("judging:sheet", args=[pk]))
    return render(request, "judging/sheet.html", _sheet_context(assignment))


def _check_text(data: dict[str, str]) -> None:
    bad = find_invalid(data)
    if bad:
        raise InvalidInput(errors=bad)


@login_required
@require_POST
def autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """The sheet's autosave (static/sealflow/app.js): the draft through ``save_score``, as the API saves it.

    A sheet not yet filled in is not saved; only the filled-in fields' errors are shown.
    """
    assignment = _own_assignment(request, pk)
    values = _posted_scores(request, assignment)
    comment = _posted_comment(request)
    try:
        _check_text({"comment": comment})
        saved = actions.save_score(pk, actor=request_user(request), scores=values, comment=comment)
    except InvalidInput as exc:
        errors = {}
        for key, msgs in exc.errors.items():
            name = key.removeprefix("scores.")
            if key.startswith("scores.") and not values.get(name):
                continue  # not filled in yet: not an error while typing
            errors[f"{SCORE_PREFIX}{name}" if key.startswith("scores.") else key] = msgs
        missing = any(not v for v in values.values())
        detail = _("填完所有评分项后自动暂存") if missing and not errors else exc.detail
        return JsonResponse({"detail": detail, "errors": errors}, status=400)
    except SealflowError as exc:
        if isinstance(exc, NotVisible):
            raise Http404() from exc
        return JsonResponse({"code": exc.code, "detail": exc.detail, "errors": {}}, status=409)
    moment = timezone.localtime(saved.saved_at) if saved.saved_at else timezone.localtime()
    return JsonResponse({"saved": True, "saved_at": moment.strftime("%H:%M:%S"), "errors": {}})


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the sheet final (with the values on the page); then the next open sheet of the round."""
    assignment = _own_assignment(request, pk)
    values = _posted_scores(request, assignment)
    comment = _posted_comment(request)
    try:
        _check_text({"comment": comment})
        actions.submit_score(pk, actor=request_user(request), scores=values, comment=comment)
    except InvalidInput as exc:
        context = _sheet_context(assignment, values=values, errors=exc.errors, comment=comment)
        messages.error(request, exc.detail)
        return render(request, "judging/sheet.html", context, status=400)
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(reverse("judging:sheet", args=[pk]))
    messages.success(request, _("已提交评分：{title}").format(title=assignment.nomination.title))
    following = (
        Assignment.objects.filter(judge_id=assignment.judge_id, round_id=assignment.round_id,
                                  status=Assignment.Status.PENDING).order_by("id").first()
    )  # fmt: skip
    if following is not None:
        return HttpResponseRedirect(reverse("judging:sheet", args=[following.pk]))
    return HttpResponseRedirect(reverse("judging:mine"))


@login_required
@require_POST
def recuse(request: HttpRequest, pk: int) -> HttpResponse:
    """申明回避 with a reason: the entry is judged without this judge."""
    assignment = _own_assignment(request, pk)
    reason = request.POST.get("reason", "").strip()
    error = ""
    if not reason:
        error = _("请填写回避原因")
    elif len(reason) > 500:
        error = _("回避原因不能超过500字")
    elif find_invalid({"reason": reason}):
        error = find_invalid({"reason": reason})["reason"][0]
    if error:
        messages.error(request, error)
        return render(request, "judging/sheet.html", _sheet_context(assignment, recuse_error=error), status=400)
    try:
        actions.declare_conflict(pk, actor=request_user(request), reason=reason)
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(reverse("judging:sheet", args=[pk]))
    messages.success(request, _("已申明回避：{title}").format(title=assignment.nomination.title))
    return HttpResponseRedirect(reverse("judging:mine"))


@login_required
@require_GET
def judge_sheet_pdf(request: HttpRequest, round_id: int, judge_id: int) -> HttpResponse:
    """A judge's score sheet of a round, to sign (签字栏): the judge themself, or the host's committee after close."""
    user = request_user(request)
    current = Round.objects.select_related("campaign__host_org").filter(pk=round_id).first()
    if current is None:
        raise Http404()
    # Another's sheet: the committee only, once the round is closed (no drafts, no partial ranking).
    committee_reads = permissions.can_run_judging(user, current.campaign) and current.status == Round.Status.CLOSED
    if user.pk != judge_id and not committee_reads:
        raise Http404()
    rows = list(
        Assignment.objects.filter(round=current, judge_id=judge_id).select_related("nomination", "judge")
        .order_by("nomination_id")
    )  # fmt: skip
    if not rows:
        raise Http404()
    judge = rows[0].judge
    pdf = documents.render_judge_sheet(current, _definition_or_empty(current), judge, rows)
    return _download(pdf, "application/pdf", f"{current.campaign.title}-{current.key}-评分表-{_name(judge)}.pdf")


def _name(user: User) -> str:
    return user.display_name or user.username


# --- the committee ----------------------------------------------------------------------------


def _committee_campaign(request: HttpRequest, pk: int) -> Campaign:
    """The campaign, for the host's committee only; 404 for everyone else (they do not see these pages)."""
    user = request_user(request)
    return or_404(lambda: campaign_selectors.get_campaign_for(user, pk, permissions.can_run_judging))


def _round_definition(campaign: Campaign, key: str) -> dict[str, Any]:
    try:
        return actions.round_definition(campaign, key)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc


def _method_label(method: str | None) -> str:
    return {"panel": _("专家评分"), "import": _("导入成绩")}.get(method or "", method or "—")


@login_required
@require_GET
def campaign_judging(request: HttpRequest, pk: int) -> HttpResponse:
    """评审: the campaign's rounds, in order, with their status and progress."""
    campaign = _committee_campaign(request, pk)
    states = {r.key: r for r in Round.objects.filter(campaign=campaign)}
    rows = []
    for definition in campaign.rounds or []:
        current = states.get(definition.get("key"))
        progress = selectors.progress(campaign, definition["key"]) if current else []
        rows.append({
            "key": definition["key"], "name": definition.get("name") or definition["key"],
            "method": _method_label(definition.get("method")),
            "kinds": "、".join(_kind_label(k) for k in definition.get("kinds", [])),
            "weight": definition.get("weight", 0), "advance": definition.get("advance"),
            "round": current, "pending": sum(p["pending"] for p in progress),
            "submitted": sum(p["submitted"] for p in progress),
        })  # fmt: skip
    return render(request, "judging/campaign.html", {"campaign": campaign, "rounds": rows})


def _round_context(campaign: Campaign, definition: dict[str, Any], **extra: Any) -> dict[str, Any]:
    key = definition["key"]
    current = selectors.get_round(campaign, key)
    method = definition.get("method")
    closed = current is not None and current.status == Round.Status.CLOSED
    assignments = list(
        current.assignments.select_related("judge", "nomination").order_by("nomination_id", "judge_id")
    ) if current else []  # fmt: skip
    entries_problem = ""
    try:
        entry_ids = [i for ids in actions.round_entries(campaign, definition).values() for i in ids]
    except SealflowError as exc:
        entry_ids, entries_problem = [], exc.detail
    titles = {}
    if entry_ids or assignments:
        from approvals.models import Nomination

        titles = dict(Nomination.objects.filter(pk__in=entry_ids).values_list("pk", "title"))
    active = Counter(a.nomination_id for a in assignments if a.status != Assignment.Status.RECUSED)
    wanted = max(active.values(), default=0)
    short = [
        {"nomination": i, "title": titles.get(i, str(i)), "judges": active.get(i, 0), "wanted": wanted}
        for i in entry_ids if assignments and active.get(i, 0) < wanted
    ]  # fmt: skip
    recused = [a for a in assignments if a.status == Assignment.Status.RECUSED]
    results: list[RoundResult] = []
    if closed and current is not None:
        results = list(current.results.select_related("nomination").order_by("kind", "rank", "nomination_id"))
        for r in results:
            r.kind_label = _kind_label(r.kind)  # type: ignore[attr-defined]
            r.round_text = documents.number_text(r.round_score)  # type: ignore[attr-defined]
            r.score_text = documents.number_text(r.score)  # type: ignore[attr-defined]
    tie_entries: dict[str, list[dict[str, Any]]] = {}
    if closed and current is not None and current.boundary_tie:
        by_id = {r.nomination_id: r for r in results}
        for kind, ids in current.boundary_tie.items():
            tie_entries[_kind_label(kind)] = [
                {"id": i, "title": by_id[i].nomination.title if i in by_id else str(i)} for i in ids
            ]
    judges = sorted({a.judge for a in assignments}, key=lambda u: u.pk)
    pool = list(permissions.judges_of_host(campaign.host_org_id).select_related("judge_profile").order_by("id"))
    return {
        "campaign": campaign,
        "definition": definition,
        "name": definition.get("name") or key,
        "key": key,
        "method": method,
        "method_label": _method_label(method),
        "kinds": "、".join(_kind_label(k) for k in definition.get("kinds", [])),
        "criteria": definition.get("criteria") or [],
        "round": current,
        "closed": closed,
        "may_set_up": method == "panel" and not closed and not assignments and not entries_problem,
        "may_import": method == "import" and not closed and not entries_problem,
        "entries_problem": entries_problem,
        "entry_count": len(entry_ids),
        "pool": pool,
        "progress": selectors.progress(campaign, key) if current else [],
        "recused": recused,
        "short": short,
        "judges": judges,
        "results": results,
        "tie_entries": tie_entries,
        "advance_places": definition.get("advance"),
        "import_entries": [{"id": i, "title": titles.get(i, "")} for i in entry_ids] if method == "import" else [],
        "last_import": ImportBatch.objects.filter(round=current).order_by("-id").first() if current else None,
        "import_errors": [],
        **extra,
    }


@login_required
@require_GET
def round_page(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One round: set-up (panel) or import, progress per judge, 催评, close, results, downloads."""
    campaign = _committee_campaign(request, pk)
    definition = _round_definition(campaign, key)
    return render(request, "judging/round.html", _round_context(campaign, definition))


def _round_url(campaign: Campaign, key: str) -> str:
    return reverse("judging:round", args=[campaign.pk, key])


def _ids(values: list[str]) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(int(v))
        except ValueError:
            continue
    return out


@login_required
@require_POST
def set_up_panel(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    _round_definition(campaign, key)
    raw = request.POST.get("per_entry", "").strip()
    per_entry: int | None = None
    if raw:
        try:
            per_entry = int(raw)
        except ValueError:
            messages.error(request, _("每件申报的评审人数须是整数"))
            return HttpResponseRedirect(_round_url(campaign, key))
    try:
        panel = actions.set_up_panel(
            campaign.pk, key, actor=request_user(request), judge_ids=_ids(request.POST.getlist("judges")),
            per_entry=per_entry,
        )  # fmt: skip
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(_round_url(campaign, key))
    text = _("已组建评审专家组：{n} 项评审任务，{r} 项自动回避").format(n=len(panel.assignments), r=len(panel.recused))
    if panel.short:
        text += _("；{s} 件申报的评审人数不足，见下表").format(s=len(panel.short))
    messages.success(request, text)
    return HttpResponseRedirect(_round_url(campaign, key))


@login_required
@require_POST
def urge(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    _round_definition(campaign, key)
    try:
        judges = actions.urge_judges(campaign.pk, key, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
    else:
        if judges:
            messages.success(request, _("已提醒 {n} 位尚未完成评分的专家").format(n=len(judges)))
        else:
            messages.info(request, _("所有专家都已完成评分，无需催评"))
    return HttpResponseRedirect(_round_url(campaign, key))


@login_required
@require_POST
def close(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    _round_definition(campaign, key)
    try:
        results = actions.close_round(campaign.pk, key, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("本轮评审已结束，共 {n} 件申报排名").format(n=len(results)))
    return HttpResponseRedirect(_round_url(campaign, key))


@login_required
@require_POST
def resolve_tie(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign = _committee_campaign(request, pk)
    _round_definition(campaign, key)
    try:
        chosen = actions.resolve_tie(
            campaign.pk, key, actor=request_user(request), advancing=_ids(request.POST.getlist("advancing"))
        )
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已裁定同分：{n} 件申报晋级").format(n=len(chosen)))
    return HttpResponseRedirect(_round_url(campaign, key))


def _row_label(label: str) -> str:
    if label.startswith("rows[") and label.endswith("]"):
        return _("第 {n} 行").format(n=label[5:-1])
    return {"file": _("文件"), "scores": _("成绩")}.get(label, label)


@login_required
@require_POST
def import_scores(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """An ``import`` round's scores from an Excel file: all rows or none, errors by row."""
    campaign = _committee_campaign(request, pk)
    definition = _round_definition(campaign, key)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput.for_field("file", _("请选择要上传的 Excel 文件"))
        if upload.size and upload.size > MAX_IMPORT_BYTES:
            raise InvalidInput.for_field("file", _("文件过大（不超过10MB）"))
        content = upload.read()
        rows = excel.read_score_rows(content)
        batch = actions.import_scores(
            campaign.pk, key, actor=request_user(request), rows=rows, sha256=hashlib.sha256(content).hexdigest(),
            filename=upload.name or "",
        )  # fmt: skip
    except InvalidInput as exc:
        errors = [{"row": _row_label(k), "messages": "；".join(v)} for k, v in exc.errors.items()]
        messages.error(request, _("导入未完成，没有导入任何成绩：请按下表改正后重新上传"))
        context = _round_context(campaign, definition, import_errors=errors)
        return render(request, "judging/round.html", context, status=400)
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(_round_url(campaign, key))
    messages.success(request, _("已导入 {n} 条成绩").format(n=batch.row_count))
    return HttpResponseRedirect(_round_url(campaign, key))


def _closed_results(request: HttpRequest, pk: int, key: str) -> tuple[Campaign, Round, dict[str, Any], list[Any]]:
    campaign = _committee_campaign(request, pk)
    definition = _round_definition(campaign, key)
    current = selectors.get_round(campaign, key)
    if current is None or current.status != Round.Status.CLOSED:
        raise Http404(_("本轮评审尚未结束"))
    results = selectors.results_for(request_user(request), campaign, key)
    return campaign, current, definition, results


@login_required
@require_GET
def results_xlsx(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign, current, definition, results = _closed_results(request, pk, key)
    content = excel.render_results_xlsx(campaign, current, definition, results)
    return _download(content, XLSX, f"{campaign.title}-{definition.get('name') or key}-评审结果.xlsx")


@login_required
@require_GET
def summary_pdf(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign, current, definition, results = _closed_results(request, pk, key)
    judges = list(User.objects.filter(pk__in=current.assignments.values("judge_id")).order_by("id"))
    pdf = documents.render_round_summary(current, definition, results, judges)
    return _download(pdf, "application/pdf", f"{campaign.title}-{definition.get('name') or key}-评审汇总表.pdf")
