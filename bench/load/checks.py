"""After the load: every write Locust saw answered 2xx is in the database, and no notification is lost or doubled.

Run inside Django on the launcher's database: ``manage.py shell -c "from bench.load.checks import main;
main('<writes.jsonl>', '<started ISO time>')"``; prints one JSON object. The audit chain and the seals
are checked by their own commands (``verify_audit``, ``verify_seals``), which the runner calls.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db.models import Count

from accounts.models import User
from approvals.models import Attachment, Nomination, Objection, SignOff
from notifications.delivery import _role_holders
from notifications.models import Notification, OutboxMessage

DRAIN_TIMEOUT = 180  # seconds for the Celery worker to drain the outbox after the load


def _writes(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def lost_writes(writes: list[dict[str, Any]]) -> dict[str, Any]:
    """Per kind of write: how many 2xx answers were recorded, and the ids of those missing."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for w in writes:
        by_kind.setdefault(w["kind"], []).append(w)
    result: dict[str, Any] = {}

    def report(kind: str, missing: list[Any]) -> None:
        result[kind] = {"recorded": len(by_kind.get(kind, [])), "missing": missing}

    created = {int(w["id"]) for w in by_kind.get("nomination_created", [])}
    found = set(Nomination.objects.filter(pk__in=created).values_list("pk", flat=True))
    report("nomination_created", sorted(created - found))

    versions = {int(w["id"]): int(w["version"]) for w in by_kind.get("autosave", [])}
    for w in by_kind.get("autosave", []):
        versions[int(w["id"])] = max(versions[int(w["id"])], int(w["version"]))
    saved = dict(Nomination.objects.filter(pk__in=versions).values_list("pk", "version"))
    report("autosave", sorted(pk for pk, v in versions.items() if saved.get(pk, -1) < v))

    uploads = {(int(w["nomination"]), w["name"]) for w in by_kind.get("attachment", [])}
    stored = set(
        Attachment.objects.filter(nomination_id__in={n for n, _ in uploads}).values_list(
            "nomination_id", "display_name"
        )
    )
    report("attachment", sorted(f"{n}:{name}" for n, name in uploads - stored))

    submitted = {int(w["id"]) for w in by_kind.get("submitted", [])}
    ok = set(
        Nomination.objects.filter(pk__in=submitted, submitted_at__isnull=False)
        .exclude(status=Nomination.Status.DRAFT)
        .values_list("pk", flat=True)
    )
    report("submitted", sorted(submitted - ok))

    tasks = {int(w["task"]) for w in by_kind.get("approved", [])}
    present = set(
        SignOff.objects.filter(task_id__in=tasks, decision=SignOff.Decision.APPROVE).values_list("task_id", flat=True)
    )
    report("approved", sorted(tasks - present))

    receipts = {str(w["receipt"]) for w in by_kind.get("objection", [])}
    filed = set(Objection.objects.filter(receipt__in=receipts).values_list("receipt", flat=True))
    report("objection", sorted(receipts - filed))
    return result


def notifications(since: datetime) -> dict[str, Any]:
    """Wait for the worker to drain the outbox, then compare each message's recipients with its notifications."""
    messages = OutboxMessage.objects.filter(created_at__gte=since)
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while messages.filter(processed_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(1)
    pending = messages.filter(processed_at__isnull=True).count()
    rows = list(messages.filter(processed_at__isnull=False).values("pk", "recipients"))
    holders = _role_holders((str(r), int(o)) for m in rows for r, o in m["recipients"].get("roles", []))
    active = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
    expected: set[tuple[int, int]] = set()
    for m in rows:
        ids = {int(u) for u in m["recipients"].get("users", [])}
        for role, org in m["recipients"].get("roles", []):
            ids |= holders.get((str(role), int(org)), set())
        expected |= {(m["pk"], u) for u in ids & active}
    actual = Counter(
        Notification.objects.filter(message_id__in=[m["pk"] for m in rows]).values_list("message_id", "user_id")
    )
    doubled = sum(n - 1 for n in actual.values() if n > 1)
    duplicates_by_row = (
        Notification.objects.values("message_id", "user_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    return {
        "outbox_messages": len(rows) + pending,
        "not_drained": pending,
        "notifications": sum(actual.values()),
        "lost": len(expected - set(actual)),
        "doubled": doubled + duplicates_by_row,
        "unexpected": len(set(actual) - expected),
    }


def main(writes_path: str, since: str) -> None:
    writes = _writes(Path(writes_path))
    print(
        json.dumps(
            {"writes": lost_writes(writes), "notifications": notifications(datetime.fromisoformat(since))},
            ensure_ascii=False,
        )
    )
