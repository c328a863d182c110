"""The pure allocation: tiers filled by rank, floors met by giving way, ties on a boundary reported."""

from __future__ import annotations

from decimal import Decimal

import pytest

from awards import allocation
from awards.allocation import Entry

FLOOR = {"kind": "case", "field": "category", "values": ["一线"], "min_share": 0.8}
LEVELS = [{"key": "first", "name": "一等奖", "count": 1}, {"key": "second", "name": "二等奖", "count": 4}]


def entries(*specs: tuple[int, str]) -> list[Entry]:
    return [Entry(i + 1, f"E{i + 1}", rank, Decimal(100 - rank), {"category": c}) for i, (rank, c) in enumerate(specs)]


def test_without_a_floor_the_tiers_fill_in_rank_order():
    ranked = entries((1, "x"), (2, "x"), (3, "x"), (4, "x"), (5, "x"), (6, "x"))

    result = allocation.allocate_kind("case", LEVELS, ranked, [])

    assert [(p.entry.nomination, p.tier) for p in result.placed] == [
        (1, "first"), (2, "second"), (3, "second"), (4, "second"), (5, "second"),
    ]  # fmt: skip
    assert result.notes == []
    assert result.ties == []


def test_a_missed_floor_moves_the_lowest_outside_for_the_best_inside():
    # 5 awards, 80 % → 4 front-line; by rank only E1, E3 are
    ranked = entries((1, "一线"), (2, "x"), (3, "一线"), (4, "x"), (5, "x"), (6, "一线"), (7, "x"), (8, "一线"))

    result = allocation.allocate_kind("case", LEVELS, ranked, [(0, FLOOR)])

    assert [p.entry.nomination for p in result.placed] == [1, 2, 3, 6, 8]
    assert [p.tier for p in result.placed] == ["first", "second", "second", "second", "second"]
    assert len(result.notes) == 2
    assert "“E5”（第5名）让位于“E6”（第6名）" in result.notes[0]
    assert "“E4”（第4名）让位于“E8”（第8名）" in result.notes[1]


def test_an_unreachable_floor_names_it():
    ranked = entries((1, "一线"), (2, "x"), (3, "x"), (4, "x"), (5, "x"), (6, "一线"))

    with pytest.raises(allocation.FloorUnreachable) as raised:
        allocation.allocate_kind("case", LEVELS, ranked, [(3, FLOOR)])

    assert (raised.value.index, raised.value.needed, raised.value.available) == (3, 4, 2)


def test_a_tie_across_a_tier_boundary_is_reported_not_broken_by_id():
    ranked = entries((1, "x"), (1, "x"), (3, "x"))

    result = allocation.allocate_kind(
        "case", LEVELS[:1] + [{"key": "second", "name": "二等奖", "count": 2}], ranked, []
    )

    assert result.ties == [[1, 2]]
    assert all(p.tied for p in result.placed[:2])
    settled = allocation.allocate_kind(
        "case", LEVELS[:1] + [{"key": "second", "name": "二等奖", "count": 2}], ranked, [], tie_order=[2, 1]
    )
    assert settled.ties == []
    assert [(p.entry.nomination, p.tier) for p in settled.placed] == [(2, "first"), (1, "second"), (3, "second")]


def test_a_tie_inside_one_tier_is_no_tie_for_the_committee():
    ranked = entries((1, "x"), (2, "x"), (2, "x"), (4, "x"))

    result = allocation.allocate_kind("case", LEVELS, ranked, [])

    assert result.ties == []


def test_a_floor_explains_a_tied_pair_split_by_it():
    # E2 (outside) and E3 (inside) share rank 2; the floor, not the tie, decides who keeps the place
    floor = {**FLOOR, "min_share": 0.5}
    levels = [{"key": "first", "name": "一等奖", "count": 2}]
    ranked = entries((1, "x"), (2, "x"), (2, "一线"))

    result = allocation.allocate_kind("case", levels, ranked, [(0, floor)])

    assert [p.entry.nomination for p in result.placed] == [1, 3]
    assert result.ties == []
