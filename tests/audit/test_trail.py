"""The audit trail: chained, append-only, and every kind of tampering found."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import audit_events
from audit import hashing
from audit.anchoring import anchor_chain_heads
from audit.models import AuditAnchor, AuditAnchorHead, AuditEvent
from audit.trail import record_event
from audit.verification import verify_audit

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def triggers_disabled() -> Iterator[None]:
    """What a database superuser can do: switch off the append-only triggers."""
    tables = [AuditEvent._meta.db_table, AuditAnchor._meta.db_table, AuditAnchorHead._meta.db_table]
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of this (test) transaction must fire before ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def write(n: int, target: tuple[str, str] = ("test.thing", "1")) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(record_event(audit_events.ORG_UPDATED, actor=None, target=target, data={"i": i}))
    return events


def settle_events() -> None:
    """Age every event past the anchor's settle time (the trigger is off only for this)."""
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET occurred_at = occurred_at - interval '1 hour'"  # noqa: S608
            " WHERE occurred_at > now() - interval '30 minutes'"
        )
    # Hashes bind occurred_at, so re-seal: this helper stands for "time has passed", not tampering.
    for event in AuditEvent.objects.order_by("object_type", "object_id", "seq"):
        prev = (
            AuditEvent.objects.filter(object_type=event.object_type, object_id=event.object_id, seq=event.seq - 1)
            .values_list("hash", flat=True)
            .first()
        ) or hashing.GENESIS_HASH
        event.prev_hash = prev
        fields = {
            f: getattr(event, f)
            for f in (
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
            )
        }
        new_hash = hashing.event_hash(**fields, prev_hash=prev)
        with triggers_disabled(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {AuditEvent._meta.db_table} SET prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
                [prev, new_hash, event.pk],
            )


def test_events_of_one_object_form_a_chain():
    first, second, third = write(3)

    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == hashing.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert verify_audit().valid


def test_chains_of_different_objects_are_independent():
    (a,) = write(1, ("test.thing", "1"))
    (b,) = write(1, ("test.thing", "2"))

    assert a.seq == b.seq == 1
    assert b.prev_hash == hashing.GENESIS_HASH


@pytest.mark.django_db(transaction=True)
def test_record_event_outside_a_transaction_is_refused():
    with pytest.raises(AssertionError, match="inside the action's transaction"):
        record_event(audit_events.ORG_UPDATED, actor=None, target=("test.thing", "1"))


def test_unregistered_action_is_refused():
    with transaction.atomic(), pytest.raises(AssertionError, match="unregistered"):
        record_event("thing.exploded", actor=None, target=("test.thing", "1"))


def test_update_by_the_app_is_refused():
    (event,) = write(1)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(data={"i": 99})

    event.refresh_from_db()
    assert event.data == {"i": 0}


def test_delete_by_the_app_is_refused():
    (event,) = write(1)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_row_changed_by_a_superuser_is_reported_with_its_id():
    events = write(4)
    changed = events[1]

    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET data = %s WHERE id = %s",  # noqa: S608
            ['{"i": 1000}', changed.pk],
        )

    report = verify_audit()
    assert not report.valid
    assert [(p.kind, p.event_id) for p in report.problems] == [("hash_mismatch", changed.pk)]


def test_row_deleted_from_the_middle_is_reported():
    events = write(4)

    with triggers_disabled():
        AuditEvent.objects.filter(pk=events[1].pk).delete()

    kinds = {(p.kind, p.event_id) for p in verify_audit().problems}
    assert ("missing_events", events[2].pk) in kinds
    assert ("broken_link", events[2].pk) in kinds


def test_deleted_tail_is_found_against_the_last_anchor():
    events = write(3)
    settle_events()
    anchor = anchor_chain_heads()
    assert anchor is not None
    assert anchor.head_count == 1

    with triggers_disabled():
        AuditEvent.objects.filter(pk=events[-1].pk).delete()

    report = verify_audit()
    assert [(p.kind, p.seq) for p in report.problems] == [("tail_deleted", 3)]
    # The chain alone still looks whole: only the anchor shows the cut.
    assert not [p for p in report.problems if p.kind in ("hash_mismatch", "broken_link")]


def test_anchor_covers_only_chains_that_grew_and_chains_to_the_previous_anchor():
    write(2, ("test.thing", "1"))
    settle_events()
    first = anchor_chain_heads()
    assert first is not None
    assert anchor_chain_heads() is None  # nothing grew

    write(1, ("test.thing", "2"))
    settle_events()
    second = anchor_chain_heads()

    assert second is not None
    assert second.prev_digest == first.digest
    assert list(second.heads.values_list("object_id", "seq")) == [("2", 1)]
    assert verify_audit().valid


def test_events_younger_than_the_settle_time_wait_for_the_next_anchor():
    write(1)

    assert anchor_chain_heads() is None
    assert AuditEvent.objects.get().occurred_at > timezone.now() - timedelta(seconds=60)


def test_altered_anchor_is_reported():
    write(1)
    settle_events()
    anchor = anchor_chain_heads()
    assert anchor is not None

    with triggers_disabled():
        AuditAnchorHead.objects.filter(anchor=anchor).update(seq=7)

    kinds = {p.kind for p in verify_audit().problems}
    assert "anchor_altered" in kinds


class Boom(Exception):
    pass


def _write_then_fail() -> None:
    with transaction.atomic():
        record_event(audit_events.ORG_UPDATED, actor=None, target=("test.thing", "1"))
        raise Boom


def test_failure_after_the_event_rolls_back_the_event():
    with pytest.raises(Boom):
        _write_then_fail()

    assert not AuditEvent.objects.exists()


def test_verify_command_exits_non_zero_and_names_the_event(capsys):
    events = write(2)
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET actor_label = 'someone else' WHERE id = %s",  # noqa: S608
            [events[0].pk],
        )

    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", "--quiet")

    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert f"event_id={events[0].pk}" in out
    assert "hash_mismatch" in out


def test_verify_command_reports_valid_trail(capsys):
    write(3)

    call_command("verify_audit", "--quiet")

    assert "3 events in 1 chains, 0 anchors: valid" in capsys.readouterr().out
