"""Anchors: signed snapshots of the chain heads, which make a cut-off tail visible (beat runs
``audit.tasks.anchor_audit_task``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from audit import hashing
from audit.models import AuditAnchor, AuditAnchorHead, AuditEvent
from config.db import advisory_xact_lock

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
    prev_digest = previous.digest if previous else hashing.GENESIS_HASH
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
    digest = hashing.anchor_digest(prev_digest, last_event_id, heads)
    anchor = AuditAnchor.objects.create(
        created_at=timezone.now(),
        last_event_id=last_event_id,
        head_count=len(heads),
        prev_digest=prev_digest,
        digest=digest,
        signature=hashing.sign_anchor(settings.SEALFLOW_AUDIT_ANCHOR_KEY, digest),
    )
    AuditAnchorHead.objects.bulk_create(
        AuditAnchorHead(anchor=anchor, object_type=t, object_id=i, seq=s, hash=h) for t, i, s, h in heads
    )
    return anchor
