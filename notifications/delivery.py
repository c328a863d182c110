"""The drain: turn outbox messages into notifications and deliveries, then send the deliveries.

``drain_outbox`` (the Celery task ``notifications.drain_outbox``, nudged after each commit and
polled by beat) works in two steps:

1. **Expand.** In one transaction, lock up to ``batch`` unprocessed messages with
   ``SELECT ... FOR UPDATE SKIP LOCKED`` (two workers never take the same one), expand their
   recipients, write the in-app ``Notification`` rows and the ``Delivery`` rows of email and
   SMS with ``ON CONFLICT DO NOTHING`` on their unique keys, and mark the messages processed.
   Killed half-way, the transaction rolls back and the next drain redoes the batch; the unique
   keys make a redo that races a committed one insert nothing.
2. **Send.** One delivery at a time, each in its own transaction holding the delivery's row
   lock (``SKIP LOCKED``) across the send and the status update. A crash between the send and
   the commit leaves the delivery pending: it is sent again with the same key (the email's
   Message-ID, the SMS gateway's Idempotency-Key), so the receiving side can recognise it.
   Failures wait in the row (``next_attempt_at``, exponential back-off), never as a Celery ETA.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Grant, Organization, User
from accounts.roles import ROLE_SCOPE, Scope
from approvals.models import Nomination
from notifications import links, sms
from notifications.events import Kind
from notifications.models import Delivery, Notification, OutboxMessage, Preference

logger = logging.getLogger(__name__)

MAX_MESSAGE_ATTEMPTS = 5
MAX_DELIVERY_ATTEMPTS = 8
SEND_ROUND = 20
SUBTREE_ROLES = frozenset(str(role) for role, scope in ROLE_SCOPE.items() if scope is Scope.SUBTREE)


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    link: str


def render(kind: str, payload: dict[str, Any]) -> Rendered:
    """The Chinese text of a message from ``templates/notifications/<kind>.txt``.

    The template's first line is the title, the rest the body.
    """
    text = render_to_string(f"notifications/{kind}.txt", payload).strip()
    title, _, body = text.partition("\n")
    return Rendered(title=title.strip()[:200], body=body.strip(), link=str(payload.get("link", "")))


# --- step 1: expand -------------------------------------------------------------------------------


def _role_holders(pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], set[int]]:
    """For each (role, organisation): the active users whose grant covers it, in two queries.

    A grant covers its own organisation, and for the subtree roles (``accounts.roles.ROLE_SCOPE``)
    everything below it, as ``accounts.permissions.has_role_at`` decides.
    """
    pairs = set(pairs)
    if not pairs:
        return {}
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in={org for _, org in pairs})}
    candidates: set[int] = set()
    for org in orgs.values():
        candidates.update([org.pk, *org.ancestor_ids()])
    grants = Grant.objects.filter(
        role__in={role for role, _ in pairs}, org_id__in=candidates, user__is_active=True
    ).values_list("role", "org_id", "user_id")
    by_role_org: dict[tuple[str, int], set[int]] = defaultdict(set)
    for role, org_id, user_id in grants:
        by_role_org[(role, org_id)].add(user_id)
    holders: dict[tuple[str, int], set[int]] = {}
    for role, org_id in pairs:
        target = orgs.get(org_id)
        found: set[int] = set()
        if target is not None:
            found |= by_role_org.get((role, target.pk), set())
            if role in SUBTREE_ROLES:
                for ancestor in target.ancestor_ids():
                    found |= by_role_org.get((role, ancestor), set())
        holders[(role, org_id)] = found
    return holders


def _delivery(message: OutboxMessage, channel: str, address: str, text: Rendered, user_id: int | None) -> Delivery:
    link = links.absolute(text.link)
    body = f"{text.title} {link}".strip() if channel == Delivery.Channel.SMS else f"{text.body}\n\n{link}".strip()
    # The address enters the key hashed: keys are logged and sent to gateways.
    address_hash = hashlib.sha256(address.encode()).hexdigest()[:24]
    return Delivery(
        key=f"{message.pk}:{channel}:{address_hash}", message=message, channel=channel, user_id=user_id,
        address=address, subject=text.title, body=body,
    )  # fmt: skip


def _expand(messages: list[OutboxMessage]) -> tuple[list[Notification], list[Delivery], dict[int, str]]:
    """The rows to write for these messages, and the error of each message that could not be expanded."""
    pairs = {(str(r), int(o)) for m in messages for r, o in m.recipients.get("roles", [])}
    holders = _role_holders(pairs)
    user_ids_of: dict[int, set[int]] = {}
    for m in messages:
        ids = {int(u) for u in m.recipients.get("users", [])}
        for role, org in m.recipients.get("roles", []):
            ids |= holders.get((str(role), int(org)), set())
        user_ids_of[m.pk] = ids
    all_ids = set().union(*user_ids_of.values()) if user_ids_of else set()
    users = {u.pk: u for u in User.objects.filter(pk__in=all_ids, is_active=True)}
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=users)}
    # A 待办 notice whose task was decided before it was drained arrives done: read, and not sent on.
    tasks = {int(m.payload["task"]) for m in messages if m.kind in Kind.TASK_NOTICES and m.payload.get("task")}
    open_tasks = (
        set(Nomination.objects.filter(task_id__in=tasks).values_list("task_id", flat=True)) if tasks else set()
    )
    now = timezone.now()

    notifications: list[Notification] = []
    deliveries: list[Delivery] = []
    errors: dict[int, str] = {}
    for m in messages:
        try:
            text = render(m.kind, m.payload)
        except Exception as exc:  # noqa: BLE001 - a broken template must not block the other messages
            errors[m.pk] = f"{type(exc).__name__}: {exc}"
            continue
        done = m.kind in Kind.TASK_NOTICES and m.payload.get("task") and int(m.payload["task"]) not in open_tasks
        for user_id in sorted(user_ids_of[m.pk]):
            user = users.get(user_id)
            if user is None:
                continue
            notifications.append(
                Notification(
                    user=user,
                    message=m,
                    kind=m.kind,
                    title=text.title,
                    body=text.body,
                    link=text.link,
                    read_at=now if done else None,
                )
            )
            if done:
                continue
            pref = prefs.get(user_id)
            email_on = pref.email_enabled if pref else Preference.DEFAULT_EMAIL
            sms_on = pref.sms_enabled if pref else Preference.DEFAULT_SMS
            if email_on and user.email:
                deliveries.append(_delivery(m, Delivery.Channel.EMAIL, user.email, text, user.pk))
            if sms_on and user.phone:
                deliveries.append(_delivery(m, Delivery.Channel.SMS, user.phone, text, user.pk))
        # People without an account (an objector) gave these contacts for exactly this purpose.
        for contact in m.recipients.get("contacts", []):
            if contact.get("email"):
                deliveries.append(_delivery(m, Delivery.Channel.EMAIL, contact["email"], text, None))
            if contact.get("phone"):
                deliveries.append(_delivery(m, Delivery.Channel.SMS, contact["phone"], text, None))
    return notifications, deliveries, errors


def expand_batch(batch: int = 100) -> int:
    """Step 1 for up to ``batch`` messages in one transaction; returns how many were taken."""
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(processed_at__isnull=True)
            .order_by("id")[:batch]
        )
        if not messages:
            return 0
        notifications, deliveries, errors = _expand(messages)
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        now = timezone.now()
        done = [m.pk for m in messages if m.pk not in errors]
        OutboxMessage.objects.filter(pk__in=done).update(processed_at=now, attempts=F("attempts") + 1)
        for pk, error in errors.items():
            logger.error("outbox message %s could not be expanded: %s", pk, error)
            # After MAX_MESSAGE_ATTEMPTS the message is set aside (processed, with its error).
            OutboxMessage.objects.filter(pk=pk).update(
                attempts=F("attempts") + 1,
                last_error=error[:2000],
                processed_at=now if next(m for m in messages if m.pk == pk).attempts + 1 >= MAX_MESSAGE_ATTEMPTS
                else None,
            )  # fmt: skip
        return len(messages)


# --- step 2: send ---------------------------------------------------------------------------------


def _message_id(key: str) -> str:
    """A Message-ID that is the same every time this delivery is sent."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.SEALFLOW_MAIL_DOMAIN}>"


