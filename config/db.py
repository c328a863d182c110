"""Small database helpers shared by the apps (no business rules)."""

from __future__ import annotations

from typing import TypeVar

from django.db import connection
from django.db.models import Model, QuerySet


def advisory_xact_lock(*keys: object) -> None:
    """Take a PostgreSQL advisory lock named by ``keys`` until the current transaction ends.

    Serialises writers of one thing (an audit chain, a quota, the organisation tree) without a
    row to lock; different names never wait on each other.
    """
    assert connection.in_atomic_block, "an advisory transaction lock outside a transaction ends at once"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [":".join(map(str, keys))])


# The largest id PostgreSQL's bigint holds: an id beyond it is answered like a missing one.
MAX_ID = 2**63 - 1

_M = TypeVar("_M", bound=Model)


def get_in_scope(queryset: QuerySet[_M], pk: int) -> _M:
    """The object ``pk`` of a scope queryset, or ``NotVisible`` (404) for missing and forbidden alike."""
    from config.errors import NotVisible

    if not 0 < pk <= MAX_ID:
        raise NotVisible()
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotVisible()
    return obj
