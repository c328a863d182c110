"""Pages of the reviewers: the inbox with filters, decisions, batch approval and transfer (转交).

The inbox is ``approvals.selectors.list_inbox``; each decision is ``approvals.actions.sign_off``
(or ``sign_off_batch`` / ``transfer_task``), which re-check everything under the nomination's lock.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.models import Grant
from approvals import actions, quotas, selectors
from approvals.exceptions import SelfApprovalForbidden
from approvals.models import Nomination, SignOff
from approvals.web.nominations import TransferForm, render_nomination_page
from config.errors import InvalidInput, SealflowError
from config.request_context import request_user
from config.web.errors import audit_refusal, report
from config.web.pagination import PAGE, keyset_page
from workflows.models import Campaign, Stage
from workflows.specs import SIGNING_ROLES


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _quotas_for(user: Any, campaign_ids: set[int]) -> list[dict[str, Any]]:
    """Remaining places of the quotas over organisations this reviewer acts for (and the campaign total)."""
    mine = set(permissions.quota_orgs_of(user).values_list("pk", flat=True))
    rows = []
    for campaign in Campaign.objects.filter(pk__in=campaign_ids).order_by("id"):
        for usage in quotas.quota_usage(campaign):
            if usage.org.pk in mine:
                kind = usage.kind_label if usage.kind else ""
                rows.append({"campaign": campaign, "org": usage.org, "kind": kind, "max": usage.max,
                             "used": usage.used, "remaining": usage.remaining})  # fmt: skip
    return rows


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """What waits for this reviewer: filter by campaign, stage, overdue; waiting time, deadline, quota."""
    user = request_user(request)
    campaign = _int(request.GET.get("campaign"))
    stage = request.GET.get("stage") or None
    overdue = request.GET.get("overdue") == "1"
    tasks = selectors.list_inbox(user, campaign=campaign, stage=stage, overdue=overdue)
    rows, next_query = keyset_page(request, tasks)  # list_inbox orders by id
    now = timezone.now()
    for n in rows:
        n.is_overdue = bool(n.stage_deadline and n.stage_deadline < now)  # type: ignore[attr-defined]
    all_tasks = selectors.list_inbox(user)
    campaign_ids = set(all_tasks.values_list("campaign_id", flat=True).distinct())
    campaigns = list(Campaign.objects.filter(pk__in=campaign_ids).order_by("id"))
    stages = list(Stage.objects.filter(campaign_id__in=campaign_ids).order_by("campaign_id", "position"))
    context = {
        "tasks": rows,
        "next_query": next_query,
        "page_size": PAGE,
        "campaigns": campaigns,
        "stages": stages,
        "filter_campaign": campaign,
        "filter_stage": stage or "",
        "filter_overdue": overdue,
        "quotas": _quotas_for(user, campaign_ids),
        "batchable": len({(n.campaign_id, n.stage) for n in rows}) == 1,
    }
    return render(request, "approvals/inbox.html", context)


@login_required
@require_GET
def done(request: HttpRequest) -> HttpResponse:
    """已办: the tasks this reviewer decided, newest first, paged (beside the inbox)."""
    rows, next_query = keyset_page(
        request, selectors.list_done(request_user(request)), field="signed_at", descending=True
    )
    return render(request, "approvals/done.html", {"signoffs": rows, "next_query": next_query, "page_size": PAGE})


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


@login_required
@require_GET
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    """A task's address (notifications link to it): the page of its nomination, if the user may see it."""
    user = request_user(request)
    visible = selectors.visible_nominations(user)
    nomination_id = visible.filter(task_id=task_id).values_list("pk", flat=True).first()
    if nomination_id is None:  # decided since: the sign-off keeps the task's id
        decided = SignOff.objects.filter(task_id=task_id, nomination__in=visible).values_list(
            "nomination_id", flat=True
        )
        nomination_id = decided.first()
    if nomination_id is None:
        raise Http404()
    return HttpResponseRedirect(reverse("approvals:nomination", args=[nomination_id]))


def _cc_from(request: HttpRequest) -> list[int]:
    """抄送 as picked on the decision form: people (``cc``) and whole posts (``cc_group``, "role@org",
    every active holder of that role there). ``sign_off`` checks that each may be copied."""
    users = {i for i in (_int(v) for v in request.POST.getlist("cc")) if i is not None}
    for value in request.POST.getlist("cc_group"):
        role, _sep, org = value.partition("@")
        org_id = _int(org)
        if role in SIGNING_ROLES and org_id is not None:
            users.update(
                Grant.objects.filter(role=role, org_id=org_id, user__is_active=True).values_list("user_id", flat=True)
            )
    users.discard(request_user(request).pk)  # the signer does not copy themselves
    return sorted(users)