def _send(delivery: Delivery) -> None:
    if delivery.channel == Delivery.Channel.EMAIL:
        EmailMessage(
            subject=delivery.subject,
            body=delivery.body,
            to=[delivery.address],
            headers={"Message-ID": _message_id(delivery.key)},
        ).send(fail_silently=False)
    else:
        sms.get_backend().send(phone=delivery.address, text=delivery.body, key=delivery.key)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def send_one() -> bool:
    """Send the oldest due delivery that no other worker holds; False when there is none."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at", "id")
            .first()
        )
        if delivery is None:
            return False
        delivery.attempts += 1
        try:
            _send(delivery)
        except Exception as exc:  # noqa: BLE001 - any channel error is recorded and retried
            permanent = isinstance(exc, sms.SmsError) and exc.permanent
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if permanent or delivery.attempts >= MAX_DELIVERY_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
            else:
                delivery.next_attempt_at = timezone.now() + _backoff(delivery.attempts)
            logger.warning("delivery %s failed (attempt %s): %s", delivery.key, delivery.attempts, exc)
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "sent_at"])
        return True


def drain_outbox(*, batch: int = 100, budget_seconds: float | None = None) -> tuple[int, int]:
    """Expand every pending message, then send due deliveries, within a time budget.

    Returns (messages expanded, deliveries attempted). Safe to run in several workers at once.
    """
    budget = settings.SEALFLOW_OUTBOX_DRAIN_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    expanded = attempted = 0
    while time.monotonic() < deadline:
        taken = expand_batch(batch)
        expanded += taken
        # Send a few, then look for new messages again: slow SMS must not hold back in-app ones.
        sent = 0
        while sent < SEND_ROUND and time.monotonic() < deadline and send_one():
            sent += 1
        attempted += sent
        if taken < batch and sent < SEND_ROUND:
            break
    return expanded, attempted
