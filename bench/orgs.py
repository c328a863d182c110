"""Organisations for the benchmarks, written straight to the database with their paths."""

from __future__ import annotations

from accounts.models import Organization
from accounts.roles import OrgKind


def make_org(name: str, kind: OrgKind, parent: Organization | None, *, prefix: str) -> Organization:
    """One organisation below ``parent``; ``prefix`` keeps codes of different benchmarks apart."""
    org = Organization.objects.create(name=name, code=f"{prefix}-{name}", kind=kind, parent=parent)
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = parent.depth + 1 if parent else 0
    org.save(update_fields=["path", "depth"])
    return org
