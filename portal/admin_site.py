"""The Django admin site: Chinese, opened to the administrators by role (三员分立), never by ``is_staff``.

Configured once every app has registered its admins (``portal/admin.py``; portal is the last
app). Third-party admins are re-registered under role rules with the audited
``accounts.admin_site.RoleAdminMixin``, or dropped when no role needs them. Writes that are
business actions (accounts, grants) are not offered here: they go through the API and the
pages, which call the audited actions.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_site import RoleAdminMixin
from accounts.permissions import can_use_admin_site
from accounts.roles import SECURITY_ADMINISTRATORS, SYSTEM_ADMINISTRATORS
from accounts.web import AdminLoginForm


def admin_site_has_permission(request: HttpRequest) -> bool:
    return can_use_admin_site(request.user)  # type: ignore[arg-type]


def configure_admin_site() -> None:
    admin.site.site_header = "评选申报与审批系统 · 管理后台"
    admin.site.site_title = "评选申报与审批系统"
    admin.site.index_title = "管理"
    admin.site.has_permission = admin_site_has_permission  # type: ignore[method-assign]
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
    from viewflow.workflow.models import Process, Task

    # The process rows are written by the sign-off actions only (no role edits them here).
    for model in (Group, AuthToken, AccessAttempt, AccessLog, AccessFailureLog, Process, Task):
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
