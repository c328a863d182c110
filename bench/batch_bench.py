"""Batch approval at engine speed (issue 19): ``approve-batch`` of 100 tasks, per approval, vs raw SQL.

Each approval of the batch seals the committee's first stage of a distinct nomination and enters
its second stage: the same writes as one approval of ``bench/raw_approve.py`` (locks, seal,
sign-off, viewflow's process and task rows, the nomination, two chained audit rows, the outbox
row). The raw side runs those statements by hand, one transaction per approval; the batch side
runs ``sign_off_batch`` over 100 tasks in one transaction (in-process), and the same through
``POST /api/v1/tasks/approve-batch`` on gunicorn. One client each, one after the other in the
same run; each side's CPU per approval (client or web workers, and PostgreSQL) is read from /proc.
"""

from __future__ import annotations

import json
import os
import time
from functools import partial
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
    tasks = [n.task_id for n in nominations]
    chunks = [tasks[i : i + BATCH] for i in range(0, len(tasks), BATCH)]
    warm, in_process, over_http = chunks[0], chunks[1 : 1 + batches], chunks[1 + batches :]
    with signoff_bench._raw_connect() as conn:
        raw_approve.create(conn.execute, BATCH + count)
        for i in range(1, BATCH + 1):
            signoff_bench._raw_approve(conn, i)
    sign_off_batch(warm, actor=signer, opinion=raw_approve.OPINION)  # type: ignore[arg-type]
    statuses: list[int] = []

    def action_side() -> float:
        start = time.perf_counter()
        for chunk in in_process:
            sign_off_batch(chunk, actor=signer, opinion=raw_approve.OPINION)  # type: ignore[arg-type]
        return count / (time.perf_counter() - start)

    def http_side(port: int) -> float:
        start = time.perf_counter()
        for chunk in over_http:
            body = json.dumps({"tasks": chunk, "opinion": raw_approve.OPINION}).encode()
            status = signoff_bench._request(port, "POST", "/api/v1/tasks/approve-batch", token, body)
            if status != 200:
                statuses.append(status)
        return count / (time.perf_counter() - start)

    def raw_side(conn: Any) -> float:
        start = time.perf_counter()
        for i in range(BATCH + 1, BATCH + count + 1):
            signoff_bench._raw_approve(conn, i)
        return count / (time.perf_counter() - start)

    me = lambda: [os.getpid()]  # noqa: E731
    try:
        action = signoff_bench._measured(count, action_side, me)
        with http_bench.gunicorn_server(workers=2) as (port, master):
            workers = partial(signoff_bench._processes, parent=master)
            http = signoff_bench._measured(count, partial(http_side, port), workers)
        with signoff_bench._raw_connect() as conn:
            raw = signoff_bench._measured(count, partial(raw_side, conn), me)
            done = conn.execute("SELECT count(*) FROM bench_raw_signoff").fetchone()
    finally:
        with signoff_bench._raw_connect() as conn:
            conn.execute(raw_approve.DROP)
    approved = SignOff.objects.filter(nomination__campaign=campaign).count()
    ok = not statuses and approved == len(tasks) and done is not None and done[0] == BATCH + count
    problems = f"; {len(statuses)} failed: {sorted(set(statuses))}" if statuses else ""
    setup = f"{batches} batches of {BATCH} each side, 1 client{problems}"
    return {
        "approve-batch of 100 (action), per approval / raw SQL": row(
            action.rate / raw.rate,
            ">= 0.25",
            ok and action.rate / raw.rate >= 0.25,
            f"batch {action.describe()}; raw {raw.describe()} ({setup})",
        ),
        "approve-batch of 100 (HTTP), per approval / raw SQL": row(
            http.rate / raw.rate,
            ">= 0.25",
            ok and http.rate / raw.rate >= 0.25,
            f"batch over HTTP {http.describe()}; raw {raw.describe()}",
        ),
    }
