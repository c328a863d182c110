"""The audit trail: ``record_event`` is its only writer; ``verify_audit`` recomputes it.

Events of one object form a hash chain (approvals/sealing.py). Writers of one object are
serialised by a transaction-scoped advisory lock on that object, so writers of different
objects never wait on each other (notes/performance-reliability.md, finding 4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from approvals import sealing
from approvals.models import AuditAnchor, AuditAnchorHead, AuditEvent
from config.db import advisory_xact_lock
from config.request_context import current_request_context

if TYPE_CHECKING:
    from accounts.models import User

_ACTIONS = frozenset(AuditEvent.Action.values)
# One event to append: its action and its data.
EventSpec = tuple["AuditEvent.Action | str", "dict[str, Any] | None"]
SYSTEM_LABEL = "system"


def object_ref(target: models.Model) -> tuple[str, str]:
    """(type, id) by which the trail names a model instance, e.g. ("accounts.grant", "12")."""
    return target._meta.label_lower, str(target.pk)


def record_event(
    action: AuditEvent.Action | str,
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
    """
    assert connection.in_atomic_block, "audit events are written inside the action's transaction"
    assert events, "no events to record"
    for action, _data in events:
        assert action in _ACTIONS, f"unregistered audit action {action!r}"
    object_type, object_id = target if isinstance(target, tuple) else object_ref(target)
    # One chain per object: lock it for this transaction, then read its head.
    advisory_xact_lock("audit", object_type, object_id)
    head = (
        AuditEvent.objects.filter(object_type=object_type, object_id=object_id)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, sealing.GENESIS_HASH)
    context = current_request_context()
    occurred_at = timezone.now()
    written = []
    for action, data in events:
        event = AuditEvent(
            occurred_at=occurred_at,
            action=str(action),
            actor=actor,
            actor_label=actor.label if actor is not None else SYSTEM_LABEL,
            object_type=object_type,
            object_id=object_id,
            seq=seq,
            data=sealing.normalise_data(data),
            request_id=context.request_id,
            ip_address=context.ip_address,
            prev_hash=prev_hash,
        )
        event.hash = _hash_of(event)
        written.append(event)
        seq, prev_hash = seq + 1, event.hash
    if len(written) == 1:
        written[0].save(force_insert=True)
    else:
        AuditEvent.objects.bulk_create(written)
    return written


def _hash_of(event: AuditEvent) -> str:
    return sealing.event_hash(
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
        AuditEvent.Action.PERMISSION_DENIED,
        actor=actor,
        target=target,
        data={"code": code, "detail": detail, "method": method, "path": path, "view": view},
    )


@transaction.atomic(durable=True)
def record_personal_data_read(*, actor: User, target: models.Model, fields: list[str]) -> AuditEvent:
    """Record that ``actor`` was shown personal data of ``target`` (the fields, not the values)."""
    return record_event(AuditEvent.Action.PERSONAL_DATA_READ, actor=actor, target=target, data={"fields": fields})


# --- verification -------------------------------------------------------------------------


@dataclass
class Problem:
    kind: str
    object_type: str
    object_id: str
    event_id: int | None = None
    seq: int | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "object": f"{self.object_type}:{self.object_id}",
            "event_id": self.event_id,
            "seq": self.seq,
            "detail": self.detail,
        }


@dataclass
class VerifyReport:
    events: int = 0
    chains: int = 0
    anchors: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


PROGRESS_EVERY = 50_000

_CHAIN_FIELDS = (
    "id",
    "seq",
    "occurred_at",
    "action",
    "actor_id",
    "actor_label",
    "object_type",
    "object_id",
    "data",
    "request_id",
    "ip_address",
    "prev_hash",
    "hash",
)


def iter_chain_problems(
    report: VerifyReport, chunk_size: int = 5000, on_progress: Callable[[int], None] | None = None
) -> Iterator[Problem]:
    """Recompute every chain, streaming rows in chain order (constant memory); yield each break."""
    for problem in _iter_chain(report, chunk_size, PROGRESS_EVERY):
        if problem is not None:
            yield problem
        elif on_progress is not None:
            on_progress(report.events)


def iter_verify_audit(report: VerifyReport, every: int, chunk_size: int = 5000) -> Iterator[Problem | None]:
    """``verify_audit`` step by step: each problem as found, and None after every ``every`` events
    (the report's counts are current then), for a progress display."""
    yield from _iter_chain(report, chunk_size, every)
    yield from iter_anchor_problems(report)


