"""``verify_audit`` at scale: the whole trail re-checked against a raw stream of the same rows.

issue 19: over 5,000,000 events, the verification (``audit.verification.verify_audit``: every
chain recomputed in order, anchors checked) against the least any verification must do: a bare
psycopg server-side cursor over the same rows in the same order, recomputing the same hash for each
row (``audit.hashing.event_hash``) and comparing it with the stored one and the previous link.
Target: verify ≥ 0.5 × the raw stream's speed, in constant memory: the process's RSS growth while
verifying 5,000,000 events is within 1.2 × of its growth while verifying a fifth of them.

The trail is written with COPY (real chains of 10 events per object, valid hashes), so the
measurement is of reading and checking, not of a trail that could not verify.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil
from django.db import connection

from audit import hashing
from bench.timing import row

EVENTS_PER_CHAIN = 10
COPY_BATCH = 50_000
_ACTIONS = ("nomination.created", "nomination.submitted", "nomination.signed_off", "seal.created")


def _fill(total: int) -> None:
    """Append chains until the trail holds ``total`` events (objects of type ``bench.chain``)."""
    from audit.models import AuditEvent

    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - the model's own table
        have = cursor.fetchone()[0]
    start_chain = have // EVENTS_PER_CHAIN
    base = datetime(2026, 1, 1, tzinfo=UTC)
    columns = ("occurred_at", "action", "actor_id", "actor_label", "object_type", "object_id", "seq", "data",
               "request_id", "ip_address", "prev_hash", "hash")  # fmt: skip
    raw = connection.connection  # psycopg 3 connection under Django's
    chain = start_chain
    while have < total:
        buffer = io.StringIO()
        batch = min(COPY_BATCH, total - have)
        for _ in range(batch // EVENTS_PER_CHAIN):
            prev = hashing.GENESIS_HASH
            object_id = str(chain)
            for seq in range(1, EVENTS_PER_CHAIN + 1):
                occurred = base + timedelta(seconds=chain * EVENTS_PER_CHAIN + seq)
                data = {"stage": "district", "reason": f"第 {seq} 步", "nomination": chain}
                fields: dict[str, Any] = {
                    "seq": seq, "occurred_at": occurred, "action": _ACTIONS[seq % len(_ACTIONS)], "actor_id": 1,
                    "actor_label": "张三（区民政局）", "object_type": "bench.chain", "object_id": object_id,
                    "data": data, "request_id": "", "ip_address": "10.0.0.1",
                }  # fmt: skip
                digest = hashing.event_hash(**fields, prev_hash=prev)
                values = [occurred.isoformat(), fields["action"], "1", fields["actor_label"], "bench.chain", object_id,
                          str(seq), hashing.canonical_json(data), "", "10.0.0.1", prev, digest]  # fmt: skip
                buffer.write("\t".join(v.replace("\\", "\\\\") for v in values) + "\n")
                prev = digest
            chain += 1
        have += batch
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        raw.commit() if not raw.autocommit else None
    # VACUUM sets the rows' hint bits and the visibility map now: otherwise whichever side reads the
    # fresh rows first pays for writing them (a first run had the raw stream at half speed for it).
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")


def _raw_stream() -> int:
    """The floor: the same rows, same order, same hash recomputed and compared, nothing else."""
    from audit.models import AuditEvent

    table = AuditEvent._meta.db_table
    raw = connection.connection
    problems = 0
    rows = 0
    with raw.transaction(), raw.cursor(name="bench_raw_stream") as cursor:
        cursor.itersize = 5000
        cursor.execute(
            f"SELECT seq, occurred_at, action, actor_id, actor_label, object_type, object_id, data, request_id,"  # noqa: S608
            f" host(ip_address), prev_hash, hash FROM {table} ORDER BY object_type, object_id, seq"
        )
        current = None
        expected = hashing.GENESIS_HASH
        for seq, occurred, action, actor, label, otype, oid, data, request, ip, prev, stored in cursor:
            rows += 1
            if (otype, oid) != current:
                current, expected = (otype, oid), hashing.GENESIS_HASH
            digest = hashing.event_hash(
                seq=seq, occurred_at=occurred, action=action, actor_id=actor, actor_label=label, object_type=otype,
                # Django has psycopg hand jsonb over as text (its JSONField decodes it): decode it here too.
                object_id=oid, data=json.loads(data), request_id=request, ip_address=ip, prev_hash=prev,
            )  # fmt: skip
            problems += (prev != expected) + (digest != stored)
            expected = stored
    assert problems == 0, f"the raw stream found {problems} problems in a valid trail"
    return rows


class _PeakRss:
    """The process's largest resident set while a block runs, sampled every 20 ms."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> _PeakRss:
        self.start = self.process.memory_info().rss
        self.peak = self.start
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def growth(self) -> int:
        return self.peak - self.start


def _timed(fn: Callable[[], Any]) -> tuple[float, Any, int]:
    with _PeakRss() as rss:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    return seconds, result, rss.growth


def verify_at_scale(total: int = 5_000_000) -> dict[str, dict[str, object]]:
    from audit.verification import verify_audit

    mib = 1024 * 1024
    fifth = total // 5
    _fill(fifth)
    small_seconds, small_report, small_growth = _timed(verify_audit)
    assert small_report.valid, small_report.problems[:3]
    assert small_report.events >= fifth
    fill_start = time.perf_counter()
    _fill(total)
    fill_seconds = time.perf_counter() - fill_start
    # Interleaved, raw first and last, so that load from elsewhere falls on both sides.
    raw_a, rows, _ = _timed(_raw_stream)
    verify_seconds, report, growth = _timed(verify_audit)
    raw_b, _, _ = _timed(_raw_stream)
    assert report.valid, report.problems[:3]
    assert report.events == rows
    raw_seconds = (raw_a + raw_b) / 2
    speed = raw_seconds / verify_seconds
    # Constant memory: the growth at 5 × the events stays within 1.2 × the growth at 1 × (plus 8 MiB
    # of allocator slack, which a few MiB of sampling jitter would otherwise make a ratio of).
    memory = (growth + 1) / (small_growth + 8 * mib)
    return {
        f"verify_audit over {rows:,} events vs a raw stream of the same rows (speed)": row(
            speed,
            "≥ 0.5",
            speed >= 0.5,
            f"verify {verify_seconds:.1f} s ({rows / verify_seconds:,.0f} events/s), raw stream {raw_seconds:.1f} s "
            f"({rows / raw_seconds:,.0f}/s); trail written in {fill_seconds:.0f} s",
        ),  # fmt: skip
        f"verify_audit RSS growth at {rows:,} vs {small_report.events:,} events": row(
            memory,
            "≤ 1.2",
            memory <= 1.2,
            f"{growth / mib:.1f} MiB over {rows:,} events vs {small_growth / mib:.1f} MiB over "
            f"{small_report.events:,} ({small_seconds:.1f} s)",
        ),  # fmt: skip
    }
