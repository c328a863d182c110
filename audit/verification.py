"""Verification of the audit trail: every chain recomputed, every anchor checked.

``verify_audit`` only reports; ``run_verification`` is the audited action (``audit.verified``)
that the API, the auditor's page and ``manage.py verify_audit`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction

from audit import audit_events, hashing
from audit.models import AuditAnchor, AuditAnchorHead, AuditEvent
from audit.trail import record_event

if TYPE_CHECKING:
    from accounts.models import User


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
    expected_prev = hashing.GENESIS_HASH
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
            expected_prev, expected_seq = hashing.GENESIS_HASH, 1
        if values["seq"] != expected_seq:
            yield Problem(
                "missing_events", *key, event_id=values["id"], seq=values["seq"],
                detail=f"expected seq {expected_seq}",
            )  # fmt: skip
        if values["prev_hash"] != expected_prev:
            yield Problem("broken_link", *key, event_id=values["id"], seq=values["seq"])
        recomputed = hashing.event_hash(**{k: values[k] for k in _CHAIN_FIELDS if k not in ("id", "hash")})
        if recomputed != values["hash"]:
            yield Problem("hash_mismatch", *key, event_id=values["id"], seq=values["seq"])
        # Continue from the stored hash so one changed row is reported once, not for every later row.
        expected_prev, expected_seq = values["hash"], values["seq"] + 1


def iter_anchor_problems(report: VerifyReport) -> Iterator[Problem]:
    """Check anchors' signatures and links, and that every anchored head still exists unchanged."""
    key = settings.SEALFLOW_AUDIT_ANCHOR_KEY
    prev_digest = hashing.GENESIS_HASH
    for anchor in AuditAnchor.objects.order_by("id").iterator():
        report.anchors += 1
        heads = anchor.heads.order_by("object_type", "object_id").values_list(
            "object_type", "object_id", "seq", "hash"
        )
        digest = hashing.anchor_digest(anchor.prev_digest, anchor.last_event_id, heads.iterator())
        if anchor.prev_digest != prev_digest or digest != anchor.digest:
            yield Problem("anchor_altered", "audit.anchor", str(anchor.pk))
        elif not hashing.anchor_signature_valid(key, anchor.digest, anchor.signature):
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
    """Recompute every chain and check every anchor; a report of every broken place (not audited:
    a person's or the command's check is ``run_verification``)."""
    report = VerifyReport()
    report.problems.extend(iter_chain_problems(report, chunk_size=chunk_size))
    report.problems.extend(iter_anchor_problems(report))
    return report


# --- the verification as an action ------------------------------------------------------------

VERIFIED_TARGET = ("audit.trail", "all")


def iter_verification(
    actor: User | None, report: VerifyReport, *, every: int = PROGRESS_EVERY, chunk_size: int = 5000
) -> Iterator[Problem | None]:
    """The verification step by step, for a progress display: each problem as found (also added
    to ``report``), None after every ``every`` events; once it has run to its end, it is recorded
    as ``audit.verified`` (a check abandoned half-way is not)."""
    for problem in iter_verify_audit(report, every, chunk_size):
        if problem is not None:
            report.problems.append(problem)
        yield problem
    _record_verified(actor, report)


def run_verification(
    actor: User | None,
    *,
    chunk_size: int = 5000,
    on_problem: Callable[[Problem], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Verify the whole trail and record that ``actor`` (None: the system) did, as ``audit.verified``.

    The one verification that the API, the auditor's page and ``manage.py verify_audit`` run.
    ``on_problem`` sees each problem as found; ``on_progress`` the count of events checked, every
    ``PROGRESS_EVERY`` events.
    """
    report = VerifyReport()
    for problem in iter_verification(actor, report, chunk_size=chunk_size):
        if problem is None:
            if on_progress is not None:
                on_progress(report.events)
        elif on_problem is not None:
            on_problem(problem)
    return report


@transaction.atomic(durable=True)
def _record_verified(actor: User | None, report: VerifyReport) -> None:
    record_event(
        audit_events.AUDIT_VERIFIED,
        actor=actor,
        target=VERIFIED_TARGET,
        data={"valid": report.valid, "events": report.events, "problems": len(report.problems)},
    )
