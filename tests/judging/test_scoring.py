"""The judging math (judging/scoring.py) against values worked out by hand in the comments.

Pure functions: no database. Rubric of seed 000: 服务过程 20, 服务手法 15, 服务效果 30, 社会效益 15,
可持续性 10, 现场表现 10 (= 100).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from judging.scoring import Cut, Ranked, Sheet, combine, criterion_means, cut, import_scores, panel_scores, rank

D = Decimal
FULL = D(100)
RUBRIC = {"process": 20, "method": 15, "effect": 30, "social": 15, "sustain": 10, "live": 10}


def rubric(judge: int, entry: int, *points: int) -> Sheet:
    """A seed-000 sheet: points in rubric order (过程, 手法, 效果, 社会效益, 可持续性, 现场表现)."""
    assert len(points) == len(RUBRIC)
    return Sheet(judge=judge, entry=entry, criteria={key: D(p) for key, p in zip(RUBRIC, points, strict=True)})


def total(judge: int, entry: int, points: int | str) -> Sheet:
    """A sheet of a one-criterion rubric, when only the total matters."""
    return Sheet(judge=judge, entry=entry, criteria={"total": D(points)})


def at(value: Decimal, places: str = "0.000001") -> Decimal:
    return value.quantize(D(places))


# --- Sheet and the plain mean -------------------------------------------------------------


def test_sheet_total_is_the_sum_of_its_criteria() -> None:
    assert rubric(1, 1, 18, 14, 27, 13, 9, 9).total == D(90)
    assert Sheet(judge=1, entry=1, criteria={"a": D("7.5"), "b": D("2.25")}).total == D("9.75")


def test_panel_score_is_the_mean_scaled_to_100() -> None:
    # A rubric of 50 points: totals 40 and 45, mean 42.5, x 100/50 = 85.
    sheets = [total(1, 7, 40), total(2, 7, 45), total(1, 8, 30)]
    assert panel_scores(sheets, full_mark=D(50)) == {7: D(85), 8: D(60)}


def test_no_sheets_no_scores() -> None:
    assert panel_scores([], full_mark=FULL) == {}
    assert panel_scores([], full_mark=FULL, normalize="zscore") == {}


def test_a_judges_second_sheet_of_an_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="judge 1 has more than one sheet for entry 7"):
        panel_scores([total(1, 7, 80), total(2, 7, 70), total(1, 7, 90)], full_mark=FULL)


@pytest.mark.parametrize("full_mark", [D(0), D(-5), D("NaN")])
def test_full_mark_must_be_positive(full_mark: Decimal) -> None:
    with pytest.raises(ValueError, match="full_mark"):
        panel_scores([total(1, 1, 5)], full_mark=full_mark)


def test_unknown_normalization_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown normalization"):
        panel_scores([total(1, 1, 5)], full_mark=FULL, normalize="minmax")


# --- trimmed mean -------------------------------------------------------------------------


def test_trimmed_mean_with_five_judges_drops_one_highest_and_one_lowest() -> None:
    sheets = [
        rubric(1, 1, 18, 14, 27, 13, 9, 9),  # 90  highest: dropped
        rubric(2, 1, 17, 13, 26, 13, 8, 9),  # 86
        rubric(3, 1, 16, 12, 24, 12, 8, 8),  # 80
        rubric(4, 1, 14, 11, 21, 11, 7, 7),  # 71
        rubric(5, 1, 12, 9, 18, 9, 6, 6),  # 60  lowest: dropped
    ]
    # (86 + 80 + 71) / 3 = 237 / 3 = 79; untrimmed (90 + 86 + 80 + 71 + 60) / 5 = 387 / 5 = 77.4.
    assert panel_scores(sheets, full_mark=FULL, trim=True) == {1: D(79)}
    assert panel_scores(sheets, full_mark=FULL) == {1: D("77.4")}


def test_trimmed_mean_drops_only_one_of_equal_extremes() -> None:
    sheets = [total(j, 1, t) for j, t in enumerate([90, 90, 80, 70, 70], start=1)]
    # Drop one 90 and one 70: (90 + 80 + 70) / 3 = 80.
    assert panel_scores(sheets, full_mark=FULL, trim=True) == {1: D(80)}


def test_trim_needs_five_judges_four_give_the_plain_mean() -> None:
    sheets = [total(j, 1, t) for j, t in enumerate([90, 80, 70, 61], start=1)]
    # (90 + 80 + 70 + 61) / 4 = 301 / 4 = 75.25, nothing dropped.
    assert panel_scores(sheets, full_mark=FULL, trim=True) == {1: D("75.25")}


def test_trim_counts_sheets_per_entry() -> None:
    five = [total(j, 1, t) for j, t in enumerate([100, 80, 80, 80, 0], start=1)]
    four = [total(j, 2, t) for j, t in enumerate([100, 80, 80, 0], start=1)]
    # Entry 1 trimmed: (80 + 80 + 80) / 3 = 80. Entry 2 not: 260 / 4 = 65.
    assert panel_scores(five + four, full_mark=FULL, trim=True) == {1: D(80), 2: D(65)}


# --- z-score normalisation ----------------------------------------------------------------

# Three judges over overlapping subsets of four entries:
#   judge A: entry 1 = 89, entry 2 = 70          mean 79.5, pstdev 9.5  -> z: +1, -1
#   judge B: entry 2 = 92, entry 3 = 83          mean 87.5, pstdev 4.5  -> z: +1, -1
#   judge C: 1 = 77, 2 = 63, 3 = 71, 4 = 69      mean 70, deviations +7 -7 +1 -1,
#                                                pstdev sqrt((49+49+1+1)/4) = 5 -> z: 1.4, -1.4, 0.2, -0.2
# Mean z per entry: 1: (1 + 1.4)/2 = 1.2; 2: (-1 + 1 - 1.4)/3 = -7/15; 3: (-1 + 0.2)/2 = -0.4; 4: -0.2.
# Raw scores: 1: (89+77)/2 = 83; 2: (70+92+63)/3 = 75; 3: (83+71)/2 = 77; 4: 69.
#   their mean M = 304/4 = 76, pstdev S = sqrt((49+1+1+49)/4) = 5.
# Normalised = M + z * S: 1: 76 + 6 = 82; 2: 76 - 7/3 = 73.666...; 3: 76 - 2 = 74; 4: 76 - 1 = 75.
OVERLAPPING = [
    total(1, 1, 89), total(1, 2, 70),
    total(2, 2, 92), total(2, 3, 83),
    total(3, 1, 77), total(3, 2, 63), total(3, 3, 71), total(3, 4, 69),
]  # fmt: skip


def test_zscore_over_overlapping_subsets_against_hand_computed_values() -> None:
    scores = panel_scores(OVERLAPPING, full_mark=FULL, normalize="zscore")
    assert scores.keys() == {1, 2, 3, 4}
    assert scores[1] == D(82)
    assert at(scores[2]) == D("73.666667")
    assert scores[3] == D(74)
    assert scores[4] == D(75)
    # Entry 4 was scored only by the harshest judge: raw it is last (69), normalised second.
    assert [r.entry for r in rank(panel_scores(OVERLAPPING, full_mark=FULL))] == [1, 3, 2, 4]
    assert [(r.entry, r.score) for r in rank(scores)] == [(1, D(82)), (4, D(75)), (3, D(74)), (2, D("73.67"))]


def test_zscore_of_a_judge_without_spread_or_with_one_entry_is_zero() -> None:
    # A: 80 / 60 -> z +1 / -1. B gives both 70: no spread -> z 0 for both. C scores one entry: z 0.
    # Mean z: entry 1 (1 + 0 + 0)/3 = 1/3, entry 2 (-1 + 0)/2 = -0.5.
    # Raw: entry 1 (80+70+90)/3 = 80, entry 2 (60+70)/2 = 65 -> M 72.5, S 7.5.
    # Normalised: 72.5 + 7.5/3 = 75; 72.5 - 3.75 = 68.75.
    sheets = [total(1, 1, 80), total(1, 2, 60), total(2, 1, 70), total(2, 2, 70), total(3, 1, 90)]
    scores = panel_scores(sheets, full_mark=FULL, normalize="zscore")
    assert {e: at(s) for e, s in scores.items()} == {1: D(75), 2: D("68.75")}


def test_zscore_equals_raw_when_every_judge_scores_every_entry_linearly() -> None:
    # Judges differ only in leniency and spread: quality x = 60, 70, 80, 90;
    # judge 1 gives x, judge 2 gives x/2 + 45, judge 3 gives x + 5.
    # Raw = (x + x/2 + 45 + x + 5)/3 = (2.5x + 50)/3: 66.67, 75.00, 83.33, 91.67 - and z-score the same.
    quality = {1: 60, 2: 70, 3: 80, 4: 90}
    sheets = [total(1, e, x) for e, x in quality.items()]
    sheets += [total(2, e, x // 2 + 45) for e, x in quality.items()]
    sheets += [total(3, e, x + 5) for e, x in quality.items()]
    raw = rank(panel_scores(sheets, full_mark=FULL))
    normalized = rank(panel_scores(sheets, full_mark=FULL, normalize="zscore"))
    expected = [(4, D("91.67")), (3, D("83.33")), (2, D("75.00")), (1, D("66.67"))]
    assert [(r.entry, r.score) for r in raw] == expected
    assert [(r.entry, r.score) for r in normalized] == expected


def test_zscore_trims_z_values_with_five_judges() -> None:
    # Judges 1, 2, 4, 5 score entries 1, 2, 3 as 90, 80, 70; judge 3 reverses it: 70, 80, 90.
    # Every judge: pstdev sqrt(200/3), z = +k, 0, -k with k = sqrt(3/2) (judge 3: -k, 0, +k).
    # Trimmed: entry 1 z = (+k, +k, +k) -> k; raw trimmed 90, 80, 70 -> M 80, S sqrt(200/3);
    #   80 + sqrt(3/2) * sqrt(200/3) = 80 + 10 = 90; entry 2: 80; entry 3: 70.
    # Untrimmed: entry 1 z = (4k - k)/5 = 0.6k; raw 86, 80, 74 -> M 80, S sqrt(24);
    #   80 + 0.6 * sqrt(3/2) * sqrt(24) = 80 + 0.6 * 6 = 83.6; entry 3: 76.4.
    usual, reversed_ = {1: 90, 2: 80, 3: 70}, {1: 70, 2: 80, 3: 90}
    sheets = [total(j, e, t) for j in range(1, 6) for e, t in (reversed_ if j == 3 else usual).items()]
    trimmed = panel_scores(sheets, full_mark=FULL, trim=True, normalize="zscore")
    plain = panel_scores(sheets, full_mark=FULL, normalize="zscore")
    assert {e: at(s) for e, s in trimmed.items()} == {1: D(90), 2: D(80), 3: D(70)}
    assert {e: at(s) for e, s in plain.items()} == {1: D("83.6"), 2: D(80), 3: D("76.4")}


def test_zscore_is_clamped_to_0_100() -> None:
    # A: entry 1 = 100, entry 2 = 0 -> z +1, -1. B: 1 = 100, 3 = 98, 4 = 99 -> z +1.22, -1.22, 0.
    # Mean z of entry 1: (1 + 1.22)/2 = 1.11. Raw 100, 0, 98, 99 -> M 74.25, S 42.87:
    # 74.25 + 1.11 * 42.87 = 122 -> clamped to 100; entry 2: 74.25 - 42.87 = 31.38.
    sheets = [total(1, 1, 100), total(1, 2, 0), total(2, 1, 100), total(2, 3, 98), total(2, 4, 99)]
    scores = panel_scores(sheets, full_mark=FULL, normalize="zscore")
    assert scores[1] == D(100)
    assert at(scores[2], "0.01") == D("31.38")
    assert all(D(0) <= s <= D(100) for s in scores.values())


# --- imported scores and weights ----------------------------------------------------------


def test_import_scores_scale_to_100() -> None:
    # A knowledge test out of 150: 120 -> 80, 150 -> 100, 0 -> 0.
    assert import_scores({1: D(120), 2: D(150), 3: D(0)}, full_mark=D(150)) == {1: D(80), 2: D(100), 3: D(0)}
    assert import_scores({1: D("87.5")}) == {1: D("87.5")}


def test_import_scores_outside_the_range_are_named() -> None:
    with pytest.raises(ValueError, match=r"entries \[2, 3\]"):
        import_scores({1: D(50), 2: D(101), 3: D(-1)})
    with pytest.raises(ValueError, match=r"entries \[4\]"):
        import_scores({4: D("NaN")})


def test_combine_seed_002_collectives_70_data_30_presentation() -> None:
    daily_service = import_scores({1: D(80), 2: D(90), 3: D(95)})  # third party, imported
    presentation = panel_scores([total(1, 1, 90), total(1, 2, 70)], full_mark=FULL)  # 3 was absent
    screening = {1: D(100), 2: D(0)}  # a 0-weight round is a cut: ignored
    combined = combine([(D(0), screening), (D(70), daily_service), (D(30), presentation)], [1, 2, 3])
    # 1: 0.7*80 + 0.3*90 = 56 + 27 = 83; 2: 63 + 21 = 84; 3: 66.5 + 0 (missing from a weighted round).
    assert combined == {1: D(83), 2: D(84), 3: D("66.5")}


def test_combine_seed_002_individuals_30_30_40() -> None:
    knowledge = import_scores({10: D(80), 11: D(95)})
    simulation = import_scores({10: D(90), 11: D(70)})
    practical = {10: D(85), 11: D(80)}
    combined = combine([(D(30), knowledge), (D(30), simulation), (D(40), practical)], [10, 11])
    # 10: 24 + 27 + 34 = 85; 11: 28.5 + 21 + 32 = 81.5.
    assert combined == {10: D(85), 11: D("81.5")}
    # Only the entries asked for: a score of another entry is not carried.
    assert combine([(D(100), {10: D(1), 99: D(2)})], [10]) == {10: D(1)}


@pytest.mark.parametrize(
    "weights", [[D(70), D(20)], [D(70), D(40)], [D(110), D(-10)], [D(0), D(0)]], ids=["90", "110", "negative", "zero"]
)
def test_combine_weights_must_add_up_to_100(weights: list[Decimal]) -> None:
    with pytest.raises(ValueError, match="weight"):
        combine([(w, {1: D(50)}) for w in weights], [1])


# --- ranking ------------------------------------------------------------------------------


def test_equal_scores_share_a_rank_1_2_2_4() -> None:
    scores = {4: D(80), 3: D(85), 2: D(85), 1: D(90)}
    assert rank(scores) == [
        Ranked(entry=1, score=D("90.00"), rank=1, tied=False),
        Ranked(entry=2, score=D("85.00"), rank=2, tied=True),
        Ranked(entry=3, score=D("85.00"), rank=2, tied=True),
        Ranked(entry=4, score=D("80.00"), rank=4, tied=False),
    ]


def test_scores_are_compared_as_shown_to_two_places_half_up() -> None:
    # 85.004 -> 85.00, 84.995 -> 85.00 (half up), 85.005 -> 85.01.
    ranked = rank({1: D("85.004"), 2: D("84.995"), 3: D("85.005")})
    assert [(r.entry, r.score, r.rank, r.tied) for r in ranked] == [
        (3, D("85.01"), 1, False),
        (1, D("85.00"), 2, True),
        (2, D("85.00"), 2, True),
    ]


def test_a_tie_is_not_broken_by_entry_id() -> None:
    ranked = rank({9: D(70), 3: D(70), 5: D(70)})
    assert [(r.entry, r.rank, r.tied) for r in ranked] == [(3, 1, True), (5, 1, True), (9, 1, True)]


def test_tiebreak_by_the_service_effect_criterion_mean() -> None:
    sheets = [
        # entry 4: 90 and 90 -> 90, first.
        rubric(1, 4, 18, 14, 27, 13, 9, 9), rubric(2, 4, 18, 14, 27, 13, 9, 9),
        # entries 1, 2, 3: 85 from both judges; 服务效果 27.5, 28.5, 27.5.
        rubric(1, 1, 17, 13, 28, 12, 8, 7), rubric(2, 1, 17, 13, 27, 13, 8, 7),
        rubric(1, 2, 17, 13, 29, 12, 7, 7), rubric(2, 2, 17, 13, 28, 13, 7, 7),
        rubric(1, 3, 18, 12, 28, 12, 8, 7), rubric(2, 3, 17, 13, 27, 12, 8, 8),
    ]  # fmt: skip
    scores = panel_scores(sheets, full_mark=FULL)
    assert scores == {1: D(85), 2: D(85), 3: D(85), 4: D(90)}
    effect = criterion_means(sheets, "effect")
    assert effect == {1: D("27.5"), 2: D("28.5"), 3: D("27.5"), 4: D(27)}
    ranked = rank(scores, tiebreak={e: (m,) for e, m in effect.items()})
    # 2 wins the tie on 服务效果; 1 and 3 are still equal and keep sharing rank 3.
    assert [(r.entry, r.rank, r.tied) for r in ranked] == [(4, 1, False), (2, 2, False), (1, 3, True), (3, 3, True)]
    # Without the tiebreak all three share rank 2.
    assert [(r.entry, r.rank) for r in rank(scores)] == [(4, 1), (1, 2), (2, 2), (3, 2)]


def test_tiebreak_does_not_reorder_different_scores() -> None:
    # Entry 1 is better on the criterion but worse on the score: the score decides.
    ranked = rank({1: D(80), 2: D(90)}, tiebreak={1: (D(30),), 2: (D(10),)})
    assert [(r.entry, r.rank) for r in ranked] == [(2, 1), (1, 2)]


def test_tiebreak_must_cover_every_entry() -> None:
    with pytest.raises(ValueError, match=r"entries \[2\]"):
        rank({1: D(80), 2: D(80)}, tiebreak={1: (D(30),)})


def test_criterion_means_skip_sheets_without_the_criterion() -> None:
    sheets = [
        Sheet(judge=1, entry=1, criteria={"effect": D(20)}),
        Sheet(judge=2, entry=1, criteria={"effect": D(25)}),
        Sheet(judge=3, entry=1, criteria={"other": D(5)}),
        Sheet(judge=1, entry=2, criteria={"other": D(5)}),
    ]
    assert criterion_means(sheets, "effect") == {1: D("22.5")}


# --- cuts ---------------------------------------------------------------------------------


def ranks(*pairs: tuple[int, int]) -> list[Ranked]:
    counts = {r: sum(1 for _, q in pairs if q == r) for _, r in pairs}
    return [Ranked(entry=e, score=D(100 - r), rank=r, tied=counts[r] > 1) for e, r in pairs]


def test_tie_across_the_advance_boundary_goes_to_the_committee() -> None:
    ranked = ranks((11, 1), (12, 2), (13, 3), (14, 3), (15, 3), (16, 6))
    # Top 4: the 4th (14) and 5th (15) share rank 3 -> only ranks 1-2 advance, all of rank 3 are listed.
    assert cut(ranked, 4) == Cut(advancing=[11, 12], boundary_tie=[13, 14, 15])
    assert cut(ranked, 3) == Cut(advancing=[11, 12], boundary_tie=[13, 14, 15])


def test_clean_cuts() -> None:
    ranked = ranks((11, 1), (12, 2), (13, 3), (14, 3), (15, 3), (16, 6))
    assert cut(ranked, 2) == Cut(advancing=[11, 12], boundary_tie=[])
    assert cut(ranked, 5) == Cut(advancing=[11, 12, 13, 14, 15], boundary_tie=[])
    assert cut(ranked, 6) == Cut(advancing=[11, 12, 13, 14, 15, 16], boundary_tie=[])
    assert cut(ranked, 20) == Cut(advancing=[11, 12, 13, 14, 15, 16], boundary_tie=[])
    assert cut(ranked, 0) == Cut(advancing=[], boundary_tie=[])


def test_all_tied_at_the_top_nobody_advances_by_default() -> None:
    ranked = rank({1: D(80), 2: D(80), 3: D(80)})
    assert cut(ranked, 2) == Cut(advancing=[], boundary_tie=[1, 2, 3])


def test_cut_of_rank_output_seed_001_finalists() -> None:
    # 坪山: 20 finalists (入围) then the top 10 (十佳); here 5 then 2 with a tie at the second cut.
    scores = {1: D(95), 2: D(91), 3: D(91), 4: D(88), 5: D(80), 6: D(79)}
    finalists = cut(rank(scores), 5)
    assert finalists == Cut(advancing=[1, 2, 3, 4, 5], boundary_tie=[])
    top = cut(rank({e: scores[e] for e in finalists.advancing}), 2)
    assert top == Cut(advancing=[1], boundary_tie=[2, 3])


def test_negative_cut_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 0"):
        cut([], -1)


# --- order independence (property) --------------------------------------------------------

# A round: up to 6 judges and 8 entries, each judge scoring a subset on the seed-000 rubric
# in half points (the step of a fine rubric).
half_points = {key: st.integers(min_value=0, max_value=2 * top).map(lambda n: D(n) / 2) for key, top in RUBRIC.items()}


@st.composite
def rounds(draw: st.DrawFn) -> list[Sheet]:
    pairs = draw(
        st.sets(st.tuples(st.integers(1, 6), st.integers(1, 8)), min_size=1, max_size=30),
    )
    return [
        Sheet(judge=judge, entry=entry, criteria=draw(st.fixed_dictionaries(half_points)))
        for judge, entry in sorted(pairs)
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(data=st.data(), sheets=rounds())
def test_scores_and_ranks_do_not_depend_on_the_order_sheets_arrive(data: st.DataObject, sheets: list[Sheet]) -> None:
    arrived = data.draw(st.permutations(sheets))
    for trim in (False, True):
        for normalize in (None, "zscore"):
            first = panel_scores(sheets, full_mark=FULL, trim=trim, normalize=normalize)
            again = panel_scores(arrived, full_mark=FULL, trim=trim, normalize=normalize)
            assert first == again
            # rank() reads a mapping: build it in the arrival order too.
            assert rank(first) == rank(dict(reversed(list(again.items()))))
            effect = criterion_means(arrived, "effect")
            assert rank(first, tiebreak={e: (m,) for e, m in criterion_means(sheets, "effect").items()}) == rank(
                again, tiebreak={e: (m,) for e, m in effect.items()}
            )
            assert all(D(0) <= score <= D(100) for score in first.values())


# --- the same scores from aggregated totals (how close_round reads a round) -----------------


@settings(max_examples=60, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 7), st.integers(1, 6), st.decimals(0, 100, places=1)),
        unique_by=lambda t: (t[0], t[1]),
        max_size=40,
    ),
    st.booleans(),
)
def test_scores_from_aggregated_totals_equal_those_from_the_sheets(rows, trim) -> None:
    from judging.scoring import EntryTotals, criterion_means_from_sums, panel_scores_from_totals

    sheets = [total(judge, entry, str(points)) for judge, entry, points in rows]
    by_entry: dict[int, list[Decimal]] = {}
    for _judge, entry, points in rows:
        by_entry.setdefault(entry, []).append(points)
    aggregated = [EntryTotals(e, sum(v, D(0)), len(v), max(v), min(v)) for e, v in by_entry.items()]

    assert panel_scores_from_totals(aggregated, full_mark=D(80), trim=trim) == panel_scores(
        sheets, full_mark=D(80), trim=trim
    )
    sums = {e: (sum(v, D(0)), len(v)) for e, v in by_entry.items()}
    assert criterion_means_from_sums(sums) == criterion_means(sheets, "total")


def test_trim_from_aggregated_totals_drops_the_highest_and_the_lowest() -> None:
    from judging.scoring import EntryTotals, panel_scores_from_totals

    # 5 totals 60, 70, 80, 90, 100: trimmed mean of 70, 80, 90 = 80; untrimmed 80 as well, so skew it:
    # 5 totals 10, 70, 80, 90, 100 (sum 350): trimmed (70 + 80 + 90) / 3 = 80, plain 350 / 5 = 70.
    row = EntryTotals(entry=1, total=D(350), count=5, highest=D(100), lowest=D(10))
    assert panel_scores_from_totals([row], full_mark=FULL, trim=True) == {1: D(80)}
    assert panel_scores_from_totals([row], full_mark=FULL, trim=False) == {1: D(70)}
