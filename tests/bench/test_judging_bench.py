"""The judging benchmarks at a tiny size, so that they cannot rot (the figures: bench/README.md)."""

from __future__ import annotations

import pytest

from bench import judging_bench
from judging.models import Round, RoundResult

# The raw SQL side reads on a connection of its own: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def test_close_scaling_runs_and_closes_nothing_for_good():
    rows = judging_bench.close_scaling(small=3, large=12, repeat=1)

    by_name = {name.split(",")[0].split(" (")[0]: r for name, r in rows.items()}
    assert set(by_name) == {"close_round", "queries per close_round", "raw SQL GROUP BY mean + rank / close_round"}
    queries = by_name["queries per close_round"]
    assert queries["pass"], queries["detail"]
    assert queries["ratio"] == 1.0
    assert all(isinstance(r["ratio"], float) and r["ratio"] > 0 for r in rows.values())
    # Every measured close was rolled back: both rounds are still open, without results.
    assert set(Round.objects.values_list("status", flat=True)) == {Round.Status.OPEN}
    assert not RoundResult.objects.exists()


def test_score_save_queries_are_the_same_at_the_nth_score():
    rows = judging_bench.score_save(nth=10, saves=2)

    (only,) = rows.values()
    assert only["pass"], only["detail"]
    assert only["ratio"] == 1.0
