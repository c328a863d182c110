"""The navigation bar: what each user's roles call for, with the unread-notification count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import selectors as account_selectors
from accounts.roles import ADMIN_SITE_NAV_ROLES as ADMIN_SITE_ROLES
from accounts.roles import (
    AUDITORS,
    CAMPAIGN_ADMINISTRATORS,
    CAMPAIGN_ROLES,
    INVESTIGATOR_ROLES,
    JUDGES,
    SECURITY_ADMINISTRATORS,
    SYSTEM_ADMINISTRATORS,
)
from accounts.roles import INBOX_ROLES as REVIEW_ROLES
from accounts.roles import UNIT_ROLES as NOMINATION_ROLES
from approvals import publicity_selectors
from config.request_context import request_user
from notifications import selectors as notification_selectors

# The host's experts (the judge role): those of the host's roles that do not organise.


def roles_of(request: HttpRequest) -> frozenset[str]:
    """The roles the signed-in user holds anywhere (one query per request, cached on the request)."""
    cached = getattr(request, "_sealflow_roles", None)
    if cached is None:
        cached = account_selectors.roles_held(request_user(request)) if request.user.is_authenticated else frozenset()
        request._sealflow_roles = cached  # type: ignore[attr-defined]
    return cached


def investigates_any(request: HttpRequest) -> bool:
    """Is the signed-in user named investigator of some objection (one query per request, cached on it)?"""
    cached = getattr(request, "_sealflow_investigates", None)
    if cached is None:
        cached = publicity_selectors.investigates_any(request_user(request))
        request._sealflow_investigates = cached  # type: ignore[attr-defined]
    return bool(cached)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context: the navigation items this user's roles call for (templates/base.html).

    Navigation only shows the way; every page checks scope and authority itself.
    """
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    roles = roles_of(request)
    items: list[tuple[str, str]] = [("home", str(_("首页")))]
    if roles & NOMINATION_ROLES:
        items.append(("approvals:my-nominations", str(_("我的申报"))))
    if roles & REVIEW_ROLES:
        items.append(("approvals:inbox", str(_("待办审批"))))
        items.append(("approvals:delegations", str(_("代签"))))
    if roles & JUDGES:
        items.append(("judging:mine", str(_("评审任务"))))
    if roles & INVESTIGATOR_ROLES and investigates_any(request):
        items.append(("approvals:my-investigations", str(_("我的核查"))))
    if roles & CAMPAIGN_ROLES:
        items.append(("workflows:campaigns", str(_("评选活动"))))
    if roles & CAMPAIGN_ADMINISTRATORS:
        items.append(("portal:campaign-setup-list", str(_("活动设置"))))
    items.append(("notifications:list", str(_("通知"))))
    if roles & AUDITORS:
        items.append(("audit:audit", str(_("审计记录"))))
    if roles & SECURITY_ADMINISTRATORS:
        items.append(("accounts:security-orgs", str(_("组织机构"))))
        items.append(("accounts:security-users", str(_("账户与授权"))))
    elif roles & SYSTEM_ADMINISTRATORS:
        items.append(("accounts:security-users", str(_("账户管理"))))
    if roles & ADMIN_SITE_ROLES:
        items.append(("admin:index", str(_("管理后台"))))
    counts = {"notifications:list": notification_selectors.unread_count(request_user(request))}
    path = request.path
    result = []
    for name, label in items:
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        result.append({"url": url, "label": label, "active": active, "count": counts.get(name, 0)})
    return {"nav_items": result}
