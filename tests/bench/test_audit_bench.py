"""The audit verification benchmark at a tiny size, so that it cannot rot (figures: bench/README.md)."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from audit.verification import verify_audit
from bench import audit_bench

# The raw stream reads through a named (server-side) cursor: the rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_trail_it_writes_verifies_and_both_sides_read_every_row():
    rows = audit_bench.verify_at_scale(total=500)

    speed, memory = rows.values()
    assert isinstance(speed["ratio"], float)
    assert speed["ratio"] > 0
    assert isinstance(memory["ratio"], float)
    assert memory["ratio"] > 0
    assert "500 events" in next(iter(rows))
    assert AuditEvent.objects.filter(object_type="bench.chain").count() == 500
    # The written chains are real: the product's own verification finds nothing wrong, and the raw
    # stream (which asserts it found no problem) reads every row of the trail.
    assert verify_audit().valid
    assert audit_bench._raw_stream() == AuditEvent.objects.count()
