"""The Django admin, opened to the three administrators by role (三员分立), never by ``is_staff``.

Each model admin names which roles may view and which may change; every other account sees
nothing. Writes that are business actions (accounts, grants) are not offered here: they go
through the API and the pages, which call the audited actions.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from accounts.permissions import can_use_admin_site, holds_any
from accounts.roles import SECURITY_ADMINISTRATORS, SYSTEM_ADMINISTRATORS, Role


def _holds(request: HttpRequest, roles: frozenset[Role]) -> bool:
    user = request.user
    return bool(roles) and user.is_authenticated and user.is_active and holds_any(user, roles)


def admin_site_has_permission(request: HttpRequest) -> bool:
    return can_use_admin_site(request.user)  # type: ignore[arg-type]


class RoleAdminMixin:
    """Permissions from roles: ``view_roles`` may list and read, ``change_roles`` may also edit."""

    view_roles: ClassVar[frozenset[Role]] = frozenset()
    change_roles: ClassVar[frozenset[Role]] = frozenset()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _holds(request, self.view_roles | self.change_roles)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds(request, self.view_roles | self.change_roles)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _holds(request, self.change_roles)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds(request, self.change_roles)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _holds(request, self.change_roles)


def configure_admin_site() -> None:
    admin.site.site_header = "评选申报与审批系统 · 管理后台"
    admin.site.site_title = "评选申报与审批系统"
    admin.site.index_title = "管理"
    admin.site.has_permission = admin_site_has_permission  # type: ignore[method-assign]
    from accounts.web import AdminLoginForm

    admin.site.login_form = AdminLoginForm
    _restrict_third_party_admins()


def _restrict_third_party_admins() -> None:
    """Re-register other packages' admins under role rules; drop those that belong to no role."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_celery_beat import admin as beat_admin
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from knox.models import AuthToken

    for model in (Group, AuthToken, AccessAttempt, AccessLog, AccessFailureLog):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
    system = SYSTEM_ADMINISTRATORS
    beat_admins: dict[type, type] = {
        PeriodicTask: beat_admin.PeriodicTaskAdmin,
        CrontabSchedule: beat_admin.CrontabScheduleAdmin,
        IntervalSchedule: admin.ModelAdmin,
        ClockedSchedule: beat_admin.ClockedScheduleAdmin,
        SolarSchedule: admin.ModelAdmin,
    }
    for model, base in beat_admins.items():
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        restricted = type(f"Role{base.__name__}", (RoleAdminMixin, base), {"change_roles": system})
        admin.site.register(model, restricted)
    # Lockouts are the security administrator's to see (and lift by deleting the attempt).
    lockout_admin = type(
        "RoleAccessAttemptAdmin",
        (RoleAdminMixin, admin.ModelAdmin),
        {
            "change_roles": SECURITY_ADMINISTRATORS,
            "list_display": ("username", "ip_address", "failures_since_start", "attempt_time"),
        },
    )
    admin.site.register(AccessAttempt, lockout_admin)
