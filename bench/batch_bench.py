"""Batch approval at engine speed (issue 19): ``approve-batch`` of 100 tasks, per approval, vs raw SQL.

Each approval of the batch seals the committee's first stage of a distinct nomination and enters
its second stage: the same writes as one approval of ``bench/raw_approve.py`` (locks, seal,
sign-off, viewflow's process and task rows, the nomination, two chained audit rows, the outbox
row). The raw side runs those statements by hand, one transaction per approval; the batch side
runs ``sign_off_batch`` over 100 tasks in one transaction (in-process), and the same through
``POST /api/v1/tasks/approve-batch`` on gunicorn. One client each, one after the other in the
same run, alternating rounds of 100 approvals (the median of the rounds' ratios is the figure).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from typing import Any

from knox.models import AuthToken

from accounts.roles import Role
from approvals.actions import sign_off_batch
from approvals.models import SignOff
from bench import http_bench, raw_approve, signoff_bench
from bench.timing import row

BATCH = 100


def approve_batch_vs_raw_sql(*, batches: int) -> dict[str, dict[str, object]]:
    world = signoff_bench._world("batch")
    campaign = signoff_bench._campaign(world, [(Role.COMMITTEE, "host", True), (Role.COMMITTEE, "host", True)])
    signer = signoff_bench._person("batch_committee", [(Role.COMMITTEE, world.committee)])
    token = AuthToken.objects.create(signer)[1]
    signoff_bench._warm_seal_keys(world.committee)
    count = batches * BATCH
    # Warm-up batch, the in-process side, the HTTP side.
    nominations = signoff_bench._submitted_directly(world, campaign, BATCH + 2 * count)
    tasks = [n.task_id for n in nominations if n.task_id is not None]
    chunks = [tasks[i : i + BATCH] for i in range(0, len(tasks), BATCH)]
    warm, in_process, over_http = chunks[0], chunks[1 : 1 + batches], chunks[1 + batches :]
    with signoff_bench._raw_connect() as conn:
        raw_approve.create(conn.execute, BATCH + 2 * count)
        for i in range(1, BATCH + 1):
            signoff_bench._raw_approve(conn, i)
    sign_off_batch(warm, actor=signer, opinion=raw_approve.OPINION)
    statuses: list[int] = []
    raw_ids = iter(range(BATCH + 1, BATCH + 2 * count + 1))

    def action_round(chunk: list[int]) -> float:
        start = time.perf_counter()
        sign_off_batch(chunk, actor=signer, opinion=raw_approve.OPINION)
        return time.perf_counter() - start

    def http_round(port: int, chunk: list[int]) -> float:
        body = json.dumps({"tasks": chunk, "opinion": raw_approve.OPINION}).encode()
        start = time.perf_counter()
        status = signoff_bench._request(port, "POST", "/api/v1/tasks/approve-batch", token, body)
        elapsed = time.perf_counter() - start
        if status != 200:
            statuses.append(status)
        return elapsed

    def raw_round(conn: Any, ids: list[int]) -> float:
        start = time.perf_counter()
        for i in ids:
            signoff_bench._raw_approve(conn, i)
        return time.perf_counter() - start

    # The machine is shared: the sides alternate, a round of 100 approvals each, and each round's
    # ratio is taken; the median of the rounds is the figure (load that comes and goes falls on both).
    action_ratios: list[float] = []
    http_ratios: list[float] = []
    seconds = {"action": 0.0, "http": 0.0, "raw_a": 0.0, "raw_h": 0.0}
    try:
        with signoff_bench._raw_connect() as conn:
            postgres = signoff_bench.postgres_of(conn)
            me = os.getpid()
            cpu_before = signoff_bench._cpu_seconds([me]), signoff_bench._cpu_seconds(postgres())
            for chunk in in_process:
                ids = [next(raw_ids) for _ in range(BATCH // 2)]
                raw = raw_round(conn, ids)
                batch = action_round(chunk)
                raw += raw_round(conn, [next(raw_ids) for _ in range(BATCH // 2)])
                action_ratios.append(raw / batch)
                seconds["action"] += batch
                seconds["raw_a"] += raw
            cpu_action = (
                signoff_bench._cpu_seconds([me]) - cpu_before[0],
                (signoff_bench._cpu_seconds(postgres()) - cpu_before[1]),
            )
            with http_bench.gunicorn_server(workers=2) as (port, _master):
                for chunk in over_http:
                    raw = raw_round(conn, [next(raw_ids) for _ in range(BATCH // 2)])
                    batch = http_round(port, chunk)
                    raw += raw_round(conn, [next(raw_ids) for _ in range(BATCH // 2)])
                    http_ratios.append(raw / batch)
                    seconds["http"] += batch
                    seconds["raw_h"] += raw
            done = conn.execute("SELECT count(*) FROM bench_raw_signoff").fetchone()
    finally:
        with signoff_bench._raw_connect() as conn:
            conn.execute(raw_approve.DROP)
    approved = SignOff.objects.filter(nomination__campaign=campaign).count()
    ok = not statuses and approved == len(tasks) and done is not None and done[0] == BATCH + 2 * count
    problems = f"; {len(statuses)} failed: {sorted(set(statuses))}" if statuses else ""
    action_ratio, http_ratio = statistics.median(action_ratios), statistics.median(http_ratios)

    def per(key: str) -> str:
        return f"{seconds[key] * 1e3 / count:.1f} ms"

    app_ms, db_ms = cpu_action[0] * 1e3 / count, cpu_action[1] * 1e3 / count
    return {
        "approve-batch of 100 (action), per approval / raw SQL": row(
            action_ratio,
            ">= 0.25",
            ok and action_ratio >= 0.25,
            f"median of {batches} alternating rounds ({', '.join(f'{r:.2f}' for r in action_ratios)}); "
            f"{per('action')} vs raw {per('raw_a')} per approval; batch + its raw rounds cost "
            f"{app_ms:.1f} ms CPU in this process and {db_ms:.1f} ms in PostgreSQL per approval{problems}",
        ),
        "approve-batch of 100 (HTTP), per approval / raw SQL": row(
            http_ratio,
            ">= 0.25",
            ok and http_ratio >= 0.25,
            f"median of {batches} alternating rounds ({', '.join(f'{r:.2f}' for r in http_ratios)}); "
            f"{per('http')} vs raw {per('raw_h')} per approval (gunicorn, 2 workers, 1 client)",
        ),
    }
