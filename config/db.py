"""Small database helpers shared by the apps (no business rules)."""

from __future__ import annotations

from django.db import connection


def advisory_xact_lock(*keys: object) -> None:
    """Take a PostgreSQL advisory lock named by ``keys`` until the current transaction ends.

    Serialises writers of one thing (an audit chain, a quota, the organisation tree) without a
    row to lock; different names never wait on each other.
    """
    assert connection.in_atomic_block, "an advisory transaction lock outside a transaction ends at once"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [":".join(map(str, keys))])
