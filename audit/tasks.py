"""Celery tasks of the audit trail: thin adapters around its functions."""

from __future__ import annotations

from celery import shared_task


# The name predates the audit app: beat's schedule rows (config/schedules.py) name the task by it.
@shared_task(name="approvals.anchor_audit")
def anchor_audit_task() -> int | None:
    """Sign the audit chain heads that grew since the last anchor (fired by beat)."""
    from audit.anchoring import anchor_chain_heads

    anchor = anchor_chain_heads()
    return anchor.pk if anchor else None