def _iter_chain(report: VerifyReport, chunk_size: int, every: int) -> Iterator[Problem | None]:
    rows = (
        AuditEvent.objects.order_by("object_type", "object_id", "seq")
        .values_list(*_CHAIN_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    current: tuple[str, str] | None = None
    expected_prev = sealing.GENESIS_HASH
    expected_seq = 1
    for row in rows:
        values = dict(zip(_CHAIN_FIELDS, row, strict=True))
        report.events += 1
        if report.events % every == 0:
            yield None
        key = (values["object_type"], values["object_id"])
        if key != current:
            current = key
            report.chains += 1
            expected_prev, expected_seq = sealing.GENESIS_HASH, 1
        if values["seq"] != expected_seq:
            yield Problem(
                "missing_events", *key, event_id=values["id"], seq=values["seq"],
                detail=f"expected seq {expected_seq}",
            )  # fmt: skip
        if values["prev_hash"] != expected_prev:
            yield Problem("broken_link", *key, event_id=values["id"], seq=values["seq"])
        recomputed = sealing.event_hash(**{k: values[k] for k in _CHAIN_FIELDS if k not in ("id", "hash")})
        if recomputed != values["hash"]:
            yield Problem("hash_mismatch", *key, event_id=values["id"], seq=values["seq"])
        # Continue from the stored hash so one changed row is reported once, not for every later row.
        expected_prev, expected_seq = values["hash"], values["seq"] + 1


def iter_anchor_problems(report: VerifyReport) -> Iterator[Problem]:
    """Check anchors' signatures and links, and that every anchored head still exists unchanged."""
    key = settings.SEALFLOW_AUDIT_ANCHOR_KEY
    prev_digest = sealing.GENESIS_HASH
    for anchor in AuditAnchor.objects.order_by("id").iterator():
        report.anchors += 1
        heads = anchor.heads.order_by("object_type", "object_id").values_list(
            "object_type", "object_id", "seq", "hash"
        )
        digest = sealing.anchor_digest(anchor.prev_digest, anchor.last_event_id, heads.iterator())
        if anchor.prev_digest != prev_digest or digest != anchor.digest:
            yield Problem("anchor_altered", "audit.anchor", str(anchor.pk))
        elif not sealing.anchor_signature_valid(key, anchor.digest, anchor.signature):
            yield Problem("anchor_signature_invalid", "audit.anchor", str(anchor.pk))
        prev_digest = anchor.digest
    # Every anchored head must still be in its chain with the same hash.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT h.object_type, h.object_id, h.seq, h.anchor_id, e.id, e.hash, h.hash
              FROM {AuditAnchorHead._meta.db_table} h
              LEFT JOIN {AuditEvent._meta.db_table} e
                ON e.object_type = h.object_type AND e.object_id = h.object_id AND e.seq = h.seq
             WHERE e.id IS NULL OR e.hash <> h.hash
             ORDER BY h.object_type, h.object_id, h.seq
            """  # noqa: S608 - table names come from the models
        )
        for object_type, object_id, seq, anchor_id, event_id, _event_hash, _anchored_hash in cursor:
            if event_id is None:
                yield Problem(
                    "tail_deleted", object_type, object_id, seq=seq,
                    detail=f"event #{seq} anchored by anchor {anchor_id} is missing",
                )  # fmt: skip
            else:
                yield Problem(
                    "anchored_event_changed", object_type, object_id, event_id=event_id, seq=seq,
                    detail=f"hash differs from anchor {anchor_id}",
                )  # fmt: skip


def verify_audit(chunk_size: int = 5000) -> VerifyReport:
    """Recompute every chain and check every anchor; a report of every broken place."""
    report = VerifyReport()
    report.problems.extend(iter_chain_problems(report, chunk_size=chunk_size))
    report.problems.extend(iter_anchor_problems(report))
    return report


# --- anchoring ----------------------------------------------------------------------------

# Events younger than this are left to the next anchor: a transaction that took its id
# earlier may still be open, and anchoring past it would skip its event.
ANCHOR_SETTLE_SECONDS = 5


@transaction.atomic(durable=True)
def anchor_chain_heads() -> AuditAnchor | None:
    """Sign the current head of every chain that grew since the last anchor; None if none grew.

    Serialised by an advisory lock so two beat runs never anchor the same range twice.
    """
    advisory_xact_lock("audit", "anchor")
    previous = AuditAnchor.objects.order_by("-id").first()
    since = previous.last_event_id if previous else 0
    prev_digest = previous.digest if previous else sealing.GENESIS_HASH
    settled = timezone.now() - timedelta(seconds=ANCHOR_SETTLE_SECONDS)
    last_event_id = AuditEvent.objects.filter(id__gt=since, occurred_at__lte=settled).aggregate(m=models.Max("id"))[
        "m"
    ]
    if last_event_id is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT ON (object_type, object_id) object_type, object_id, seq, hash
              FROM {AuditEvent._meta.db_table}
             WHERE (object_type, object_id) IN (
                   SELECT object_type, object_id FROM {AuditEvent._meta.db_table}
                    WHERE id > %s AND id <= %s)
               AND id <= %s
             ORDER BY object_type, object_id, seq DESC
            """,  # noqa: S608 - table names come from the models
            [since, last_event_id, last_event_id],
        )
        heads = [(t, i, s, h) for t, i, s, h in cursor.fetchall()]
    digest = sealing.anchor_digest(prev_digest, last_event_id, heads)
    anchor = AuditAnchor.objects.create(
        created_at=timezone.now(),
        last_event_id=last_event_id,
        head_count=len(heads),
        prev_digest=prev_digest,
        digest=digest,
        signature=sealing.sign_anchor(settings.SEALFLOW_AUDIT_ANCHOR_KEY, digest),
    )
    AuditAnchorHead.objects.bulk_create(
        AuditAnchorHead(anchor=anchor, object_type=t, object_id=i, seq=s, hash=h) for t, i, s, h in heads
    )
    return anchor