@login_required
@require_POST
def decide(request: HttpRequest, task_id: int) -> HttpResponse:
    """同意 / 退回修改 / 不同意 with an opinion, on the task of a nomination's current stage."""
    user = request_user(request)
    decision = request.POST.get("decision", "")
    nomination_id = _int(request.POST.get("nomination"))
    back = reverse("approvals:nomination", args=[nomination_id]) if nomination_id else reverse("approvals:inbox")
    if decision not in SignOff.Decision.values:
        messages.error(request, _("请选择审批意见：同意、退回修改或不同意"))
        return HttpResponseRedirect(back)
    try:
        signoff = actions.sign_off(
            task_id,
            actor=user,
            decision=decision,
            opinion=request.POST.get("opinion", ""),
            # The select is in the form whatever the button; it names a stage only for a return.
            to_stage=request.POST.get("to_stage", "") if decision == SignOff.Decision.RETURN else "",
            cc=_cc_from(request),
        )
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(back)
    messages.success(
        request,
        _("已办理：{title}（{decision}）").format(
            title=signoff.nomination.title, decision=signoff.get_decision_display()
        ),
    )
    return HttpResponseRedirect(reverse("approvals:inbox"))


@login_required
@require_POST
def batch_approve(request: HttpRequest) -> HttpResponse:
    """Approve the checked tasks with one opinion: all of them, or none (the action's rule)."""
    ids = [i for i in (_int(v) for v in request.POST.getlist("tasks")) if i is not None]
    if not ids:
        messages.error(request, _("请先勾选要批量同意的任务"))
        return _back(request, reverse("approvals:inbox"))
    try:
        signoffs = actions.sign_off_batch(ids, actor=request_user(request), opinion=request.POST.get("opinion", ""))
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已批量同意 {n} 份申报").format(n=len(signoffs)))
    return _back(request, reverse("approvals:inbox"))


@login_required
@require_POST
def transfer(request: HttpRequest, task_id: int) -> HttpResponse:
    """转交 with a reason; a refusal shows the page again with what was typed and the message by the field."""
    nomination_id = _int(request.POST.get("nomination"))
    to_user = _int(request.POST.get("to_user"))
    reason = request.POST.get("reason", "")
    if nomination_id is None:
        raise Http404()
    if to_user is None:
        form = TransferForm(to_user, reason, {"to_user": [_("请选择转交给谁")]})
        return render_nomination_page(request, nomination_id, transfer=form, status=400)
    try:
        nomination: Nomination = actions.transfer_task(task_id, actor=request_user(request), to_user_id=to_user,
                                                       reason=reason)  # fmt: skip
    except SealflowError as exc:
        errors: dict[str, list[str]] = {}
        if isinstance(exc, InvalidInput) and exc.errors:
            errors = {key: list(msgs) for key, msgs in exc.errors.items()}
        elif isinstance(exc, SelfApprovalForbidden):  # the chosen receiver wrote or submitted it
            audit_refusal(request, exc)
            errors = {"to_user": [exc.detail]}
        else:  # about the task or the actor (decided since, no longer theirs): said at the page's top
            report(request, exc)
        form = TransferForm(to_user, reason, errors)
        return render_nomination_page(request, nomination_id, transfer=form, status=exc.status)
    messages.success(request, _("已转交给 {user}").format(user=nomination.assignee))
    return HttpResponseRedirect(reverse("approvals:inbox"))


@login_required
@require_POST
def add_signer(request: HttpRequest, task_id: int) -> HttpResponse:
    """加签: add a person (``user``) or a post (``post`` = "<role>@<org id>") before or after oneself
    on the open task (the action checks everything, the choice of exactly one included)."""
    nomination_id = _int(request.POST.get("nomination"))
    user_id = _int(request.POST.get("user"))
    role, _at, org = (request.POST.get("post") or "").partition("@")
    org_id = _int(org)
    if nomination_id is None:
        raise Http404()
    back = reverse("approvals:nomination", args=[nomination_id])
    if user_id is None and not (role and org_id):
        messages.error(request, _("请选择加签人员或加签岗位"))
        return HttpResponseRedirect(back)
    try:
        seat = actions.add_signer(
            task_id,
            actor=request_user(request),
            user_id=user_id,
            role=role if org_id else "",
            org_id=org_id if role else None,
            position=request.POST.get("position", ""),
            reason=request.POST.get("reason", ""),
        )
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(back)
    added = seat.user.label if seat.user else f"{seat.org.name} · {seat.get_role_display()}"
    messages.success(request, _("已{kind}：{user}").format(kind=seat.get_kind_display(), user=added))
    return HttpResponseRedirect(back)
