"""Outbox drain rate with a real Celery worker vs the approval rate (notes/performance-reliability.md §7, G9).

Approvals: ``threads`` reviewers approve the first stage of a two-stage chain for ``seconds``, as
the sign-off benchmark's cold approvals do (``signoff_bench._race``); each approval writes, in its
transaction, the outbox message that tells the next stage's holders (five district reviewers).
Drain: a real ``celery worker`` (``--concurrency 2``, as the launcher runs it), started and ready
before the clock starts, drains that backlog (padded with copies of the same messages to at
least ``min_backlog``, so that the rate is sustained, not a burst); the time runs from publishing the drain tasks to
the last message processed. The backlog cannot grow at peak when the ratio is at least 1.
In-app notifications only (the reviewers have no email address and SMS is off by default).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

from accounts.roles import Role
from bench.signoff_bench import DISTRICT, _campaign, _Cold, _person, _race, _seed_in_review, _warm_seal_keys, _world
from bench.timing import row
from notifications.models import Notification, OutboxMessage

ROOT = Path(__file__).resolve().parent.parent


def _start_worker(queue: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SEALFLOW_CELERY_QUEUE": queue, "SEALFLOW_DB_NAME": connection.settings_dict["NAME"]}
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "INFO", "--concurrency", "2",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _wait_ready(worker: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while " ready." not in log.read_text(errors="replace"):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the Celery worker did not start:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)


def drain_vs_approvals(
    *, seconds: float, threads: int = 4, reviewers: int = 5, min_backlog: int = 3000
) -> dict[str, dict[str, object]]:
    from config.celery_app import app

    world = _world("outbox")
    campaign = _campaign(world, [(Role.DISTRICT_REVIEWER, DISTRICT, True)] * 2)
    approvers = [_person(f"outbox_reviewer{k}", [(Role.DISTRICT_REVIEWER, world.district)])
                 for k in range(max(threads, reviewers))]  # fmt: skip
    _warm_seal_keys(world.district)
    ids = _seed_in_review(campaign, count=int(seconds * 400) + 100, submitter=world.submitter, places=world.districts)
    OutboxMessage.objects.all().delete()

    approval_rate, tally = _race(approvers[:threads], seconds, _Cold(ids, threads))
    from_approvals = list(OutboxMessage.objects.filter(processed_at__isnull=True))
    # A longer backlog than a few seconds of approvals make, so that the drain's rate is sustained:
    # copies of the approvals' own messages (same recipients and text), under keys of their own.
    copies = [
        OutboxMessage(kind=m.kind, dedupe_key=f"bench-copy:{i}:{m.dedupe_key}", recipients=m.recipients,
                      payload=m.payload)
        for i in range(max(0, -(-min_backlog // max(len(from_approvals), 1)) - 1))
        for m in from_approvals
    ]  # fmt: skip
    OutboxMessage.objects.bulk_create(copies, batch_size=1000)
    backlog = len(from_approvals) + len(copies)
    notifications_before = Notification.objects.count()

    queue = f"bench-outbox-{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "worker.log"
        worker = _start_worker(queue, log)
        try:
            _wait_ready(worker, log)
            started = time.perf_counter()
            for _ in range(2):  # one per pool process; SKIP LOCKED shares the backlog between them
                app.send_task("notifications.drain_outbox", queue=queue)
            while OutboxMessage.objects.filter(processed_at__isnull=True).exists():
                if worker.poll() is not None:
                    raise RuntimeError(f"the Celery worker died:\n{log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.01)
            elapsed = time.perf_counter() - started
        finally:
            worker.terminate()
            worker.wait(30)
    drain_rate = backlog / elapsed
    notified = Notification.objects.count() - notifications_before
    ratio = drain_rate / approval_rate
    return {
        "outbox drain (real worker, c=2) / approvals (4 threads)": row(
            ratio,
            ">= 1.0",
            ratio >= 1.0 and len(from_approvals) == tally.approved,
            f"{drain_rate:.0f} vs {approval_rate:.1f} messages/s ({len(from_approvals)} messages from "
            f"{tally.approved} approvals, padded to {backlog} with copies; {notified} notifications in "
            f"{elapsed:.2f} s, from publishing the drain to the last message processed)",
        )  # fmt: skip
    }
