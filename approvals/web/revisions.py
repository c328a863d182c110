"""Pages of revision after selection (修改完善, issue 17).

The committee opens and closes revision windows for chosen nominations (``campaign_windows``);
the unit's submitter submits a revised version (``revise``); whoever may read the nomination sees
its versions and a field-by-field difference (``versions``). Every change is one action call.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from approvals import actions, documents, revisions, selectors
from approvals.models import Nomination, RevisionWindow
from approvals.web import formdefs
from approvals.web.common import hosted_campaign, parse_local
from config.errors import InvalidInput, NotVisible, SealflowError
from config.request_context import request_user
from config.web.errors import report
from workflows import forms
from workflows.models import Campaign


def _nomination(request: HttpRequest, pk: int) -> Nomination:
    try:
        return selectors.get_visible_nomination(request_user(request), pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc


def _field_choices(campaign: Campaign) -> list[tuple[str, str]]:
    """What a window may allow: the title, then every non-file field of the campaign's forms."""
    choices = [("title", _("申报名称"))]
    for kind in campaign.kinds:
        definition = campaign.forms.get(kind) or {"fields": []}
        labels = forms.field_labels(definition)
        for key in revisions.revisable_keys(definition):
            if key not in dict(choices):
                choices.append((key, labels.get(key, key)))
    return choices


@login_required
def campaign_windows(request: HttpRequest, pk: int) -> HttpResponse:
    """修改完善期 of a campaign: its windows, and (for its committee) a form to open one."""
    user = request_user(request)
    campaign = hosted_campaign(user, pk)
    may_open = permissions.can_run_publicity(user, campaign)
    chosen = list(
        Nomination.objects.filter(campaign=campaign, status__in=revisions.REVISABLE)
        .select_related("unit")
        .order_by("unit__name", "id")
    )
    back = reverse("approvals:revision-windows", args=[campaign.pk])
    if request.method == "POST":
        try:
            ends_at = parse_local(request.POST.get("ends_at", ""))
            if ends_at is None:
                raise InvalidInput.for_field("ends_at", _("请填写修改截止时间"), code="invalid_period")
            window = actions.open_revision_window(
                campaign.pk, actor=user,
                nomination_ids=[int(v) for v in request.POST.getlist("nominations") if v.isdigit()],
                starts_at=parse_local(request.POST.get("starts_at", "")), ends_at=ends_at,
                note=request.POST.get("note", "").strip(), fields=request.POST.getlist("fields"),
            )  # fmt: skip
        except SealflowError as exc:
            report(request, exc)
            return HttpResponseRedirect(back)
        messages.success(
            request,
            _("已开放修改完善期，{n} 份入围申报的单位已收到通知。").format(n=window.nominations.count()),
        )
        return HttpResponseRedirect(back)
    windows = list(
        RevisionWindow.objects.filter(campaign=campaign).prefetch_related("nominations__unit").order_by("-id")
    )
    labels = dict(_field_choices(campaign))
    now = timezone.now()
    for window in windows:
        window.field_labels = [labels.get(k, k) for k in window.fields]  # type: ignore[attr-defined]
        window.revision_count = window.revisions.count()  # type: ignore[attr-defined]
        window.is_open_now = window.closed_at is None and window.starts_at <= now < window.ends_at  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "campaign": campaign,
        "windows": windows,
        "chosen": chosen,
        "field_choices": _field_choices(campaign),
        "may_open": may_open,
    }
    return render(request, "approvals/revisions/windows.html", context)


