"""Benchmarks of judging (issue 14): closing a round, and saving a score.

- ``close_scaling``: closing a panel round of ``large`` entries × 7 judges against one of
  ``small`` entries × 7 judges (time ≤ 1.2 × the size ratio: linear), in the same number of
  queries; and the large close against a raw SQL aggregate of the same scores (one ``GROUP BY``
  on a plain psycopg connection computing each entry's mean and rank), ≥ 0.3.
- ``score_save``: queries of ``save_score`` at the 1st and at the 1,000th score of a round, and
  the time per save.

The entries, judges and submitted sheets are written in bulk (``bulk_create`` and one
``INSERT ... SELECT``), never through the actions. A measured close runs in a transaction that is
rolled back, so the same round is closed again and again on the same data.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Grant, User
from accounts.roles import OrgKind, Role
from approvals.models import Nomination
from bench.orgs import make_org
from bench.timing import row, split_queries
from judging import actions
from judging.models import Assignment, Round
from workflows.models import Campaign

JUDGES = 7
ROUND = "review"
# Seed 000 (德化)'s roadshow rubric: 100 points.
RUBRIC: list[dict[str, Any]] = [
    {"key": "process", "name": "服务过程", "max": 20},
    {"key": "method", "name": "服务手法", "max": 15},
    {"key": "effect", "name": "服务效果", "max": 30},
    {"key": "benefit", "name": "社会效益", "max": 15},
    {"key": "sustain", "name": "可持续性", "max": 10},
    {"key": "show", "name": "现场表现", "max": 10},
]
# Trimmed mean (7 judges: one highest and one lowest total dropped), 服务效果 breaks ties.
DEFINITION = {"key": ROUND, "name": "专家评审", "kinds": ["case"], "method": "panel", "weight": 100,
              "criteria": RUBRIC, "step": 1, "trim": True, "tiebreak": "effect"}  # fmt: skip

# Each judge's points per criterion: deterministic, spread over 0..max (hashtext of the triple).
_SCORES_SQL = ", ".join(
    f"'{c['key']}', (abs(hashtext(n.id::text || ':' || j.id::text || ':{c['key']}')) %% {c['max'] + 1})::text"
    for c in RUBRIC
)
SUBMITTED_SHEETS = f"""
INSERT INTO judging_assignment
    (round_id, judge_id, nomination_id, status, recusal_kind, recusal_reason, scores, comment, saved_at,
     submitted_at)
SELECT %(round)s::bigint, j.id, n.id, %(status)s::text, '', '',
       CASE WHEN %(status)s::text = 'pending' THEN '{{}}'::jsonb ELSE jsonb_build_object({_SCORES_SQL}) END,
       '', now(), now()
FROM approvals_nomination n CROSS JOIN unnest(%(judges)s::bigint[]) AS j(id)
WHERE n.campaign_id = %(campaign)s::bigint
ORDER BY n.id, j.id
"""  # noqa: S608 - the rubric is a constant
# The baseline: the same submitted sheets, each entry's mean total and its rank, in one GROUP BY; a
# sheet is added up as close_round has the database do it (criterion by criterion, exact numeric),
# the fastest way found (summing over jsonb_each_text took 3 times as long).
_TOTAL_SQL = " + ".join(f"(a.scores ->> '{c['key']}')::numeric" for c in RUBRIC)
RAW_AGGREGATE = f"""
SELECT nomination_id, avg(total) AS mean, rank() OVER (ORDER BY avg(total) DESC) AS rank
FROM (SELECT a.nomination_id, {_TOTAL_SQL} AS total
      FROM judging_assignment a WHERE a.round_id = %s AND a.status = 'submitted') AS sheets
