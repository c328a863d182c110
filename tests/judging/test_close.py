"""Closing a round: refused while scores are open, ranks with ties, advance cuts, the race with a
last submit, and a constant number of queries."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.errors import InvalidInput
from judging import actions
from judging.exceptions import PreviousRoundOpen, RoundClosed, ScoresMissing
from judging.models import Assignment, Round, RoundResult
from tests.judging.conftest import make_scene, panel_round, sheet

pytestmark = pytest.mark.django_db


def set_up(scene, key="review", judges=None):
    actions.set_up_panel(
        scene.campaign.pk, key, actor=scene.committee, judge_ids=[j.pk for j in (judges or scene.judges)]
    )


def score_all(scene, totals, key="review"):
    """totals: entry index → the sheet every judge gives it."""
    by_pk = {j.pk: j for j in scene.judges}
    for a in Assignment.objects.filter(round__key=key, status="pending").select_related("nomination"):
        index = next(i for i, e in enumerate(scene.entries) if e.pk == a.nomination_id)
        actions.submit_score(a.pk, actor=by_pk[a.judge_id], scores=totals[index])


def test_close_is_refused_while_an_assignment_is_open(scene):
    set_up(scene)
    first = Assignment.objects.earliest("id")
    actions.submit_score(
        first.pk, actor=next(j for j in scene.judges if j.pk == first.judge_id), scores=sheet(1, 1, 1)
    )

    with pytest.raises(ScoresMissing):
        actions.close_round(scene.campaign.pk, "review", actor=scene.committee)
    assert Round.objects.get().status == "open"
    assert not RoundResult.objects.exists()


def test_a_recused_assignment_does_not_hold_the_close(scene):
    set_up(scene)
    first = Assignment.objects.earliest("id")
    actions.declare_conflict(first.pk, actor=next(j for j in scene.judges if j.pk == first.judge_id), reason="亲属")
    score_all(scene, [sheet(20, 30, 50), sheet(10, 10, 10), sheet(10, 20, 30)])

    results = actions.close_round(scene.campaign.pk, "review", actor=scene.committee)

    ranks = {r.nomination_id: (r.rank, r.score) for r in results}
    assert ranks[scene.entries[0].pk][0] == 1
    assert ranks[scene.entries[1].pk] == (3, Decimal(30))
    assert ranks[scene.entries[2].pk] == (2, Decimal(60))
    with pytest.raises(RoundClosed):
        actions.close_round(scene.campaign.pk, "review", actor=scene.committee)


def test_a_tie_at_the_advance_boundary_is_reported_then_resolved_by_the_committee(tree, submitter):
    scene = make_scene(
        tree, submitter, rounds=[panel_round("cut", weight=0, advance=2), panel_round("final")], entries=4
    )
    set_up(scene, "cut")
    # entries 1 and 2 tie for the second place
    score_all(scene, [sheet(20, 30, 50), sheet(10, 20, 30), sheet(10, 20, 30), sheet(1, 1, 1)], "cut")

    results = actions.close_round(scene.campaign.pk, "cut", actor=scene.committee)

    current = Round.objects.get(key="cut")
    tied = sorted([scene.entries[1].pk, scene.entries[2].pk])
    assert current.boundary_tie == {"case": tied}
    assert {r.nomination_id for r in results if r.advanced} == {scene.entries[0].pk}
    assert {r.nomination_id: r.rank for r in results if r.tied} == {tied[0]: 2, tied[1]: 2}
    with pytest.raises(PreviousRoundOpen):
        set_up(scene, "final")
    with pytest.raises(InvalidInput):
        actions.resolve_tie(scene.campaign.pk, "cut", actor=scene.committee, advancing=tied)

    actions.resolve_tie(scene.campaign.pk, "cut", actor=scene.committee, advancing=[tied[1]])

    advanced = RoundResult.objects.filter(round__key="cut", advanced=True).values_list("nomination_id", flat=True)
    assert set(advanced) == {scene.entries[0].pk, tied[1]}
    set_up(scene, "final")
    assert set(Assignment.objects.filter(round__key="final").values_list("nomination_id", flat=True)) == {
        scene.entries[0].pk, tied[1],
    }  # fmt: skip


def test_a_configured_tiebreak_criterion_breaks_the_boundary_tie(tree, submitter):
    scene = make_scene(tree, submitter, rounds=[panel_round("cut", weight=0, advance=1, tiebreak="effect"),
                                                panel_round("final")], entries=2)  # fmt: skip
    set_up(scene, "cut")
    # the same total, 60; the second entry is higher on 服务效果
    score_all(scene, [sheet(20, 10, 30), sheet(10, 20, 30)], "cut")

    results = actions.close_round(scene.campaign.pk, "cut", actor=scene.committee)

    assert [r.nomination_id for r in results if r.advanced] == [scene.entries[1].pk]
    assert Round.objects.get(key="cut").boundary_tie == {}


@pytest.mark.django_db(transaction=True)
def test_close_racing_a_last_submit_never_loses_the_score(tree, submitter):
    for _attempt in range(3):
        scene = make_scene(tree, submitter, rounds=[panel_round(f"r{_attempt}")], entries=1, judges=2)
        set_up(scene, f"r{_attempt}")
        first, last = Assignment.objects.filter(round__key=f"r{_attempt}").order_by("id")
        by_pk = {j.pk: j for j in scene.judges}
        actions.submit_score(first.pk, actor=by_pk[first.judge_id], scores=sheet(10, 10, 10))
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def submit(last=last, by_pk=by_pk, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                actions.submit_score(last.pk, actor=by_pk[last.judge_id], scores=sheet(20, 30, 50))
                outcomes["submit"] = "ok"
            except RoundClosed:
                outcomes["submit"] = "round_closed"
            finally:
                connection.close()

        def close(scene=scene, barrier=barrier, outcomes=outcomes, key=f"r{_attempt}"):
            barrier.wait()
            try:
                actions.close_round(scene.campaign.pk, key, actor=scene.committee)
                outcomes["close"] = "ok"
            except ScoresMissing:
                outcomes["close"] = "scores_missing"
            finally:
                connection.close()

        threads = [threading.Thread(target=submit), threading.Thread(target=close)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        # either the submit came first and is counted, or the close refused: never both lost
        assert outcomes in ({"submit": "ok", "close": "ok"}, {"submit": "ok", "close": "scores_missing"})
        last.refresh_from_db()
        assert last.status == "submitted"
        result = RoundResult.objects.filter(round__key=f"r{_attempt}").first()
        if outcomes["close"] == "ok":
            assert result is not None
            assert result.score == Decimal(65)
        else:
            assert result is None
        tree.unit.refresh_from_db()


def _close_queries(tree, submitter, entries):
    scene = make_scene(tree, submitter, rounds=[panel_round()], entries=entries, judges=3)
    set_up(scene)
    Assignment.objects.update(status="submitted", scores={"process": "10", "effect": "10", "show": "10"})
    with CaptureQueriesContext(connection) as queries:
        results = actions.close_round(scene.campaign.pk, "review", actor=scene.committee)
    assert len(results) == entries
    return len(queries.captured_queries)


def test_close_costs_the_same_queries_for_10_and_50_entries(tree, submitter):
    small = _close_queries(tree, submitter, 10)
    Assignment.objects.all().delete()
    RoundResult.objects.all().delete()
    Round.objects.all().delete()
    from approvals.models import Nomination

    Nomination.objects.all().delete()
    assert _close_queries(tree, submitter, 50) == small


def test_close_counts_the_committees_latest_correction(scene):
    set_up(scene)
    score_all(scene, [sheet(10, 10, 10), sheet(10, 10, 10), sheet(10, 10, 10)])
    corrected = Assignment.objects.filter(nomination=scene.entries[0]).earliest("id")
    actions.correct_score(corrected.pk, actor=scene.committee, scores=sheet(20, 30, 50), reason="录入错误")
    actions.correct_score(corrected.pk, actor=scene.committee, scores=sheet(20, 30, 40), reason="再次更正")

    results = {r.nomination_id: r for r in actions.close_round(scene.campaign.pk, "review", actor=scene.committee)}

    # Entry 0: totals 90 (the latest correction), 30, 30 → mean 50; the others 30.
    assert results[scene.entries[0].pk].round_score == Decimal(50)
    assert results[scene.entries[0].pk].rank == 1
    assert {results[e.pk].round_score for e in scene.entries[1:]} == {Decimal(30)}
    stored = RoundResult.objects.get(nomination=scene.entries[0])
    assert (stored.pk, stored.score, stored.rank) == (results[scene.entries[0].pk].pk, Decimal(50), 1)


def test_a_zscore_round_closes_with_the_scores_of_its_sheets(tree, submitter):
    from judging import scoring

    scene = make_scene(tree, submitter, rounds=[panel_round(normalize="zscore")], entries=3)
    set_up(scene)
    by_pk = {j.pk: j for j in scene.judges}
    sheets = []
    for a in Assignment.objects.order_by("id"):
        index = next(i for i, e in enumerate(scene.entries) if e.pk == a.nomination_id)
        points = sheet(5 + index * 5 + a.judge_id % 3, 10 + index, 20 + a.judge_id % 5)
        actions.submit_score(a.pk, actor=by_pk[a.judge_id], scores=points)
        criteria = {k: Decimal(v) for k, v in points.items()}
        sheets.append(scoring.Sheet(judge=a.judge_id, entry=a.nomination_id, criteria=criteria))

    results = actions.close_round(scene.campaign.pk, "review", actor=scene.committee)

    expected = scoring.panel_scores(sheets, full_mark=Decimal(100), normalize="zscore")
    assert {r.nomination_id: r.round_score for r in results} == {
        e: s.quantize(Decimal("0.0001")) for e, s in expected.items()
    }
