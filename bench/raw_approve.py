"""One approval's writes by hand, in SQL: the baseline that the full-stack approve is measured against.

The same statements run two ways in ``bench/signoff_bench.py``: from plain psycopg connections
(the raw side) and from a bare Django view (``/bench/approve-sql/<id>``, mounted with
``SEALFLOW_BENCH_VIEWS``), so that the cost of sealflow's layers and of Django's can be told apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

OPINION = "同意"

TABLES = """
CREATE TABLE bench_raw_nomination (id bigint PRIMARY KEY, status varchar(16) NOT NULL, stage varchar(40) NOT NULL,
    task_id bigint NOT NULL, version integer NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE bench_raw_signoff (id bigserial PRIMARY KEY,
    nomination_id bigint NOT NULL REFERENCES bench_raw_nomination, stage varchar(40) NOT NULL,
    decision varchar(16) NOT NULL, opinion text NOT NULL, signer_id bigint NOT NULL,
    task_id bigint NOT NULL UNIQUE, content_hash varchar(64) NOT NULL, signed_at timestamptz NOT NULL);
CREATE TABLE bench_raw_audit (id bigserial PRIMARY KEY, object_type varchar(64) NOT NULL,
    object_id varchar(64) NOT NULL, seq integer NOT NULL, action varchar(64) NOT NULL, actor_id bigint,
    data jsonb NOT NULL, occurred_at timestamptz NOT NULL, prev_hash varchar(64) NOT NULL, hash varchar(64) NOT NULL,
    UNIQUE (object_type, object_id, seq));
CREATE TABLE bench_raw_seal (id bigserial PRIMARY KEY, nomination_id bigint NOT NULL REFERENCES bench_raw_nomination,
    sequence integer NOT NULL, payload text NOT NULL, seal_hash varchar(64) NOT NULL, prev_hash varchar(64) NOT NULL,
    signature text NOT NULL, created_at timestamptz NOT NULL, UNIQUE (nomination_id, sequence));
CREATE TABLE bench_raw_process (id bigint PRIMARY KEY, data jsonb NOT NULL);
CREATE TABLE bench_raw_task (id bigserial PRIMARY KEY, process_id bigint NOT NULL REFERENCES bench_raw_process,
    flow_task varchar(150) NOT NULL, status varchar(50) NOT NULL, owner_id bigint, created timestamptz NOT NULL,
    started timestamptz, finished timestamptz);
CREATE TABLE bench_raw_task_previous (from_task_id bigint NOT NULL, to_task_id bigint NOT NULL,
    PRIMARY KEY (from_task_id, to_task_id));
CREATE TABLE bench_raw_outbox (id bigserial PRIMARY KEY, kind varchar(64) NOT NULL, dedupe_key varchar(200) UNIQUE,
    recipients jsonb NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL);
"""
DROP = (
    "DROP TABLE IF EXISTS bench_raw_outbox, bench_raw_task_previous, bench_raw_task, bench_raw_process, "
    "bench_raw_seal, bench_raw_audit, bench_raw_signoff, bench_raw_nomination"
)
GENESIS = "0" * 64
# The writes of one full-stack approval, by hand: the nomination lock, the seal, the sign-off, the
# process and its tasks as viewflow moves them (the decided task done, the route's task, the next
# stage's task, their links), the nomination's new stage, the two audit rows, the outbox row.
STATEMENTS = [
    "SELECT stage, task_id, version FROM bench_raw_nomination WHERE id = %(id)s FOR UPDATE",
    "SELECT id FROM bench_raw_process WHERE id = %(id)s FOR UPDATE",
    """UPDATE bench_raw_process SET data = data || '{"outcome": "next_stage", "stage": "s001"}' WHERE id = %(id)s""",
    """UPDATE bench_raw_task SET status = 'DONE', owner_id = %(signer)s, started = now(), finished = now()
       WHERE id = %(task)s""",
    """WITH route AS (INSERT INTO bench_raw_task (process_id, flow_task, status, created, finished)
                      VALUES (%(id)s, 'route', 'DONE', now(), now()) RETURNING id),
            next AS (INSERT INTO bench_raw_task (process_id, flow_task, status, created)
                      VALUES (%(id)s, 'review', 'NEW', now()) RETURNING id)
       INSERT INTO bench_raw_task_previous SELECT route.id, %(task)s FROM route
       UNION ALL SELECT next.id, route.id FROM next, route""",
    """INSERT INTO bench_raw_outbox (kind, dedupe_key, recipients, payload, created_at)
       VALUES ('task_arrived', 'task_arrived:' || %(id)s::text, '{"roles": [["committee", 1]]}',
               %(event)s::text::jsonb, now()) ON CONFLICT (dedupe_key) DO NOTHING""",
    """INSERT INTO bench_raw_seal (nomination_id, sequence, payload, seal_hash, prev_hash, signature, created_at)
       SELECT %(id)s, coalesce(h.sequence, 0) + 1, %(payload)s::text,
              encode(sha256(convert_to(%(payload)s::text, 'UTF8')), 'hex'),
              coalesce(h.seal_hash, %(genesis)s::text), %(signature)s::text, now()
       FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT sequence, seal_hash FROM bench_raw_seal
             WHERE nomination_id = %(id)s ORDER BY sequence DESC LIMIT 1) AS h ON true""",
    """INSERT INTO bench_raw_signoff (nomination_id, stage, decision, opinion, signer_id, task_id, content_hash,
                                      signed_at)
       VALUES (%(id)s, 's000', 'approve', %(opinion)s::text, %(signer)s, %(task)s, %(genesis)s::text, now())""",
    """UPDATE bench_raw_nomination SET stage = 's001', task_id = task_id + 1, version = version + 1,
              updated_at = now() WHERE id = %(id)s""",
    """INSERT INTO bench_raw_audit (object_type, object_id, seq, action, actor_id, data, occurred_at, prev_hash, hash)
       SELECT 'approvals.nomination', %(id)s::text, coalesce(h.seq, 0) + e.n, e.action, %(signer)s,
              %(event)s::text::jsonb, now(), coalesce(h.hash, %(genesis)s::text),
              encode(sha256(convert_to(coalesce(h.hash, %(genesis)s::text) || e.action || %(event)s::text,
                                       'UTF8')), 'hex')
       FROM (VALUES (1, 'seal.created'), (2, 'nomination.signed_off')) AS e (n, action)
       LEFT JOIN LATERAL (SELECT seq, hash FROM bench_raw_audit
             WHERE object_type = 'approvals.nomination' AND object_id = %(id)s::text
             ORDER BY seq DESC LIMIT 1) AS h ON true""",
]


def arguments(nomination_id: int) -> dict[str, Any]:
    """The parameters of ``STATEMENTS`` for the approval of nomination ``nomination_id``."""
    payload = json.dumps({"nomination_id": nomination_id, "stage": "s000", "decision": "approve", "opinion": OPINION})
    return {"id": nomination_id, "payload": payload, "genesis": GENESIS, "signature": "ab" * 64,
            "opinion": OPINION, "signer": 1, "task": nomination_id,
            "event": json.dumps({"stage": "s000", "decision": "approve", "next_stage": "s001"})}  # fmt: skip


def approve(execute: Callable[[str, dict[str, Any]], object], nomination_id: int) -> None:
    """Run one approval's statements with ``execute`` (the caller holds the transaction)."""
    args = arguments(nomination_id)
    for statement in STATEMENTS:
        execute(statement, args)


def create(execute: Callable[..., object], count: int) -> None:
    """(Re)create the tables with nominations 1 … ``count`` in review at their first stage."""
    execute(DROP)
    for statement in TABLES.split(";"):
        if statement.strip():
            execute(statement)
    execute(
        "INSERT INTO bench_raw_nomination SELECT i, 'in_review', 's000', i, 2, now() FROM generate_series(1, %s) AS i",
        [count],
    )
    execute(
        """INSERT INTO bench_raw_process SELECT i, '{"stage": "s000"}' FROM generate_series(1, %s) AS i""", [count]
    )
    execute(
        "INSERT INTO bench_raw_task (id, process_id, flow_task, status, created) "
        "SELECT i, i, 'review', 'NEW', now() FROM generate_series(1, %s) AS i",
        [count],
    )
    execute("SELECT setval(pg_get_serial_sequence('bench_raw_task', 'id'), %s)", [count])
    for table in ("bench_raw_nomination", "bench_raw_process", "bench_raw_task"):
        execute(f"ANALYZE {table}")
