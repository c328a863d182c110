"""Benchmarks of the sign-off engine (notes/performance-reliability.md §7: G3, G1, G4, G11).

- ``approve_queries``: queries per approval at the 1st and at the 10th decision of one nomination.
- ``approve_full_stack_vs_raw_sql``: approvals through HTTP (gunicorn) against a raw SQL transaction
  doing the same kind of writes, both at 4 clients.
- ``inbox_scale``: the inbox page at national scale against county scale, on a database of its own.
- ``hot_vs_cold``: 16 threads approving on 10 hot nominations against 16 threads on many cold ones.

Nominations "in review" are made in bulk by ``_seed_in_review``: plain SQL that writes, for each, the
rows ``start_chain_in_transaction`` writes (a viewflow process, its done start task and an open review
task linked to it), so ``sign_off`` drives them like submitted ones. It is deterministic.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import psycopg
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.fields import get_flow_ref, get_task_ref
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from accounts.models import Grant, Organization, User
from accounts.roles import OrgKind, Role
from approvals import audit_events, seal_keys, selectors
from approvals.actions import create_nomination, sign_off, submit_nomination
from approvals.actions.sign_offs import start_chain_in_transaction
from approvals.exceptions import ConsecutiveSignOffForbidden, TaskAlreadyDecided
from approvals.models import Nomination, SignOff
from audit.models import AuditEvent
from bench import http_bench, raw_approve, setup_db
from bench.timing import row, split_queries
from workflows.flows import SignOffFlow
from workflows.models import Campaign, Stage

CONCURRENCY = 4
ROUNDS = 5  # alternating rounds of the HTTP approve comparison
OPINION = raw_approve.OPINION
FORM = {"fields": [{"key": "summary", "label": "简介", "type": "long_text", "required": True, "max_length": 500}]}
DISTRICT = Stage.SignerOrg.DISTRICT

# (role, signer organisation, seal) of one stage.
StageSpec = tuple[Role, str, bool]


# --- the organisations, people and campaigns ---------------------------------------------------


def _org(tag: str, name: str, kind: OrgKind, parent: Organization | None, using: str) -> Organization:
    org = Organization.objects.using(using).create(
        name=f"{tag}-{name}", code=f"SO-{tag}-{name}", kind=kind, parent=parent
    )
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = parent.depth + 1 if parent else 0
    org.save(using=using, update_fields=["path", "depth"])
    return org


def _person(username: str, grants: Sequence[tuple[Role, Organization]], using: str = DEFAULT_DB_ALIAS) -> User:
    user = User.objects.using(using).create(username=username, org=grants[0][1])
    Grant.objects.using(using).bulk_create(Grant(user=user, role=role, org=org) for role, org in grants)
    return user


@dataclass
class _World:
    """A city with its committee and one district → township → unit, and the unit's submitter."""

    tag: str
    using: str
    city: Organization
    committee: Organization
    district: Organization
    unit: Organization
    submitter: User
    districts: list[tuple[Organization, Organization]] = field(default_factory=list)  # (unit, district)


def _world(tag: str, using: str = DEFAULT_DB_ALIAS) -> _World:
    city = _org(tag, "city", OrgKind.CITY, None, using)
    committee = _org(tag, "committee", OrgKind.COMMITTEE, city, using)
    district = _org(tag, "district", OrgKind.DISTRICT, city, using)
    township = _org(tag, "township", OrgKind.TOWNSHIP, district, using)
    unit = _org(tag, "unit", OrgKind.UNIT, township, using)
    submitter = _person(f"{tag}_submitter", [(Role.SUBMITTER, unit)], using)
    return _World(tag, using, city, committee, district, unit, submitter, [(unit, district)])


def _add_district(world: _World, name: str) -> tuple[Organization, Organization]:
    district = _org(world.tag, name, OrgKind.DISTRICT, world.city, world.using)
    township = _org(world.tag, f"{name}-township", OrgKind.TOWNSHIP, district, world.using)
    unit = _org(world.tag, f"{name}-unit", OrgKind.UNIT, township, world.using)
    world.districts.append((unit, district))
    return unit, district


def _campaign(world: _World, stages: Sequence[StageSpec]) -> Campaign:
    """An open campaign without caps whose chain is ``stages`` (keys s000, s001, …)."""
    now = timezone.now()
    campaign = Campaign.objects.using(world.using).create(
        title=f"sign-off bench {world.tag}", year=now.year, host_org=world.committee, kinds=["case"],
        forms={"case": FORM}, opens_at=now - timedelta(days=1), submission_deadline=now + timedelta(days=30),
        status=Campaign.Status.OPEN,
    )  # fmt: skip
    Stage.objects.using(world.using).bulk_create(
        Stage(campaign=campaign, position=i, key=f"s{i:03d}", name=f"环节{i + 1}", role=role, signer_org=where,
              seal=seal)
        for i, (role, where, seal) in enumerate(stages)
    )  # fmt: skip
    return campaign


