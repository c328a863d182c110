"""Public likes under load: casting votes (``POST /api/v1/public/votes``, the full stack: limits in
Redis, the code check, the phone's lock, the vote row, its audit event) from 50 concurrent clients
vs a bare Django view inserting one vote row, served by the same gunicorn in the same run; then
the counts are checked exact (every 201 is one row, per entry, nothing lost or doubled)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from accounts.models import Grant, User
from accounts.roles import OrgKind, Role
from approvals.models import Nomination
from bench import http_bench
from bench.orgs import make_org
from bench.timing import row
from notifications.models import OutboxMessage
from voting import actions
from voting.models import Vote
from workflows.models import Campaign

CLIENTS = 50
ENTRIES = 20


def _campaign() -> tuple[Campaign, User, list[int]]:
    city = make_org("city", OrgKind.CITY, None, prefix="vote")
    committee = make_org("committee", OrgKind.COMMITTEE, city, prefix="vote")
    district = make_org("district", OrgKind.DISTRICT, city, prefix="vote")
    unit = make_org("unit", OrgKind.UNIT, district, prefix="vote")
    chair = User.objects.create(username="voting_committee")
    Grant.objects.create(user=chair, role=Role.COMMITTEE, org=committee)
    now = timezone.now()
    rounds = [
        {"key": key, "name": "网络点赞", "kinds": ["case"], "method": "vote", "weight": 0}
        for key in ("likes", "floor")
    ]
    campaign = Campaign.objects.create(
        title="点赞基准活动", year=now.year, host_org=committee, kinds=["case"], forms={"case": {"fields": []}},
        opens_at=now - timedelta(days=30), submission_deadline=now - timedelta(days=10),
        status=Campaign.Status.REVIEWING, rounds=rounds,
    )  # fmt: skip
    made = Nomination.objects.bulk_create(
        Nomination(campaign=campaign, unit=unit, district=district, kind="case", title=f"点赞作品{i}", form={},
                   status=Nomination.Status.APPROVED, created_by=chair, submitted_by=chair, submitted_at=now)
        for i in range(ENTRIES)
    )  # fmt: skip
    return campaign, chair, [n.pk for n in made]


def _post(port: int, path: str, body: dict[str, object] | None = None) -> int:
    return http_bench._request(port, "POST", path, body=json.dumps(body or {}).encode())


def _run(calls: list[list[Callable[[], int]]]) -> tuple[float, list[int]]:
    """Requests per second of ``calls`` (one list per client thread, all started together)."""
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(calls) + 1)

    def client(mine: list[Callable[[], int]]) -> None:
        barrier.wait()
        got = [call() for call in mine]
        with lock:
            statuses.extend(got)

    threads = [threading.Thread(target=client, args=(mine,)) for mine in calls]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return len(statuses) / elapsed, statuses


def vote_ratios(*, per_client: int = ENTRIES) -> dict[str, dict[str, object]]:
    per_client = min(per_client, ENTRIES)
    campaign, chair, entries = _campaign()
    now = timezone.now()
    window, floor = (
        actions.open_voting(campaign.pk, key, actor=chair, starts_at=now - timedelta(hours=1),
                            ends_at=now + timedelta(days=7), per_phone_per_day=ENTRIES)
        for key in ("likes", "floor")
    )  # fmt: skip
    phones = [f"138{i:08d}" for i in range(CLIENTS)]
    codes = {}
    for number in phones:
        sms = actions.send_vote_code(number)
        codes[number] = OutboxMessage.objects.get(dedupe_key=f"vote_code:code:{sms.pk}").payload["code"]
    # Every client comes from 127.0.0.1: the per-address limit would stop the run, not measure it.
    os.environ["SEALFLOW_VOTE_RATE_PER_ADDRESS"] = "100000000/h"

    with http_bench.gunicorn(workers=2) as port:
        _post(port, f"/bench/vote-insert/{floor.pk}/{entries[0]}/{10**7}")  # warm both workers' paths

        def insert(client: int, k: int) -> Callable[[], int]:
            return lambda: _post(port, f"/bench/vote-insert/{floor.pk}/{entries[k]}/{client * ENTRIES + k}")

        def vote(number: str, k: int) -> Callable[[], int]:
            body: dict[str, object] = {"nomination": entries[k], "phone": number, "code": codes[number]}
            return lambda: _post(port, "/api/v1/public/votes", body)

        bare_rate, bare = _run([[insert(c, k) for k in range(per_client)] for c in range(CLIENTS)])
        full_rate, full = _run([[vote(n, k) for k in range(per_client)] for n in phones])

    expected = CLIENTS * per_client
    tally = actions.counts(window)
    exact = (
        full.count(201) == expected
        and Vote.objects.filter(window=window).count() == expected
        and all(tally[e] == CLIENTS for e in entries[:per_client])
        and bare.count(201) == expected
        and Vote.objects.filter(window=floor).count() == expected + 1
    )
    ratio = full_rate / bare_rate
    others = sorted({s for s in full + bare if s != 201})
    return {
        f"POST /api/v1/public/votes, {CLIENTS} clients / bare view inserting a vote": row(
            ratio,
            ">= 0.3, exact",
            ratio >= 0.3 and exact,
            f"{full_rate:.0f} vs {bare_rate:.0f} req/s (2 workers, c={CLIENTS}, {expected} votes each side); "
            f"counts {'exact' if exact else 'NOT exact'}" + (f"; other statuses {others}" if others else ""),
        )
    }