GROUP BY nomination_id
"""  # noqa: S608 - the rubric is a constant


@dataclass
class _Scene:
    campaign: Campaign
    round: Round
    committee: User
    judges: list[User]


_counter = 0


def _scene(entries: int, *, status: str = Assignment.Status.SUBMITTED) -> _Scene:
    """A campaign in review with ``entries`` approved cases, 7 judges of the host, its committee and
    an open round where every judge has a sheet of every entry (``status``: submitted or pending)."""
    global _counter
    _counter += 1
    tag = f"J{_counter}"
    city = make_org("city", OrgKind.CITY, None, prefix=tag)
    committee_org = make_org("committee", OrgKind.COMMITTEE, city, prefix=tag)
    district = make_org("district", OrgKind.DISTRICT, city, prefix=tag)
    township = make_org("township", OrgKind.TOWNSHIP, district, prefix=tag)
    unit = make_org("unit", OrgKind.UNIT, township, prefix=tag)
    committee = User.objects.create(username=f"{tag}_committee", org=committee_org)
    submitter = User.objects.create(username=f"{tag}_submitter", org=unit)
    judges = User.objects.bulk_create(User(username=f"{tag}_judge{i}", org=committee_org) for i in range(JUDGES))
    Grant.objects.bulk_create(
        [Grant(user=committee, role=Role.COMMITTEE, org=committee_org),
         Grant(user=submitter, role=Role.SUBMITTER, org=unit)]
        + [Grant(user=j, role=Role.JUDGE, org=committee_org) for j in judges]
    )  # fmt: skip
    now = timezone.now()
    campaign = Campaign.objects.create(
        title=f"judging bench {tag}", year=now.year, host_org=committee_org, kinds=["case"],
        forms={"case": {"fields": []}}, opens_at=now - timedelta(days=30), submission_deadline=now - timedelta(days=1),
        status=Campaign.Status.REVIEWING, rounds=[DEFINITION],
    )  # fmt: skip
    Nomination.objects.bulk_create(
        (
            Nomination(campaign=campaign, unit=unit, district=district, kind="case", title=f"案例{i}",
                       form={"summary": "x"}, status=Nomination.Status.APPROVED, created_by=submitter,
                       submitted_by=submitter, submitted_at=now)
            for i in range(entries)
        ),
        batch_size=2_000,
    )  # fmt: skip
    current = Round.objects.create(campaign=campaign, key=ROUND)
    with connection.cursor() as cursor:
        cursor.execute(
            SUBMITTED_SHEETS,
            {"round": current.pk, "status": status, "judges": [j.pk for j in judges], "campaign": campaign.pk},
        )
        cursor.execute("ANALYZE judging_assignment")
        cursor.execute("ANALYZE approvals_nomination")
    return _Scene(campaign, current, committee, list(judges))


def _close_and_roll_back(scene: _Scene) -> tuple[float, int]:
    """Seconds to close the round (rolled back afterwards) and the number of results it made."""
    with transaction.atomic():
        start = time.perf_counter()
        results = actions.close_round(scene.campaign.pk, ROUND, actor=scene.committee)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed, len(results)


def _close_queries(scene: _Scene) -> int:
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        actions.close_round(scene.campaign.pk, ROUND, actor=scene.committee)
        transaction.set_rollback(True)
    queries, _control = split_queries(ctx.captured_queries)
    return len(queries)


def _raw_connect() -> psycopg.Connection[Any]:
    """A plain psycopg connection to the benchmark database, preparing statements as Django's do."""
    s = connection.settings_dict
    kwargs = {"dbname": s["NAME"], "user": s["USER"], "password": s["PASSWORD"], "host": s["HOST"],
              "port": s["PORT"]}  # fmt: skip
    prepare = s.get("OPTIONS", {}).get("prepare_threshold")
    return psycopg.connect(**{k: v for k, v in kwargs.items() if v}, autocommit=True, prepare_threshold=prepare)


def _raw_aggregate(conn: psycopg.Connection[Any], round_id: int) -> tuple[float, int]:
    start = time.perf_counter()
    rows = conn.execute(RAW_AGGREGATE, [round_id]).fetchall()
    return time.perf_counter() - start, len(rows)