def _warm_seal_keys(*orgs: Organization) -> None:
    """Make the organisations' seal keys now, so that no measured approval makes one."""
    with transaction.atomic():
        for org in orgs:
            seal_keys.ensure_key(org)


# --- bulk SQL seeding ------------------------------------------------------------------------------


def _reserve_ids(cursor: Any, table: str, count: int) -> int:
    """Take ``count`` ids from ``table``'s id sequence: the ids base + 1 … base + count are ours."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    base = int(cursor.fetchone()[0])
    cursor.execute("SELECT setval(%s, %s)", [sequence, base + count])
    return base


def _insert_series(
    cursor: Any,
    db: BaseDatabaseWrapper,
    model: type[models.Model],
    values: dict[str, str],
    params: dict[str, Any],
    *,
    start: int,
    stop: int,
) -> None:
    """One row of ``model`` per ``i`` in ``start`` … ``stop``; ``values`` maps columns to SQL over ``i``.

    Every other column gets its field's default (or NULL), so a field added to the model later does
    not break the seeder; a required field without a default does, with its name.
    """
    columns, exprs = [], []
    params = {**params, "series_start": start, "series_stop": stop}
    for f in model._meta.concrete_fields:
        if f.column in values:
            columns.append(f.column)
            exprs.append(values[f.column])
        elif f.primary_key:
            continue  # the sequence gives it
        else:
            default = f.get_default() if f.has_default() else None
            if default is None and not f.null:
                raise ValueError(f"{model.__name__}.{f.name}: the bulk seeder has no value for it")
            key = f"default_{f.column}"
            params[key] = f.get_db_prep_save(default, db)
            columns.append(f.column)
            exprs.append(f"CAST(%({key})s AS {f.db_type(db)})")
    table = model._meta.db_table
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "  # noqa: S608 - names from the models
        "FROM generate_series(CAST(%(series_start)s AS bigint), CAST(%(series_stop)s AS bigint)) AS i",
        params,
    )


def _seed_in_review(
    campaign: Campaign, *, count: int, submitter: User, places: Sequence[tuple[Organization, Organization]],
    slot: str = "1", using: str = DEFAULT_DB_ALIAS,
) -> range:  # fmt: skip
    """``count`` nominations in review at the campaign's first stage (a district stage), in bulk SQL.

    ``places`` are (unit, district) pairs; ``slot``, an SQL expression over the row number ``i``
    (1-based), picks the pair of row ``i`` (1-based too). Returns the new nominations' ids.
    """
    stage = Stage.objects.using(using).filter(campaign=campaign).order_by("position").first()
    assert stage is not None, "the campaign has no stages"
    assert stage.signer_org == DISTRICT, "the seeder starts chains at a district stage"
    db = connections[using]
    previous = Task.previous.through
    params: dict[str, Any] = {
        "campaign": campaign.pk, "submitter": submitter.pk, "stage": stage.key, "role": stage.role,
        "units": [unit.pk for unit, _district in places], "districts": [district.pk for _unit, district in places],
        "flow": get_flow_ref(SignOffFlow), "start_task": get_task_ref(SignOffFlow.start),
        "review_task": get_task_ref(SignOffFlow.review), "start_type": SignOffFlow.start.task_type,
        "review_type": SignOffFlow.review.task_type, "process_new": PROCESS.NEW, "task_new": STATUS.NEW,
        "task_done": STATUS.DONE, "in_review": Nomination.Status.IN_REVIEW,
    }  # fmt: skip
    unit_of = f"(%(units)s::bigint[])[{slot}]"
    district_of = f"(%(districts)s::bigint[])[{slot}]"
    with transaction.atomic(using=using), db.cursor() as cursor:
        params["n"] = _reserve_ids(cursor, Nomination._meta.db_table, count)
        params["p"] = _reserve_ids(cursor, Process._meta.db_table, count)
        params["t"] = _reserve_ids(cursor, Task._meta.db_table, 2 * count)
        params["l"] = _reserve_ids(cursor, previous._meta.db_table, count)
        series = {"start": 1, "stop": count}
        _insert_series(cursor, db, Process, {
            "id": "%(p)s + i", "flow_class": "%(flow)s", "status": "%(process_new)s", "created": "now()",
            "data": "jsonb_build_object('nomination', %(n)s + i, 'stage', %(stage)s::text, 'outcome', '')",
        }, params, **series)  # fmt: skip
        task = {"process_id": "%(p)s + i", "created": "now()", "token": "'start'", "data": "'{}'::jsonb"}
        _insert_series(cursor, db, Task, {
            **task, "id": "%(t)s + 2 * i - 1", "flow_task": "%(start_task)s", "flow_task_type": "%(start_type)s",
            "status": "%(task_done)s", "started": "now()", "finished": "now()",
        }, params, **series)  # fmt: skip
        _insert_series(cursor, db, Task, {
            **task, "id": "%(t)s + 2 * i", "flow_task": "%(review_task)s", "flow_task_type": "%(review_type)s",
            "status": "%(task_new)s",
        }, params, **series)  # fmt: skip
        _insert_series(cursor, db, previous, {
            "id": "%(l)s + i", "from_task_id": "%(t)s + 2 * i", "to_task_id": "%(t)s + 2 * i - 1",
        }, params, **series)  # fmt: skip
        _insert_series(cursor, db, Nomination, {
            "id": "%(n)s + i", "campaign_id": "%(campaign)s", "unit_id": unit_of, "district_id": district_of,
            "kind": "'case'", "title": "'bench ' || i", "form": "jsonb_build_object('summary', 'bench')",
            "status": "%(in_review)s", "stage": "%(stage)s", "content_hash": "encode(sha256(i::text::bytea), 'hex')",
            "created_by_id": "%(submitter)s", "submitted_by_id": "%(submitter)s", "created_at": "now()",
            "updated_at": "now()", "submitted_at": "now()", "version": "2", "process_id": "%(p)s + i",
            "task_id": "%(t)s + 2 * i", "stage_role": "%(role)s", "stage_org_id": district_of,
            "stage_entered_at": "now()", "round": "1",
        }, params, **series)  # fmt: skip
    _analyze(using, Nomination, Process, Task, previous)
    return range(params["n"] + 1, params["n"] + count + 1)


def _seed_audit(object_ids: range, *, events: int, actor: User, using: str, chunk: int = 500_000) -> None:
    """``events`` audit events on the nominations ``object_ids``, round robin (fake hashes), in bulk SQL.

    Inserted with the append-only trigger in place (it refuses UPDATE and DELETE only).
    """
    db = connections[using]
    params = {"first": object_ids.start, "n": len(object_ids), "actor": actor.pk,
              "action": audit_events.NOMINATION_SIGNED_OFF}  # fmt: skip
    values = {
        "occurred_at": "now()", "action": "%(action)s", "actor_id": "%(actor)s", "actor_label": "'bench'",
        "object_type": "'approvals.nomination'", "object_id": "(%(first)s + mod(i - 1, %(n)s))::text",
        "seq": "(i - 1) / %(n)s + 1000", "data": "jsonb_build_object('bench', i)",
        "prev_hash": "md5(i::text) || md5(i::text)", "hash": "md5((i + 1)::text) || md5((i + 1)::text)",
    }  # fmt: skip
    # seq starts at 1000 so that a real event on one of these nominations (seq 1, 2, …) never collides.
    for start in range(1, events + 1, chunk):
        with transaction.atomic(using=using), db.cursor() as cursor:
            _insert_series(cursor, db, AuditEvent, values, params, start=start, stop=min(events, start + chunk - 1))
    _analyze(using, AuditEvent)


def _analyze(using: str, *tables: type[models.Model]) -> None:
    with connections[using].cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def _submitted_directly(world: _World, campaign: Campaign, count: int) -> list[Nomination]:
    """``count`` nominations put in review the way submit_nomination does, without its checks.

    Inserted in bulk, then each chain is started by ``start_chain_in_transaction`` (real viewflow rows).
    """
    now = timezone.now()
    nominations = Nomination.objects.bulk_create(
        Nomination(campaign=campaign, unit=world.unit, district=world.district, kind="case", title=f"http {i}",
                   form={"summary": "bench"}, created_by=world.submitter)
        for i in range(count)
    )  # fmt: skip
    for nomination in nominations:
        with transaction.atomic():
            nomination.status = Nomination.Status.IN_REVIEW
            start_chain_in_transaction(nomination)
            nomination.submitted_by = world.submitter
            nomination.submitted_at = now
            nomination.content_hash = hashlib.sha256(f"http {nomination.pk}".encode()).hexdigest()
            nomination.version += 1
            nomination.save()
    return nominations


def _current_task(nomination_id: int) -> tuple[str, int | None]:
    status, task_id = Nomination.objects.filter(pk=nomination_id).values_list("status", "task_id").get()
    return status, task_id


# --- 1. queries per approval, 1st vs 10th decision ---------------------------------------------------


def approve_queries() -> dict[str, dict[str, object]]:
    """Queries of one ``sign_off`` approval at a nomination's 1st decision and at its 10th (G3).

    The chain has 12 stages cycling district (seals) → city → committee (seals), each signed by
    another person, so the 10th decision has the same stage kind as the 1st (a district seal, then a
    city stage to enter) and 9 sign-offs, 6 seals and 17 audit events before it.
    """
    world = _world("q")
    cycle: list[StageSpec] = [(Role.DISTRICT_REVIEWER, DISTRICT, True), (Role.CITY_REVIEWER, "city", False),
                              (Role.COMMITTEE, "host", True)]  # fmt: skip
    campaign = _campaign(world, [cycle[i % 3] for i in range(12)])
    signers = {
        Role.DISTRICT_REVIEWER: _person("q_district", [(Role.DISTRICT_REVIEWER, world.district)]),
        Role.CITY_REVIEWER: _person("q_city", [(Role.CITY_REVIEWER, world.city)]),
        Role.COMMITTEE: _person("q_committee", [(Role.COMMITTEE, world.committee)]),
    }
    _warm_seal_keys(world.district, world.committee)
    draft = create_nomination(
        actor=world.submitter, campaign=campaign, unit=world.unit, kind="case", title="案例", form={"summary": "社区"}
    )
    submit_nomination(draft.pk, actor=world.submitter)

    counts: dict[int, tuple[int, int, int]] = {}
    for step in range(1, 11):
        nomination = Nomination.objects.get(pk=draft.pk)
        assert nomination.task_id is not None
        with CaptureQueriesContext(connection) as ctx:
            sign_off(nomination.task_id, actor=signers[Role(nomination.stage_role)], decision="approve",
                     opinion=OPINION)  # fmt: skip
        queries, control = split_queries(ctx.captured_queries)
        viewflow = sum(1 for sql in queries if "viewflow_" in sql)
        counts[step] = (len(queries), viewflow, control)
    (first, vf_first, tc_first), (tenth, vf_tenth, tc_tenth) = counts[1], counts[10]
    return {
        "queries per sign_off approve, 1st vs 10th decision": row(
            tenth / first,
            "== 1.0, <= 25",
            first == tenth and tenth <= 25,
            f"{first} vs {tenth} queries ({vf_first} vs {vf_tenth} of them on viewflow tables; "
            f"plus {tc_first} vs {tc_tenth} BEGIN/COMMIT/SAVEPOINT statements)",
        )  # fmt: skip
    }


# --- 2. full stack (HTTP) vs raw SQL -----------------------------------------------------------------


def _request(port: int, method: str, path: str, token: str, body: bytes | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        method, path, body=body, headers={"Content-Type": "application/json", "Authorization": f"Token {token}"}
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def _in_threads(work: Sequence[Callable[[], None]]) -> float:
    """Run each callable in its own thread; seconds until all are done."""
    threads = [threading.Thread(target=w) for w in work]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def _raw_connect() -> psycopg.Connection[Any]:
    """A plain psycopg connection to the benchmark database, preparing statements as Django's do."""
    s = connection.settings_dict
    kwargs = {"dbname": s["NAME"], "user": s["USER"], "password": s["PASSWORD"], "host": s["HOST"],
              "port": s["PORT"]}  # fmt: skip
    prepare = s.get("OPTIONS", {}).get("prepare_threshold")
    return psycopg.connect(**{k: v for k, v in kwargs.items() if v}, autocommit=True, prepare_threshold=prepare)


