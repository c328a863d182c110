"""Pure functions for the tamper-evident records: canonical JSON and hashes (no ORM).

The audit trail chains each object's events: ``hash = SHA-256(canonical event ‖ previous hash)``,
so a changed, removed or reordered event breaks every hash after it. Anchors sign the chain
heads with a key kept outside the database, so a cut-off tail is found too. Seals
(approvals/seals.py) sign the same canonical JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """One spelling for one value: sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def normalise_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """The data as PostgreSQL will give it back (dates as strings, tuples as lists)."""
    return json.loads(canonical_json(data or {}))


def utc_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    action: str,
    actor_id: int | None,
    actor_label: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
    request_id: str,
    ip_address: str | None,
    prev_hash: str,
) -> str:
    """The hash that links one audit event to the one before it on the same object."""
    payload = canonical_json(
        {
            "seq": seq,
            "occurred_at": utc_timestamp(occurred_at),
            "action": action,
            "actor_id": actor_id,
            "actor_label": actor_label,
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
            "request_id": request_id,
            "ip_address": ip_address,
        }
    )
    return hashlib.sha256(payload.encode() + prev_hash.encode()).hexdigest()


def anchor_digest(prev_digest: str, last_event_id: int, heads: Iterable[tuple[str, str, int, str]]) -> str:
    """Digest of an anchor: the previous anchor, the event id it reaches, and the chain heads."""
    digest = hashlib.sha256()
    digest.update(f"{prev_digest}|{last_event_id}".encode())
    for object_type, object_id, seq, head_hash in heads:
        digest.update(f"\n{object_type}|{object_id}|{seq}|{head_hash}".encode())
    return digest.hexdigest()


def sign_anchor(key: str, digest: str) -> str:
    return hmac.new(key.encode(), digest.encode(), hashlib.sha256).hexdigest()


def anchor_signature_valid(key: str, digest: str, signature: str) -> bool:
    return hmac.compare_digest(sign_anchor(key, digest), signature)