def close_scaling(*, small: int = 100, large: int = 10_000, repeat: int = 5) -> dict[str, dict[str, object]]:
    """Closing a round of ``large`` entries against ``small`` entries (× 7 judges), and against raw SQL."""
    little = _scene(small)
    big = _scene(large)
    small_queries = _close_queries(little)
    large_queries = _close_queries(big)
    for scene in (little, big):  # warm: the first close of each pays for caches and plans
        _close_and_roll_back(scene)
    per_small = max(1, min(20, 2_000 // small))  # closes of the small round per sample
    small_times: list[float] = []
    large_times: list[float] = []
    raw_times: list[float] = []
    made = raw_rows = 0
    with _raw_connect() as raw:
        _raw_aggregate(raw, big.round.pk)
        # Interleaved, so that load from elsewhere on the machine falls on every side of the ratios.
        for _ in range(repeat):
            small_times.append(statistics.mean(_close_and_roll_back(little)[0] for _ in range(per_small)))
            elapsed, made = _close_and_roll_back(big)
            large_times.append(elapsed)
            elapsed, raw_rows = _raw_aggregate(raw, big.round.pk)
            raw_times.append(elapsed)
    assert made == raw_rows == large, (made, raw_rows, large)
    t_small, t_large, t_raw = (statistics.median(t) for t in (small_times, large_times, raw_times))
    scale = t_large / t_small
    limit = 1.2 * large / small
    versus_raw = t_raw / t_large
    sheets = large * JUDGES
    return {
        f"close_round, {large:,} / {small:,} entries × {JUDGES} judges": row(
            scale, f"<= {limit:g}", scale <= limit,
            f"{t_large * 1000:.0f} ms vs {t_small * 1000:.1f} ms ({t_large / sheets * 1e6:.1f} µs per sheet)",
        ),
        f"queries per close_round, {small:,} vs {large:,} entries": row(
            large_queries / small_queries, "== 1.0", large_queries == small_queries,
            f"{small_queries} vs {large_queries} queries (BEGIN/COMMIT/SAVEPOINT not counted)",
        ),
        f"raw SQL GROUP BY mean + rank / close_round ({large:,} × {JUDGES})": row(
            versus_raw, ">= 0.3", versus_raw >= 0.3, f"{t_raw * 1000:.0f} ms vs {t_large * 1000:.0f} ms",
        ),
    }  # fmt: skip


def _save_queries(scene: _Scene, assignment: Assignment, sheet: dict[str, int]) -> int:
    judge = next(j for j in scene.judges if j.pk == assignment.judge_id)
    with CaptureQueriesContext(connection) as ctx:
        actions.save_score(assignment.pk, actor=judge, scores=sheet)
    queries, _control = split_queries(ctx.captured_queries)
    return len(queries)


def score_save(*, nth: int = 1_000, saves: int = 200) -> dict[str, dict[str, object]]:
    """``save_score`` at the 1st and at the ``nth`` score of a round: the same queries; time per save."""
    entries = -(-(nth + 1) // JUDGES)
    scene = _scene(entries, status=Assignment.Status.PENDING)
    ids = list(Assignment.objects.filter(round=scene.round).order_by("id").values_list("id", flat=True))
    sheet = {c["key"]: c["max"] // 2 for c in RUBRIC}
    first = _save_queries(scene, Assignment.objects.get(pk=ids[0]), sheet)
    # Scores 2 … nth - 1 of the round, in bulk, with their audit events left out (one chain per sheet).
    Assignment.objects.filter(pk__in=ids[1 : nth - 1]).update(
        scores={k: str(v) for k, v in sheet.items()}, saved_at=timezone.now()
    )
    last = Assignment.objects.get(pk=ids[nth - 1])
    at_nth = _save_queries(scene, last, sheet)
    judge = next(j for j in scene.judges if j.pk == last.judge_id)
    times = []
    for i in range(saves):  # a judge autosaving one sheet again and again, each a new audit event
        sheet["show"] = i % 11
        start = time.perf_counter()
        actions.save_score(last.pk, actor=judge, scores=sheet)
        times.append(time.perf_counter() - start)
    per_save = statistics.median(times)
    return {
        f"queries per save_score, 1st vs {nth:,}th score of a round": row(
            at_nth / first, "== 1.0", at_nth == first,
            f"{first} vs {at_nth} queries; {per_save * 1000:.1f} ms per save (median of {saves})",
        )
    }  # fmt: skip
