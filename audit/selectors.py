"""Reads of the audit trail, starting from what the user may see."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from accounts import permissions
from accounts.models import User
from audit.models import AuditEvent
from config.errors import NotPermitted

# Short object names accepted by the API's ?object= and the auditor's page ("nomination:12").
SHORT_TYPES = {
    "nomination": "approvals.nomination",
    "user": "accounts.user",
    "org": "accounts.organization",
    "organization": "accounts.organization",
    "grant": "accounts.grant",
    "campaign": "workflows.campaign",
    # The same in Chinese, as the auditor's page suggests them (申报:12).
    "申报": "approvals.nomination",
    "用户": "accounts.user",
    "组织": "accounts.organization",
    "授权": "accounts.grant",
    "活动": "workflows.campaign",
    "异议": "approvals.objection",
    "奖项": "awards.award",
}


def list_audit_events(
    user: User,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    actor: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The audit trail, oldest first; only auditors read it (三员分立)."""
    if not permissions.can_read_audit(user):
        raise NotPermitted(target=("audit.trail", "all"))
    events = AuditEvent.objects.all()
    if object_type is not None:
        events = events.filter(object_type=object_type)
    if object_id is not None:
        events = events.filter(object_id=object_id)
    if actor is not None:
        events = events.filter(actor_id=actor)
    if action:
        events = events.filter(action=action)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events.order_by("id")
