"""Writes made in the Django admin, each one atomic and audited (no admin save, delete or bulk
action without an audit event: e.g. a disabled beat schedule leaves a trace).

The admin's model admins call these through ``accounts.admin_site.RoleAdminMixin``; model
admins whose writes go through business actions of their own (campaigns, the calendar) keep
those, which are audited already.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction

from accounts import audit_events
from accounts.models import User
from audit.trail import record_event

_SECRET_FIELDS = frozenset({"password", "code_hash", "digest", "token_key"})
_MAX_VALUE = 200


def _ref(obj: models.Model) -> tuple[str, str]:
    return (obj._meta.label_lower, str(obj.pk))


def _value(obj: models.Model, name: str) -> Any:
    if name in _SECRET_FIELDS:
        return "***"
    value = getattr(obj, name, None)
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:_MAX_VALUE]


@transaction.atomic
def save_admin_object(obj: models.Model, *, actor: User, changed_fields: Iterable[str], created: bool) -> None:
    """Save ``obj`` as the admin form left it and audit ``admin.added`` / ``admin.changed``
    with the object's reference and the changed fields (secrets masked)."""
    obj.save()
    fields = sorted(set(changed_fields))
    record_event(
        audit_events.ADMIN_ADDED if created else audit_events.ADMIN_CHANGED,
        actor=actor,
        target=_ref(obj),
        data={
            "model": obj._meta.label_lower,
            "object": str(obj)[:_MAX_VALUE],
            "changed": {name: _value(obj, name) for name in fields},
        },
    )


@transaction.atomic
def delete_admin_object(obj: models.Model, *, actor: User) -> None:
    """Delete ``obj`` and audit ``admin.deleted`` with what it was."""
    ref, shown = _ref(obj), str(obj)[:_MAX_VALUE]
    obj.delete()
    record_event(audit_events.ADMIN_DELETED, actor=actor, target=ref, data={"model": ref[0], "object": shown})


@transaction.atomic
def run_admin_action(
    name: str, run: Callable[[models.QuerySet[Any]], Any], queryset: models.QuerySet[Any], *, actor: User
) -> Any:
    """Run a bulk admin action (e.g. django-celery-beat's "disable tasks") and audit ``admin.action``
    on each selected object, in one transaction with whatever the action writes."""
    objects = list(queryset)
    result = run(queryset)
    for obj in objects:
        record_event(
            audit_events.ADMIN_ACTION,
            actor=actor,
            target=_ref(obj),
            data={"model": obj._meta.label_lower, "object": str(obj)[:_MAX_VALUE], "action": name},
        )
    return result
