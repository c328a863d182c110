"""代签 pages: a stage holder names a colleague as delegate for some days, sees and revokes them.

Every change is ``approvals.actions.delegations`` (audited, re-checked there).
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Grant, User
from approvals import selectors
from approvals.actions.delegations import create_delegation, revoke_delegation
from config.errors import InvalidInput, SealflowError
from config.request_context import request_user
from config.web.errors import report
from workflows.calendar import end_of_day
from workflows.specs import SIGNING_ROLES


def _my_signing_grants(user: User) -> list[Grant]:
    return list(
        Grant.objects.filter(user_id=user.pk, role__in=sorted(SIGNING_ROLES), org__isnull=False)
        .select_related("org")
        .order_by("org__name", "role")
    )


def _colleagues(user: User, grants: list[Grant]) -> list[User]:
    """The active people with a role at an organisation where the user signs (who may be named)."""
    org_ids = {g.org_id for g in grants}
    users = User.objects.filter(is_active=True, grants__org_id__in=org_ids).exclude(pk=user.pk).distinct()
    return list(users.order_by("username"))


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@login_required
@require_GET
def delegation_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    grants = _my_signing_grants(user)
    now = timezone.now()
    rows = list(selectors.list_delegations(user))
    for d in rows:
        d.is_active = d.revoked_at is None and d.starts_at <= now < d.ends_at  # type: ignore[attr-defined]
        d.may_revoke = d.principal_id == user.pk and d.revoked_at is None and d.ends_at > now  # type: ignore[attr-defined]
    context = {
        "grants": grants,
        "colleagues": _colleagues(user, grants) if grants else [],
        "given": [d for d in rows if d.principal_id == user.pk],
        "received": [d for d in rows if d.delegate_id == user.pk],
        "today": timezone.localdate().isoformat(),
    }
    return render(request, "approvals/delegations.html", context)


@login_required
@require_POST
def delegation_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    back = reverse("approvals:delegations")
    role, _sep, org = request.POST.get("grant", "").partition(":")
    first, last = _day(request.POST.get("starts_on", "")), _day(request.POST.get("ends_on", ""))
    try:
        if first is None or last is None:
            raise InvalidInput.for_field("ends_on", _("请填写代签的开始和结束日期"), code="invalid_period")
        today = timezone.localdate()
        starts_at = timezone.now() if first <= today else timezone.make_aware(datetime.combine(first, time.min))
        create_delegation(
            actor=user, delegate_id=int(request.POST.get("delegate") or 0), role=role, org_id=int(org or 0),
            starts_at=starts_at, ends_at=end_of_day(last), reason=request.POST.get("reason", ""),
        )  # fmt: skip
    except (SealflowError, ValueError) as exc:
        if isinstance(exc, SealflowError):
            report(request, exc)
        else:
            messages.error(request, _("请选择委托的角色和代签人"))
        return HttpResponseRedirect(back)
    messages.success(request, _("已设置代签，代签人可在“待办审批”中办理"))
    return HttpResponseRedirect(back)


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        revoke_delegation(pk, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已撤销代签"))
    return HttpResponseRedirect(reverse("approvals:delegations"))