def _raw_approve(conn: psycopg.Connection[Any], nomination_id: int) -> None:
    with conn.transaction():
        raw_approve.approve(conn.execute, nomination_id)


def _rate_in_threads(threads: int, per_thread: int, call: Callable[[int, int], None]) -> float:
    """Calls per second: thread ``k`` makes ``call(k, i)`` for ``i`` in 0 … ``per_thread - 1``."""

    def worker(k: int) -> Callable[[], None]:
        def run() -> None:
            for i in range(per_thread):
                call(k, i)

        return run

    return threads * per_thread / _in_threads([worker(k) for k in range(threads)])


def _proc_stat(pid: int) -> tuple[str, list[str]] | None:
    """The command name and the fields after it in /proc/<pid>/stat; None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            head, _, rest = f.read().rpartition(")")
    except OSError:
        return None
    return head.split("(", 1)[1], rest.split()


def _cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds spent so far by these processes (those that have gone count 0)."""
    ticks = 0
    for pid in pids:
        stat = _proc_stat(pid)
        if stat is not None:
            ticks += int(stat[1][11]) + int(stat[1][12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _processes(*, parent: int | None = None, name: str | None = None) -> list[int]:
    """The pids of the children of ``parent``, or of the processes called ``name`` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        stat = _proc_stat(int(entry)) if entry.isdigit() else None
        if stat is None:
            continue
        comm, fields = stat
        if (parent is not None and int(fields[1]) == parent) or (name is not None and comm == name):
            found.append(int(entry))
    return found


@dataclass
class _Run:
    """Approvals per second of one side, and the CPU milliseconds one approval cost its processes."""

    rate: float
    app_ms: float  # the web workers (HTTP sides) or the client threads (raw side)
    db_ms: float  # the benchmark's own PostgreSQL server's processes

    @property
    def cpu_ms(self) -> float:
        return self.app_ms + self.db_ms

    def describe(self) -> str:
        return f"{self.rate:.1f}/s, CPU {self.cpu_ms:.1f} ms = {self.app_ms:.1f} app + {self.db_ms:.1f} PostgreSQL"


def postgres_of(conn: Any) -> Callable[[], list[int]]:
    """The processes of the PostgreSQL server ``conn`` talks to (its postmaster's children), not
    every ``postgres`` on a machine that other servers share."""
    row_ = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row_ is not None
    stat = _proc_stat(int(row_[0]))
    assert stat is not None
    postmaster = int(stat[1][1])
    return partial(_processes, parent=postmaster)


def _cpu_by_pid(pids: Sequence[int]) -> dict[int, float]:
    return {pid: _cpu_seconds([pid]) for pid in pids}


@dataclass
class _Side:
    """One side of an alternating comparison: its rounds' seconds and the CPU its processes spent."""

    approvals: int = 0
    seconds: float = 0.0
    app_s: float = 0.0
    db_s: float = 0.0
    round_seconds: list[float] = field(default_factory=list)

    def run(self, count: int, work: Callable[[], float], app_pids: Callable[[], list[int]],
            db_pids: Callable[[], list[int]]) -> float:  # fmt: skip
        """Run one round of ``count`` approvals (``work`` returns its rate); returns its seconds.

        CPU is charged per process: what each process alive at the end spent since the start
        (a backend that connected during the round counts whole)."""
        app_before, db_before = _cpu_by_pid(app_pids()), _cpu_by_pid(db_pids())
        rate = work()
        app_after, db_after = _cpu_by_pid(app_pids()), _cpu_by_pid(db_pids())
        self.app_s += sum(cpu - app_before.get(pid, 0.0) for pid, cpu in app_after.items())
        self.db_s += sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items())
        elapsed = count / rate
        self.approvals += count
        self.seconds += elapsed
        self.round_seconds.append(elapsed)
        return elapsed

    def result(self) -> _Run:
        n = max(self.approvals, 1)
        return _Run(self.approvals / self.seconds if self.seconds else 0.0, self.app_s * 1e3 / n, self.db_s * 1e3 / n)


def approve_full_stack_vs_raw_sql(*, requests: int) -> dict[str, dict[str, object]]:
    """``POST /api/v1/tasks/{id}/approve`` through gunicorn (2 workers, 4 clients) vs raw SQL (4 clients) (G1, G2).

    Each request approves the first stage (district, seals) of a distinct nomination and enters the
    second (committee); the raw transaction does the same writes by hand (``bench/raw_approve.py``):
    locks, seal (no signature computed), sign-off, viewflow's process and task rows, the
    nomination, two audit rows chained by SHA-256 and the outbox row. The same statements also run
    in a bare Django view on the same gunicorn (``/bench/approve-sql/<id>``): full stack / bare
    Django is the cost of sealflow's layers (DRF, knox, the action's checks, viewflow), bare Django
    / raw the cost of Django's request handling. Each side's CPU per approval is measured from
    /proc (web workers or client, and PostgreSQL), which shows where the ratio comes from.
    """
    world = _world("http")
    campaign = _campaign(world, [(Role.DISTRICT_REVIEWER, DISTRICT, True), (Role.COMMITTEE, "host", False)])
    approvers = [_person(f"http_reviewer{k}", [(Role.DISTRICT_REVIEWER, world.district)])
                 for k in range(CONCURRENCY)]  # fmt: skip
    tokens = [AuthToken.objects.create(user)[1] for user in approvers]
    _warm_seal_keys(world.district)
    warm = 2 * CONCURRENCY
    per_thread = requests // CONCURRENCY
    count = per_thread * CONCURRENCY
    nominations = _submitted_directly(world, campaign, warm + count)
    tasks = [n.task_id for n in nominations]
    body = json.dumps({"opinion": OPINION}).encode()
    statuses: list[int] = []
    # Raw nominations: 1 … warm for warming up, then `count` for the bare view, then `count` for psycopg.
    with _raw_connect() as conn:
        raw_approve.create(conn.execute, warm + 2 * count)
        for i in range(1, warm + 1):
            _raw_approve(conn, i)

    def expect_ok(status: int) -> None:
        if status != 200:
            statuses.append(status)

    def approve(port: int, token: str, task_id: int | None) -> None:
        expect_ok(_request(port, "POST", f"/api/v1/tasks/{task_id}/approve", token, body))

    # Thread k of a round approves the k-th slice of ``per_thread`` items, from ``offset`` on.
    def full_side(port: int, offset: int, n: int) -> float:
        first = warm + offset  # index into tasks
        return _rate_in_threads(
            CONCURRENCY, n, lambda k, i: approve(port, tokens[k], tasks[first + k * per_thread + i])
        )

    def bare_side(port: int, offset: int, n: int) -> float:
        first = warm + 1 + offset  # raw nomination id
        return _rate_in_threads(
            CONCURRENCY,
            n,
            lambda k, i: expect_ok(
                _request(port, "POST", f"/bench/approve-sql/{first + k * per_thread + i}", "", b"")
            ),
        )

    def raw_side(conns: Sequence[psycopg.Connection[Any]], offset: int, n: int) -> float:
        first = warm + count + 1 + offset  # raw nomination id
        return _rate_in_threads(CONCURRENCY, n, lambda k, i: _raw_approve(conns[k], first + k * per_thread + i))

    full, bare, raw = _Side(), _Side(), _Side()
    to_bare, to_raw = [], []  # per round: the full stack's rate over the other side's
    per_round = per_thread // ROUNDS
    try:
        conns = [_raw_connect() for _ in range(CONCURRENCY)]
        postgres = postgres_of(conns[0])
        try:
            with http_bench.gunicorn_server(workers=2) as (port, master):
                for i, task_id in enumerate(tasks[:warm]):
                    approve(port, tokens[i % CONCURRENCY], task_id)
                workers = partial(_processes, parent=master)
                me = lambda: [os.getpid()]  # noqa: E731
                # The machine is shared: the three sides alternate in rounds, each round's ratios
                # are taken and the median of the rounds is the figure.
                for r in range(ROUNDS):
                    first = per_round * r
                    n = per_round * CONCURRENCY
                    f = full.run(n, partial(full_side, port, first, per_round), workers, postgres)
                    b = bare.run(n, partial(bare_side, port, first, per_round), workers, postgres)
                    w = raw.run(n, partial(raw_side, conns, first, per_round), me, postgres)
                    to_bare.append(b / f)
                    to_raw.append(w / f)
            done = conns[0].execute("SELECT count(*) FROM bench_raw_signoff").fetchone()
        finally:
            for c in conns:
                c.close()
    finally:
        with _raw_connect() as conn:
            conn.execute(raw_approve.DROP)
    measured = per_round * ROUNDS * CONCURRENCY
    approved = SignOff.objects.filter(nomination__campaign=campaign).count()
    ok = not statuses and approved == warm + measured and done is not None and done[0] == warm + 2 * measured
    problems = f"; {len(statuses)} failed: {sorted(set(statuses))}" if statuses else ""
    setup = f"{measured} approvals each side, {ROUNDS} alternating rounds, gunicorn 2 workers, c={CONCURRENCY}"
    setup += problems
    ratio_raw, ratio_bare = statistics.median(to_raw), statistics.median(to_bare)
    rounds = ", ".join(f"{x:.3f}" for x in to_bare)
    return {
        "approve via HTTP (gunicorn) / raw SQL transaction, c=4": row(
            ratio_raw,
            ">= 0.25",
            ok and ratio_raw >= 0.25,
            f"full stack {full.result().describe()}; raw {raw.result().describe()} ({setup})",
        ),
        "approve via HTTP / the same SQL in a bare Django view, c=4": row(
            ratio_bare,
            ">= 0.25",
            ok and ratio_bare >= 0.25,
            f"bare Django view {bare.result().describe()}; rounds {rounds} (issue 19)",
        ),
    }


# --- 3. the inbox at national vs county scale --------------------------------------------------------


@contextmanager
def _database_of_its_own(suffix: str) -> Iterator[str]:
    """A fresh, migrated database next to the benchmark one, under a temporary alias; dropped after."""
    name = f"{connection.settings_dict['NAME']}_{suffix}"
    alias = f"bench_{suffix}"
    setup_db.recreate_database(name)
    connections.settings[alias] = {**connections.settings[DEFAULT_DB_ALIAS], "NAME": name}
    try:
        call_command("migrate", database=alias, verbosity=0)
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _p50(fn: Callable[[], object], samples: int, budget: float = 4.0) -> float:
    """Median of ``samples`` timed calls (fewer, but at least 11, once ``budget`` seconds are spent)."""
    for _ in range(3):
        fn()
    times: list[float] = []
    spent = 0.0
    while len(times) < samples and (spent < budget or len(times) < 11):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return statistics.median(times)


def _p50_side_by_side(fns: Sequence[Callable[[], object]], samples: int, budget: float = 8.0) -> list[float]:
    """Medians of the ``fns`` sampled in turn, so a load spike on the machine falls on all of them alike."""
    for fn in fns:
        for _ in range(3):
            fn()
    times: list[list[float]] = [[] for _ in fns]
    spent = 0.0
    while len(times[0]) < samples and (spent < budget or len(times[0]) < 11):
        for k, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - start)
            spent += times[k][-1]
    return [statistics.median(t) for t in times]


def inbox_scale(
    *, national: int = 100_000, events: int = 3_000_000, county: int = 500, county_events: int = 20_000,
    samples: int = 101,
) -> dict[str, dict[str, object]]:  # fmt: skip
    """p50 of a district official's inbox page (``list_inbox(user)[:50]``), national vs county scale (G4).

    Two databases of their own, built alike (203 districts, the same people): county holds
    ``county`` nominations in review, all in district C, and ``county_events`` audit events;
    national holds ``national`` nominations and ``events`` audit events, with the reviewer of
    district S holding ``county`` of them spread over the whole id range (the same inbox in a
    table ``national / county`` times larger) and the reviewer of district B about every 16th
    (~6,200 at 100,000: G4's official). The pages are timed in turn, county and national
    alternately, so that the machine's noise falls on both sides of each ratio.
    """
    others = 200

    def build(db: str) -> tuple[_World, Campaign, list[User]]:
        world = _world("inbox", db)
        _add_district(world, "small")
        _add_district(world, "big")
        for k in range(others):
            _add_district(world, f"d{k:03d}")
        campaign = _campaign(world, [(Role.DISTRICT_REVIEWER, DISTRICT, True), (Role.COMMITTEE, "host", False)])
        officials = [_person(f"inbox_official{k}", [(Role.DISTRICT_REVIEWER, world.districts[k][1])], db)
                     for k in range(3)]  # fmt: skip
        return world, campaign, officials

    def page(user: User, db: str) -> Callable[[], object]:
        return lambda: len(list(selectors.list_inbox(user).using(db)[:50]))

    def page_sql(user: User, db: str) -> Callable[[], object]:
        sql, params = selectors.list_inbox(user).using(db)[:50].query.sql_with_params()

        def run_sql() -> None:
            with connections[db].cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        return run_sql

    with _database_of_its_own("inbox_county") as small_db, _database_of_its_own("inbox") as db:
        started = time.perf_counter()
        world_c, campaign_c, officials_c = build(small_db)
        ids = _seed_in_review(campaign_c, count=county, submitter=world_c.submitter, places=world_c.districts,
                              using=small_db)  # fmt: skip
        _seed_audit(ids, events=county_events, actor=world_c.submitter, using=small_db)
        world, campaign, officials = build(db)
        ids = _seed_in_review(campaign, count=county, submitter=world.submitter, places=world.districts, using=db)
        _seed_audit(ids, events=county_events, actor=world.submitter, using=db)
        rest = national - county
        every = max(2, rest // county)  # district S gets `county` of the rest, spread over the id range
        slot = f"CASE WHEN mod(i, {every}) = 0 THEN 2 WHEN mod(i, 16) = 1 THEN 3 ELSE 4 + mod(i, {others}) END"
        ids = _seed_in_review(campaign, count=rest, submitter=world.submitter, places=world.districts, slot=slot,
                              using=db)  # fmt: skip
        _seed_audit(ids, events=events - county_events, actor=world.submitter, using=db)
        seeded = time.perf_counter() - started
        in_s = Nomination.objects.using(db).filter(district=world.districts[1][1]).count()
        in_b = Nomination.objects.using(db).filter(district=world.districts[2][1]).count()
        total = Nomination.objects.using(db).count()
        county_page, small_page, big_page, c_national_page = _p50_side_by_side(
            [page(officials_c[0], small_db), page(officials[1], db), page(officials[2], db), page(officials[0], db)],
            samples,
        )
        county_sql, small_sql, big_sql = _p50_side_by_side(
            [page_sql(officials_c[0], small_db), page_sql(officials[1], db), page_sql(officials[2], db)], samples
        )
    scale = f"{total:,} nominations / {events:,} audit events vs {county:,} / {county_events:,}"
    return {
        f"inbox p50, district of {in_s:,}: national / county scale": row(
            small_page / county_page, "<= 1.2", small_page / county_page <= 1.2,
            f"{small_page * 1e3:.1f} vs {county_page * 1e3:.1f} ms, SQL alone {small_sql * 1e3:.1f} vs "
            f"{county_sql * 1e3:.1f} ms ({scale}, seeded in {seeded:.0f} s; district C's {county:,} (lowest ids) "
            f"at national scale: {c_national_page * 1e3:.1f} ms)",
        ),
        f"inbox p50, district of {in_b:,}: national / county scale": row(
            big_page / county_page, "<= 1.2", big_page / county_page <= 1.2,
            f"{big_page * 1e3:.1f} vs {county_page * 1e3:.1f} ms, SQL alone {big_sql * 1e3:.1f} vs "
            f"{county_sql * 1e3:.1f} ms (same databases)",
        ),
    }  # fmt: skip


# --- 4. hot vs cold nominations under 16 threads -----------------------------------------------------


@dataclass
class _Tally:
    approved: int = 0
    conflicts: int = 0
    lock_failed: int = 0
    # The same reviewer may not sign two consecutive stages: the thread leaves that one to the others.
    separated: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: _Tally) -> None:
        self.approved += other.approved
        self.conflicts += other.conflicts
        self.lock_failed += other.lock_failed
        self.separated += other.separated
        self.errors += other.errors


class _Policy:
    """Which nomination a thread approves next; told when one has left review."""

    def pick(self, k: int) -> int | None:
        raise NotImplementedError

    def left_review(self, nomination_id: int) -> None:
        pass


def _race(approvers: Sequence[User], seconds: float, policy: _Policy) -> tuple[float, _Tally]:
    """Each approver in a thread of its own (own DB connection): read the picked nomination's current
    task and approve it, until ``seconds`` have passed; after a 409 the thread re-reads the same
    nomination's current task. Returns (approvals per second, tally)."""
    tallies = [_Tally() for _ in approvers]
    ready = threading.Barrier(len(approvers) + 1)
    deadline = [0.0]

    def worker(k: int) -> Callable[[], None]:
        def run() -> None:
            tally = tallies[k]
            try:
                User.objects.filter(pk=approvers[k].pk).exists()  # open this thread's connection
                ready.wait()
                retry: int | None = None
                while time.perf_counter() < deadline[0]:
                    nomination_id = retry if retry is not None else policy.pick(k)
                    retry = None
                    if nomination_id is None:
                        break
                    status, task_id = _current_task(nomination_id)
                    if status != Nomination.Status.IN_REVIEW or task_id is None:
                        policy.left_review(nomination_id)
                        continue
                    try:
                        sign_off(task_id, actor=approvers[k], decision="approve", opinion=OPINION)
                        tally.approved += 1
                    except TaskAlreadyDecided:
                        tally.conflicts += 1
                        retry = nomination_id  # taken by another thread: re-read its current task
                    except ConsecutiveSignOffForbidden:
                        tally.separated += 1
                    except FlowLockFailed:
                        tally.lock_failed += 1
                    except Exception as exc:  # noqa: BLE001 - counted and shown in the detail
                        tally.errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                connections.close_all()

        return run

    threads = [threading.Thread(target=worker(k)) for k in range(len(approvers))]
    for t in threads:
        t.start()
    start = time.perf_counter()
    deadline[0] = start + seconds
    ready.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    total = _Tally()
    for tally in tallies:
        total.add(tally)
    return total.approved / elapsed, total


class _Cold(_Policy):
    """Thread k approves the first stage of its own slice of the nominations, one after the other."""

    def __init__(self, ids: Sequence[int], threads: int) -> None:
        self.ids = ids
        self.per_thread = len(ids) // threads
        self.positions = [0] * threads
        self.ran_out = False

    def pick(self, k: int) -> int | None:
        if self.positions[k] >= self.per_thread:
            self.ran_out = True
            return None
        self.positions[k] += 1
        return self.ids[k * self.per_thread + self.positions[k] - 1]


class _Hot(_Policy):
    """``hot`` slots, each holding a nomination until it has passed its last stage; threads pick at random."""

    def __init__(self, pool: Iterator[int], hot: int, threads: int) -> None:
        self.pool = pool
        self.slots: list[int | None] = [next(pool) for _ in range(hot)]
        self.lock = threading.Lock()
        self.rngs = [random.Random(k) for k in range(threads)]
        self.ran_out = False

    def pick(self, k: int) -> int | None:
        open_slots = [n for n in self.slots if n is not None]
        return self.rngs[k].choice(open_slots) if open_slots else None

    def left_review(self, nomination_id: int) -> None:
        with self.lock:
            if nomination_id in self.slots:
                fresh = next(self.pool, None)
                self.ran_out = self.ran_out or fresh is None
                self.slots[self.slots.index(nomination_id)] = fresh


def hot_vs_cold(
    *, seconds: float, cold: int = 100_000, hot: int = 10, threads: int = 16, stages: int = 30
) -> dict[str, dict[str, object]]:
    """Approvals per second of ``threads`` threads on ``hot`` hot nominations vs on ``cold`` cold ones (G11).

    One campaign of ``stages`` identical stages (district reviewer, seals), so every approval does the
    same work: the seal, the sign-off, the next stage's task. Cold: each thread approves the first
    stage of its own nominations. Hot: each thread picks one of ``hot`` slots at random and approves
    the current stage of the slot's nomination; a thread whose task was taken gets 409
    ``task_already_decided`` (counted apart) and re-reads the current task. A nomination that has
    passed its last stage leaves its slot to a fresh one, so ``hot`` nominations stay hot.
    """
    world = _world("hot")
    campaign = _campaign(world, [(Role.DISTRICT_REVIEWER, DISTRICT, True)] * stages)
    approvers = [_person(f"hot_reviewer{k}", [(Role.DISTRICT_REVIEWER, world.district)])
                 for k in range(threads)]  # fmt: skip
    _warm_seal_keys(world.district)
    cold_ids = _seed_in_review(campaign, count=cold, submitter=world.submitter, places=world.districts)
    pool_size = hot + int(seconds * 1_000 / stages) + 10  # more than 1,000 approvals/s would exhaust it
    pool = _seed_in_review(campaign, count=pool_size, submitter=world.submitter, places=world.districts)
    cold_policy, hot_policy = _Cold(cold_ids, threads), _Hot(iter(pool), hot, threads)

    cold_rate, cold_tally = _race(approvers, seconds, cold_policy)
    hot_rate, hot_tally = _race(approvers, seconds, hot_policy)
    ran_out = cold_policy.ran_out or hot_policy.ran_out
    ratio = hot_rate / cold_rate
    clean = not (hot_tally.lock_failed or cold_tally.lock_failed or hot_tally.errors or cold_tally.errors)
    errors = hot_tally.errors + cold_tally.errors
    return {
        f"approvals/s, {hot} hot / {cold:,} cold nominations, {threads} threads": row(
            ratio,
            ">= 0.6, 0 FlowLockFailed",
            ratio >= 0.6 and clean and not ran_out,
            f"{hot_rate:.1f} vs {cold_rate:.1f} approvals/s ({hot_tally.approved} vs {cold_tally.approved} in "
            f"{seconds:g} s, {Organization.objects.count():,} organisations; hot: {hot_tally.conflicts} 409 "
            f"retried, {hot_tally.separated + cold_tally.separated} left to another reviewer (consecutive stages); "
            f"FlowLockFailed: hot {hot_tally.lock_failed}, "
            f"cold {cold_tally.lock_failed}; other errors {len(errors)}{': ' + errors[0] if errors else ''}"
            f"{'; work ran out' if ran_out else ''})",
        )  # fmt: skip
    }