@login_required
@require_POST
def close_window(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    window = RevisionWindow.objects.filter(pk=pk).select_related("campaign").first()
    if window is None:
        raise Http404()
    campaign = hosted_campaign(user, window.campaign_id)
    try:
        actions.close_revision_window(window.pk, actor=user)
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已关闭修改完善期，已提交的修改稿保留。"))
    return HttpResponseRedirect(reverse("approvals:revision-windows", args=[campaign.pk]))


def _allowed(window: RevisionWindow, definition: dict[str, Any]) -> tuple[list[str], bool]:
    named = [k for k in window.fields if k != "title"]
    if named:
        keys = revisions.revisable_keys(definition, named)
    else:
        keys = [] if window.fields else revisions.revisable_keys(definition)
    return keys, not window.fields or "title" in window.fields


@login_required
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's submitter edits the allowed fields of the current version and submits a revised one."""
    nomination = _nomination(request, pk)
    user = request_user(request)
    if not permissions.can_nominate_at(user, nomination.unit):
        raise Http404()
    window = revisions.open_windows(nomination).first()
    page = reverse("approvals:nomination", args=[nomination.pk])
    if window is None or nomination.status not in revisions.REVISABLE:
        messages.info(request, _("当前没有开放的修改完善期，不能提交修改稿。"))
        return HttpResponseRedirect(page)
    definition = revisions.definition_of(nomination)
    keys, title_allowed = _allowed(window, definition)
    shown = {"fields": [f for f in definition.get("fields", []) if f["key"] in keys]}
    number, title, form = revisions.current_content(nomination)
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = form
    status = 200
    if request.method == "POST":
        data = formdefs.parse(shown, request.POST)
        # An allowed field left empty is cleared in the new version.
        posted = {key: data.get(key) for key in keys}
        new_title = request.POST.get("title", "").strip() if title_allowed else None
        try:
            revision = actions.submit_revision(nomination.pk, actor=user, form=posted, title=new_title)
        except InvalidInput as exc:
            errors = {k.removeprefix("form."): v for k, v in (exc.errors or {}).items()} or {"__all__": [exc.detail]}
            messages.error(request, exc.detail)
            status = 400
            title = new_title if new_title is not None else title
        except SealflowError as exc:
            report(request, exc)
            return HttpResponseRedirect(page)
        else:
            messages.success(
                request,
                _("已提交第{n}版修改稿，并加盖本单位电子印章；原申报表及其印章保留不变。").format(n=revision.number),
            )
            return HttpResponseRedirect(reverse("approvals:nomination-versions", args=[nomination.pk]))
    context = {
        "nomination": nomination,
        "window": window,
        "current_version": number,
        "title_value": title,
        "title_allowed": title_allowed,
        "title_errors": errors.get("title", []),
        "fields": formdefs.widgets(shown, data, errors, {}),
        "general_errors": [m for k, msgs in errors.items() if k in ("__all__", "form") for m in msgs],
    }
    return render(request, "approvals/revisions/revise.html", context, status=status)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
@require_GET
def versions(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version and a field-by-field difference of two (default: the current against the one before)."""
    nomination = _nomination(request, pk)
    found = revisions.versions(nomination)
    by_number = {v.number: v for v in found}
    new_number = _int(request.GET.get("to")) or found[-1].number
    old_number = _int(request.GET.get("from")) or max(1, new_number - 1)
    if new_number not in by_number or old_number not in by_number:
        raise Http404()
    old, new = by_number[old_number], by_number[new_number]
    definition = revisions.definition_of(nomination)
    rows = revisions.diff(definition, old, new) if old_number != new_number else []
    for version in found:
        version.who = documents.name_from_label(version.submitted_by_label)  # type: ignore[attr-defined]
    is_submitter = permissions.can_nominate_at(request_user(request), nomination.unit)
    context = {
        "nomination": nomination,
        "versions": found,
        "old": old,
        "new": new,
        "rows": rows,
        "changed_count": sum(1 for r in rows if r["changed"]),
        "unchanged_count": sum(1 for r in rows if not r["changed"]),
        "can_revise": is_submitter
        and nomination.status in revisions.REVISABLE
        and revisions.open_windows(nomination).exists(),
    }
    return render(request, "approvals/revisions/versions.html", context)
