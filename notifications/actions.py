"""User actions on notifications: mark read, channel preferences, 催办 (urge).

Preference changes and urges are audited in the same durable transaction; marking read is the
user's own bookkeeping and is not.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals.exceptions import TaskAlreadyDecided
from approvals.models import Nomination
from audit.trail import record_event
from config.errors import InvalidInput, NotPermitted, NotVisible
from notifications import audit_events, events
from notifications.exceptions import AlreadyUrged
from notifications.models import Notification, Preference
from notifications.selectors import get_own_notification

MAX_NOTE = 200


@transaction.atomic(durable=True)
def mark_read(notification_id: int, *, actor: User) -> Notification:
    """Mark one of the actor's notifications read (again: no change); someone else's is 404."""
    notification = get_own_notification(actor, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic(durable=True)
def mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic(durable=True)
def update_preferences(
    *, actor: User, email_enabled: bool | None = None, sms_enabled: bool | None = None
) -> Preference:
    """Turn email and / or SMS on or off for the actor (in-app stays on); audited with old and new.

    An address the channel needs must exist on the account (400 otherwise).
    """
    Preference.objects.get_or_create(user=actor)
    preference = Preference.objects.select_for_update().get(user=actor)
    old = {"email": preference.email_enabled, "sms": preference.sms_enabled}
    if email_enabled is True and not actor.email:
        raise InvalidInput.for_field("email_enabled", _("账号没有邮箱地址，无法开启邮件通知"), code="no_email")
    if sms_enabled is True and not actor.phone:
        raise InvalidInput.for_field("sms_enabled", _("账号没有手机号，无法开启短信通知"), code="no_phone")
    if email_enabled is not None:
        preference.email_enabled = email_enabled
    if sms_enabled is not None:
        preference.sms_enabled = sms_enabled
    new = {"email": preference.email_enabled, "sms": preference.sms_enabled}
    if new != old:
        preference.save()
        record_event(
            audit_events.NOTIFICATION_PREFERENCES_CHANGED,
            actor=actor,
            target=actor,
            data={"old": old, "new": new},
        )
    return preference


@transaction.atomic(durable=True)
def urge_task(nomination_id: int, *, actor: User, note: str = "") -> Nomination:
    """催办: remind whoever must act on the nomination's open task, from a higher level.

    Locks the nomination, re-checks under the lock that the actor may see it (404), that a task
    is open (409 ``task_already_decided``) and that the actor is a higher level (403). One urge
    per task, actor and day (409 ``already_urged``). Writes the outbox message and the audit
    event in this transaction.
    """
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("campaign", "campaign__host_org", "unit", "stage_org", "stage_org__parent")
        .filter(pk=nomination_id)
        .first()
    )
    if nomination is None or not permissions.sees_submitted_nomination(actor, nomination):
        raise NotVisible()
    target = ("approvals.nomination", str(nomination.pk))
    if nomination.status != Nomination.Status.IN_REVIEW or nomination.task_id is None:
        raise TaskAlreadyDecided(target=target)
    if not permissions.can_urge(actor, nomination):
        raise NotPermitted(_("只有上级审批部门或组委会可以催办"), target=target)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput.for_field("note", _("留言不能超过 {n} 个字").format(n=MAX_NOTE), code="note_too_long")
    if not events.task_urged(nomination, actor=actor, note=note, on=timezone.localdate()):
        raise AlreadyUrged(target=target)
    record_event(
        audit_events.TASK_URGED,
        actor=actor,
        target=nomination,
        data={"task": nomination.task_id, "stage": nomination.stage, "note": note},
    )
    return nomination
