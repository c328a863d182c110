"""No admin save, delete or bulk action without an audit event (三员分立: the administrators' own
changes are traced, e.g. disabling the audit-anchor beat job)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import RequestFactory
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from accounts.admin_site import RoleAdminMixin
from accounts.roles import ADMIN_ROLES, Role
from audit.models import AuditEvent
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _interval() -> IntervalSchedule:
    return IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)


def _axes_attempt() -> Model:
    from axes.models import AccessAttempt

    return AccessAttempt(
        username="someone", ip_address="10.1.1.1", user_agent="t", get_data="", post_data="", failures_since_start=5
    )


def _calendar_day() -> Model:
    from workflows.models import CalendarDay

    return CalendarDay(date=date(2031, 5, 6), kind=CalendarDay.Kind.HOLIDAY, name="测试假日")


def _calendar_year() -> Model:
    from workflows.models import CalendarYear

    return CalendarYear(year=2031, note="测试")


# An unsaved object of each model that one of the three administrators may change in the admin.
MAKERS: dict[str, Callable[[], Model]] = {
    "django_celery_beat.periodictask": lambda: PeriodicTask(
        name=f"t{timezone.now().timestamp()}", task="approvals.anchor_audit", interval=_interval()
    ),
    "django_celery_beat.crontabschedule": lambda: CrontabSchedule(minute="5"),
    "django_celery_beat.intervalschedule": lambda: IntervalSchedule(every=3, period=IntervalSchedule.HOURS),
    "django_celery_beat.clockedschedule": lambda: ClockedSchedule(clocked_time=timezone.now()),
    "django_celery_beat.solarschedule": lambda: SolarSchedule(event="sunrise", latitude=31.2, longitude=121.5),
    "axes.accessattempt": _axes_attempt,
    "workflows.calendarday": _calendar_day,
    "workflows.calendaryear": _calendar_year,
}


class _Form:
    """What the admin's save hooks read of a bound form."""

    def __init__(self, changed: list[str], initial: dict[str, Any] | None = None) -> None:
        self.changed_data = changed
        self.initial = initial or {}


def _administrators() -> dict[Role, Any]:
    return {role: user_with_role(role, None, username=f"adm_{role}") for role in ADMIN_ROLES}


def _changeable(users: dict[Role, Any]) -> list[tuple[Any, Any, Any]]:
    """(model, model admin, a request of an administrator who may change it) for every such admin."""
    found = []
    factory = RequestFactory()
    for model, model_admin in admin.site._registry.items():
        for user in users.values():
            request = factory.post("/admin/")
            request.user = user
            if model_admin.has_change_permission(request) or model_admin.has_delete_permission(request):
                found.append((model, model_admin, request))
                break
    return found


def _events() -> int:
    return AuditEvent.objects.count()


def test_every_registered_admin_is_role_based_and_audited():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, RoleAdminMixin), f"{model._meta.label}: not under RoleAdminMixin"
        own = {
            name for name in ("save_model", "delete_model", "delete_queryset") if name in type(model_admin).__dict__
        }
        assert not own or model_admin.writes_through_actions, f"{model._meta.label} bypasses the audited saves"


def test_each_admin_model_the_administrators_change_audits_add_change_delete_and_bulk_delete():
    # given: one account per administrative role, and every admin model one of them may change
    users = _administrators()
    changeable = _changeable(users)
    labels = {model._meta.label_lower for model, _ma, _r in changeable}
    assert labels == set(MAKERS), "a changeable admin model without a walk in MAKERS"

    for model, model_admin, request in changeable:
        label = model._meta.label_lower
        obj = MAKERS[label]()
        # when / then: add, change, delete, each with an event
        before = _events()
        model_admin.save_model(request, obj, _Form(changed=[]), False)
        assert _events() > before, f"{label}: add not audited"
        saved = model.objects.get(pk=obj.pk) if obj.pk else model.objects.latest("pk")
        before = _events()
        model_admin.save_model(request, saved, _Form(changed=[], initial={}), True)
        assert _events() > before, f"{label}: change not audited"
        before = _events()
        model_admin.delete_model(request, saved)
        assert _events() > before, f"{label}: delete not audited"
        # bulk delete ("delete_selected" calls delete_queryset), unless the admin offers none
        if "delete_selected" in model_admin.get_actions(request):
            again = MAKERS[label]()
            model_admin.save_model(request, again, _Form(changed=[]), False)
            before = _events()
            model_admin.delete_queryset(request, model.objects.filter(pk=again.pk))
            assert _events() > before, f"{label}: bulk delete not audited"


def test_disabling_a_beat_job_through_the_admin_leaves_a_trace(client):
    # given: the audit-anchor schedule and a system administrator
    sysadmin = user_with_role(Role.SYSTEM_ADMIN, None, username="sys_beat")
    task = PeriodicTask.objects.create(name="anchor", task="approvals.anchor_audit", interval=_interval())
    client.force_login(sysadmin)

    # when: the bulk action "disable" of django-celery-beat
    response = client.post(
        "/admin/django_celery_beat/periodictask/", {"action": "disable_tasks", "_selected_action": [task.pk]}
    )

    # then: disabled, and the trail says who did it to which job
    assert response.status_code == 302
    task.refresh_from_db()
    assert not task.enabled
    event = AuditEvent.objects.get(action="admin.action", object_id=str(task.pk))
    assert event.actor_id == sysadmin.pk
    assert event.object_type == "django_celery_beat.periodictask"
    assert event.data["action"] == "disable_tasks"


def test_changing_a_beat_job_in_its_form_records_the_changed_fields(client):
    sysadmin = user_with_role(Role.SYSTEM_ADMIN, None, username="sys_form")
    task = PeriodicTask.objects.create(name="anchor", task="approvals.anchor_audit", interval=_interval())
    model_admin = admin.site._registry[PeriodicTask]
    request = RequestFactory().post("/admin/")
    request.user = sysadmin
    task.enabled = False

    model_admin.save_model(request, task, _Form(changed=["enabled"]), True)

    event = AuditEvent.objects.get(action="admin.changed", object_id=str(task.pk))
    assert event.data["changed"] == {"enabled": False}
    assert event.actor_id == sysadmin.pk


def test_lifting_a_lockout_in_the_admin_is_audited(client):
    from axes.models import AccessAttempt

    security = user_with_role(Role.SECURITY_ADMIN, None, username="sec_axes")
    attempt = _axes_attempt()
    attempt.save()
    client.force_login(security)

    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert AuditEvent.objects.filter(action="admin.deleted", object_id=str(attempt.pk), actor_id=security.pk).exists()
