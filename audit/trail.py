"""The audit trail's writers: ``record_event(s)`` is its only way in (verification: audit/verification.py).

Events of one object form a hash chain (audit/hashing.py). Writers of one object are
serialised by a transaction-scoped advisory lock on that object, so writers of different
objects never wait on each other (notes/performance-reliability.md, finding 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from audit import audit_events, hashing
from audit.models import AuditEvent
from audit.registry import is_registered
from config.request_context import current_request_context

if TYPE_CHECKING:
    from accounts.models import User

# One event to append: its registered name (audit/registry.py) and its data.
EventSpec = tuple[str, dict[str, Any] | None]
SYSTEM_LABEL = "system"


def object_ref(target: models.Model) -> tuple[str, str]:
    """(type, id) by which the trail names a model instance, e.g. ("accounts.grant", "12")."""
    return target._meta.label_lower, str(target.pk)


def record_event(
    action: str,
    *,
    actor: User | None,
    target: models.Model | tuple[str, str],
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to ``target``'s chain; must run inside the caller's transaction."""
    return record_events([(action, data)], actor=actor, target=target)[0]


def record_events(
    events: list[EventSpec],
    *,
    actor: User | None,
    target: models.Model | tuple[str, str],
) -> list[AuditEvent]:
    """Append several events of one action to ``target``'s chain, in order, in one insert.

    One chain lock and one head read whatever their number (a sealing approval writes
    ``seal.created`` and ``nomination.signed_off``); must run inside the caller's transaction.
    ``record_events_of_many`` with one object: the same statements, lock, hashes and rows.
    """
    assert events, "no events to record"
    return record_events_of_many([(target, events)], actor=actor)


def record_events_of_many(
    batches: Sequence[tuple[models.Model | tuple[str, str], list[EventSpec]]],
    *,
    actor: User | None,
) -> list[AuditEvent]:
    """``record_events`` for many objects at once (a batch approval): the same events and hashes.

    One statement takes every chain's lock (in a fixed order), one reads every head, the hashes
    are computed in order in Python, and one insert writes all the events. Each object appears
    once; must run inside the caller's transaction.
    """
    assert connection.in_atomic_block, "audit events are written inside the action's transaction"
    refs = [(target if isinstance(target, tuple) else object_ref(target), events) for target, events in batches]
    assert len({ref for ref, _events in refs}) == len(refs), "one entry per object"
    for _ref, events in refs:
        assert events, "no events to record"
        for action, _data in events:
            assert is_registered(action), f"unregistered audit action {action!r}"
    if not refs:
        return []
    keys = sorted(":".join(("audit", object_type, object_id)) for (object_type, object_id), _events in refs)
    heads: dict[tuple[str, str], tuple[int, str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(h)) FROM "
            "(SELECT hashtextextended(k, 0) AS h FROM unnest(%s::text[]) AS k ORDER BY k) AS ordered",
            [keys],
        )
        cursor.execute(
            f"SELECT DISTINCT ON (object_type, object_id) object_type, object_id, seq, hash "  # noqa: S608
            f"FROM {AuditEvent._meta.db_table} "
            "WHERE (object_type, object_id) IN (SELECT * FROM unnest(%s::text[], %s::text[])) "
            "ORDER BY object_type, object_id, seq DESC",
            [[ref[0] for ref, _e in refs], [ref[1] for ref, _e in refs]],
        )
        for object_type, object_id, seq, head_hash in cursor.fetchall():
            heads[(object_type, object_id)] = (seq, head_hash)
    context = current_request_context()
    written = []
    for (object_type, object_id), events in refs:
        seq, prev_hash = heads.get((object_type, object_id), (0, hashing.GENESIS_HASH))
        seq += 1
        occurred_at = timezone.now()
        for action, data in events:
            event = AuditEvent(
                occurred_at=occurred_at,
                action=str(action),
                actor=actor,
                actor_label=actor.label if actor is not None else SYSTEM_LABEL,
                object_type=object_type,
                object_id=object_id,
                seq=seq,
                data=hashing.normalise_data(data),
                request_id=context.request_id,
                ip_address=context.ip_address,
                prev_hash=prev_hash,
            )
            event.hash = _hash_of(event)
            written.append(event)
            seq, prev_hash = seq + 1, event.hash
    AuditEvent.objects.bulk_create(written)
    return written


def _hash_of(event: AuditEvent) -> str:
    return hashing.event_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        action=event.action,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        object_type=event.object_type,
        object_id=event.object_id,
        data=event.data,
        request_id=event.request_id,
        ip_address=event.ip_address,
        prev_hash=event.prev_hash,
    )


@transaction.atomic(durable=True)
def record_refusal(
    *,
    actor: User | None,
    code: str,
    detail: str,
    target: tuple[str, str] | None,
    method: str = "",
    path: str = "",
    view: str = "",
) -> AuditEvent:
    """Record a refused request in its own transaction (the refused action's one rolled back).

    Keyed on the object the caller reached for, or on the caller when there is none.
    """
    if target is None:
        target = ("accounts.user", str(actor.pk)) if actor is not None else ("auth.anonymous", "-")
    return record_event(
        audit_events.PERMISSION_DENIED,
        actor=actor,
        target=target,
        data={"code": code, "detail": detail, "method": method, "path": path, "view": view},
    )


@transaction.atomic(durable=True)
def record_personal_data_read(*, actor: User, target: models.Model, fields: list[str]) -> AuditEvent:
    """Record that ``actor`` was shown personal data of ``target`` (the fields, not the values)."""
    return record_event(audit_events.PERSONAL_DATA_READ, actor=actor, target=target, data={"fields": fields})
