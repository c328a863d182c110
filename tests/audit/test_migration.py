"""The audit tables moved from approvals to audit in Django's state only: a trail written under
the old migrations is still there, unchanged and verifiable, after migrating to the new ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit import hashing
from audit.models import AuditEvent
from audit.verification import verify_audit

OLD_LEAF = ("approvals", "0013_merge_audit_actions")
BEFORE: list[tuple[str, str | None]] = [OLD_LEAF, ("audit", None)]
FIELDS = ("id", "seq", "occurred_at", "action", "actor_label", "object_type", "object_id", "data", "prev_hash", "hash")


def _migrate(targets: list[tuple[str, str | None]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets if targets is not None else executor.loader.graph.leaf_nodes())
    return executor


@pytest.fixture
def old_schema(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The database as approvals' 0013 left it (no audit app); fully migrated again afterwards."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate()


def _write_old_chain(executor: MigrationExecutor, target: tuple[str, str], actions: list[str]) -> None:
    """Events as the old ``approvals.audit.record_event`` wrote them, with the historical model."""
    OldEvent = executor.loader.project_state(OLD_LEAF).apps.get_model("approvals", "AuditEvent")
    prev = hashing.GENESIS_HASH
    start = timezone.now() - timedelta(hours=1)
    for seq, action in enumerate(actions, start=1):
        fields: dict[str, Any] = {
            "seq": seq,
            "occurred_at": start + timedelta(seconds=seq),
            "action": action,
            "actor_id": None,
            "actor_label": "system",
            "object_type": target[0],
            "object_id": target[1],
            "data": hashing.normalise_data({"step": seq, "名称": "助老"}),
            "request_id": "",
            "ip_address": "127.0.0.1",
        }
        digest = hashing.event_hash(**fields, prev_hash=prev)
        OldEvent.objects.create(**fields, prev_hash=prev, hash=digest)
        prev = digest


def _rows() -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(FIELDS)} FROM approvals_auditevent ORDER BY id")  # noqa: S608
        return cursor.fetchall()


def test_a_trail_written_before_the_move_verifies_after_it(old_schema):
    _write_old_chain(old_schema, ("approvals.nomination", "7"), ["nomination.created", "nomination.submitted"])
    _write_old_chain(old_schema, ("accounts.organization", "3"), ["org.created", "org.updated", "org.updated"])
    rows_before = _rows()
    assert len(rows_before) == 5

    _migrate()

    assert _rows() == rows_before
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "nomination.created", "nomination.submitted", "org.created", "org.updated", "org.updated",
    ]  # fmt: skip
    report = verify_audit()
    assert report.valid, report.problems
    assert (report.events, report.chains) == (5, 2)
    # Still append-only: the triggers went nowhere.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(object_id="7").update(actor_label="someone else")
