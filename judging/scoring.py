"""The judging math: panel scores, imported scores, weighted rounds, ranks and cuts.

Pure functions on ``Decimal`` (no ORM, no Django): the judging actions load the sheets, call these
and store what they return. Every function computes in one fixed decimal context (``CONTEXT``), so
the caller's context cannot change a result and the same input always gives the same digits.
Only ``Ranked.score`` is rounded (to 0.01, half up), and ranks compare those rounded scores: two
entries shown with the same score share a rank.

How the scores are computed, for users: ``docs/judging.md``.

- ``panel_scores``: an entry's score is the mean of its judges' totals, scaled to 0-100 by
  ``100 / full_mark``. ``trim``: with at least 5 sheets, one highest and one lowest total are
  dropped first. ``normalize="zscore"``: for panels where judges see different subsets (each
  judge's leniency and spread is taken out):

  1. each judge's totals are standardised over the entries *that judge* scored:
     ``z = (total - mean) / pstdev`` (population standard deviation); a judge with a single entry
     or with the same total everywhere gives ``z = 0`` (they ranked nothing);
  2. an entry's ``z̄`` is the mean of its judges' ``z`` (trimmed like totals when ``trim``);
  3. ``z̄`` is mapped back onto the 0-100 scale of the round:
     ``score = clamp(M + z̄ × S, 0, 100)``, where ``M`` and ``S`` are the mean and population
     standard deviation, over the round's entries, of the raw scores (what the same call gives
     without ``normalize``). The mapping is increasing in ``z̄``, so it never reorders entries;
     it keeps the round's usual level and spread; and when every judge scores every entry and
     judges differ only in leniency and spread (``total = a × quality + b`` per judge), it gives
     exactly the raw scores (without ``trim``).
- ``import_scores``: scores from outside, scaled by ``100 / full_mark``.
- ``combine``: the weighted sum of a kind's rounds (weights in percent adding up to 100).
- ``rank``: competition ranking (1, 2, 2, 4) on scores rounded to 0.01, with optional tiebreak
  values; ties left are shared, never broken by id.
- ``cut``: the top ``n``, or, when the boundary falls inside a tie, the entries strictly above it
  plus the tied ones for the committee to decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

__all__ = [
    "CONTEXT",
    "Cut",
    "EntryTotals",
    "Ranked",
    "Sheet",
    "combine",
    "criterion_means",
    "criterion_means_from_sums",
    "cut",
    "import_scores",
    "panel_scores",
    "panel_scores_from_totals",
    "rank",
]

# 28 significant digits (Python's default), fixed here so that results do not depend on the
# caller's decimal context; sums of scores with a few decimals are exact at this precision.
CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
ZSCORE = "zscore"
TRIM_MIN_SHEETS = 5


@dataclass(frozen=True, slots=True)
class Sheet:
    """One judge's submitted score of one entry."""

    judge: int
    entry: int  # nomination id
    criteria: Mapping[str, Decimal]  # criterion key -> points

    @property
    def total(self) -> Decimal:
        return sum(self.criteria.values(), ZERO)


@dataclass(frozen=True, slots=True)
class EntryTotals:
    """An entry's sheet totals, aggregated (by the database when a round closes): their exact sum,
    their number, the highest and the lowest."""

    entry: int
    total: Decimal
    count: int
    highest: Decimal
    lowest: Decimal


@dataclass(frozen=True, slots=True)
class Ranked:
    entry: int
    score: Decimal  # 0-100, quantized to 0.01 (ROUND_HALF_UP)
    rank: int  # competition ranking 1, 2, 2, 4
    tied: bool  # shares its rank with another entry


@dataclass(frozen=True, slots=True)
class Cut:
    advancing: list[int]  # entries that go on (top n)
    boundary_tie: list[int]  # entries tied across the boundary (empty when the cut is clean)


def _check_full_mark(full_mark: Decimal) -> None:
    if not full_mark.is_finite() or full_mark <= 0:
        raise ValueError(f"full_mark must be a positive number, not {full_mark}")


def _kept(values: list[Decimal], trim: bool) -> tuple[Decimal, int]:
    """Sum and count of the values, less one highest and one lowest when trimming applies."""
    total = sum(values, ZERO)
    if trim and len(values) >= TRIM_MIN_SHEETS:
        return total - max(values) - min(values), len(values) - 2
    return total, len(values)


def _totals_by_entry(sheets: Iterable[Sheet]) -> dict[int, dict[int, Decimal]]:
    """entry -> {judge: total}; refuses a judge's second sheet of an entry."""
    by_entry: dict[int, dict[int, Decimal]] = {}
    for sheet in sheets:
        judged = by_entry.get(sheet.entry)
        if judged is None:
            judged = by_entry[sheet.entry] = {}
        elif sheet.judge in judged:
            raise ValueError(f"judge {sheet.judge} has more than one sheet for entry {sheet.entry}")
        judged[sheet.judge] = sum(sheet.criteria.values(), ZERO)
    return by_entry


def _raw_scores(by_entry: dict[int, dict[int, Decimal]], full_mark: Decimal, trim: bool) -> dict[int, Decimal]:
    scores = {}
    for entry, judged in by_entry.items():
        # Sums of totals are exact (28 digits), so the arrival order cannot matter; one division
        # per entry: sum x 100 / (count x full mark).
        total, count = _kept(list(judged.values()), trim)
        scores[entry] = total * HUNDRED / (count * full_mark)
    return scores


def _mean_pstdev(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    """Mean and population standard deviation, summed in ascending order (so the result does not
    depend on the order of ``values`` even when they are inexact quotients)."""
    values = sorted(values)
    mean = sum(values, ZERO) / len(values)
    variance = sum([(v - mean) * (v - mean) for v in values], ZERO) / len(values)
    return mean, variance.sqrt()


def _judge_z(totals: dict[int, Decimal]) -> dict[int, Decimal]:
    """entry -> z of one judge's totals over the entries that judge scored."""
    if len(totals) < 2:
        return dict.fromkeys(totals, ZERO)
    mean, spread = _mean_pstdev(list(totals.values()))
    if spread == 0:
        return dict.fromkeys(totals, ZERO)
    return {entry: (total - mean) / spread for entry, total in totals.items()}


def _zscore_scores(by_entry: dict[int, dict[int, Decimal]], full_mark: Decimal, trim: bool) -> dict[int, Decimal]:
    by_judge: dict[int, dict[int, Decimal]] = {}
    for entry, judged in by_entry.items():
        for judge, total in judged.items():
            totals = by_judge.get(judge)
            if totals is None:
                totals = by_judge[judge] = {}
            totals[entry] = total
    z_by_entry: dict[int, list[Decimal]] = {entry: [] for entry in by_entry}
    for totals in by_judge.values():
        for entry, z in _judge_z(totals).items():
            z_by_entry[entry].append(z)
    level, spread = _mean_pstdev(list(_raw_scores(by_entry, full_mark, trim).values()))
    scores = {}
    for entry, zs in z_by_entry.items():
        zs.sort()  # z values are inexact: sum them in one order, whatever order the sheets came in
        kept = zs[1:-1] if trim and len(zs) >= TRIM_MIN_SHEETS else zs
        z_mean = sum(kept, ZERO) / len(kept)
        scores[entry] = min(HUNDRED, max(ZERO, level + z_mean * spread))
    return scores


def panel_scores(
    sheets: Iterable[Sheet], *, full_mark: Decimal, trim: bool = False, normalize: str | None = None
) -> dict[int, Decimal]:
    """entry -> score on 0-100 from the judges' sheets (see the module docstring for the rules).

    Entries without a sheet are absent. Raises ValueError for a judge's second sheet of an entry,
    a full mark that is not positive, or an unknown ``normalize``.
    """
    _check_full_mark(full_mark)
    if normalize not in (None, ZSCORE):
        raise ValueError(f"unknown normalization {normalize!r} (expected None or {ZSCORE!r})")
    with localcontext(CONTEXT):
        by_entry = _totals_by_entry(sheets)
        if not by_entry:
            return {}
        if normalize == ZSCORE:
            return _zscore_scores(by_entry, full_mark, trim)
        return _raw_scores(by_entry, full_mark, trim)


def panel_scores_from_totals(
    rows: Iterable[EntryTotals], *, full_mark: Decimal, trim: bool = False
) -> dict[int, Decimal]:
    """``panel_scores`` without ``normalize``, from each entry's aggregated totals: the same
    numbers (sums are exact, and trimming needs only the highest and the lowest total), without
    one Python object per sheet. Entries with no sheet are absent."""
    _check_full_mark(full_mark)
    scores = {}
    with localcontext(CONTEXT):
        for row in rows:
            if row.count < 1:
                continue
            total, count = row.total, row.count
            if trim and count >= TRIM_MIN_SHEETS:
                total, count = total - row.highest - row.lowest, count - 2
            scores[row.entry] = total * HUNDRED / (count * full_mark)
    return scores


def import_scores(rows: Mapping[int, Decimal], *, full_mark: Decimal = HUNDRED) -> dict[int, Decimal]:
    """entry -> 0-100, each imported score scaled by ``100 / full_mark``.

    Raises ValueError naming the entries whose score is not a number between 0 and the full mark.
    """
    _check_full_mark(full_mark)
    bad = sorted(entry for entry, value in rows.items() if not value.is_finite() or not ZERO <= value <= full_mark)
    if bad:
        raise ValueError(f"scores outside 0-{full_mark} for entries {bad}")
    with localcontext(CONTEXT):
        return {entry: value * HUNDRED / full_mark for entry, value in rows.items()}


def combine(parts: Sequence[tuple[Decimal, Mapping[int, Decimal]]], entries: Iterable[int]) -> dict[int, Decimal]:
    """entry -> the weighted sum of its rounds' 0-100 scores.

    ``parts`` are ``(weight, scores)`` per round in the round order; weights are percents that add
    up to 100 over the weighted rounds (a round of weight 0 is a cut and is ignored). An entry
    missing from a weighted round scores 0 there. Seed 002: individuals 30 % knowledge test + 30 %
    simulation + 40 % practical. Raises ValueError when the weights are negative or do not add up
    to 100.
    """
    weighted = [(weight, scores) for weight, scores in parts if weight != 0]
    if any(not weight.is_finite() or weight < 0 for weight, _ in parts):
        raise ValueError("round weights must be percents of at least 0")
    with localcontext(CONTEXT):
        if sum((weight for weight, _ in weighted), ZERO) != HUNDRED:
            raise ValueError("the weights of the weighted rounds must add up to 100")
        return {
            entry: sum((weight * scores.get(entry, ZERO) for weight, scores in weighted), ZERO) / HUNDRED
            for entry in entries
        }


def _shown(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"not a finite score: {value}")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rank(scores: Mapping[int, Decimal], *, tiebreak: Mapping[int, Sequence[Decimal]] | None = None) -> list[Ranked]:
    """The entries best first, with competition ranks (1, 2, 2, 4).

    Scores are compared as shown, rounded to 0.01 (half up). ``tiebreak`` gives each entry a tuple
    of secondary values (e.g. the mean of the 服务效果 criterion), also compared as shown, higher
    first; they separate only entries whose scores are equal, and only where they differ. Entries
    still equal share the rank; within a rank the output is by entry id, which orders the listing
    and never breaks the tie. Raises ValueError when ``tiebreak`` lacks an entry of ``scores`` or
    its tuples differ in length.
    """
    with localcontext(CONTEXT):
        shown = {entry: _shown(score) for entry, score in scores.items()}
        if tiebreak is None:
            keys: dict[int, tuple[Decimal, tuple[Decimal, ...]]] = {
                entry: (score, ()) for entry, score in shown.items()
            }
        else:
            missing = sorted(entry for entry in shown if entry not in tiebreak)
            if missing:
                raise ValueError(f"no tiebreak values for entries {missing}")
            keys = {entry: (score, tuple(_shown(v) for v in tiebreak[entry])) for entry, score in shown.items()}
            if len({len(secondary) for _, secondary in keys.values()}) > 1:
                raise ValueError("tiebreak tuples must all have the same length")
    order = sorted(keys)
    order.sort(key=keys.__getitem__, reverse=True)  # stable: equal keys stay in id order
    counts: dict[tuple[Decimal, tuple[Decimal, ...]], int] = {}
    for key in keys.values():
        counts[key] = counts.get(key, 0) + 1
    ranked: list[Ranked] = []
    current_rank = 0
    previous: tuple[Decimal, tuple[Decimal, ...]] | None = None
    for position, entry in enumerate(order, start=1):
        key = keys[entry]
        if key != previous:
            current_rank, previous = position, key
        ranked.append(Ranked(entry=entry, score=key[0], rank=current_rank, tied=counts[key] > 1))
    return ranked


def cut(ranked: Sequence[Ranked], n: int) -> Cut:
    """The top ``n`` of a ranking.

    When the n-th and the (n+1)-th share a rank, ``advancing`` holds only the entries ranked above
    that rank and ``boundary_tie`` every entry of that rank: the committee decides (or a tiebreak
    criterion does, through ``rank``), never the entry id.
    """
    if n < 0:
        raise ValueError("n must be at least 0")
    ordered = sorted(ranked, key=lambda r: (r.rank, r.entry))
    if n == 0 or n >= len(ordered) or ordered[n - 1].rank != ordered[n].rank:
        return Cut(advancing=[r.entry for r in ordered[:n]], boundary_tie=[])
    boundary = ordered[n].rank
    return Cut(
        advancing=[r.entry for r in ordered if r.rank < boundary],
        boundary_tie=[r.entry for r in ordered if r.rank == boundary],
    )


def criterion_means(sheets: Iterable[Sheet], key: str) -> dict[int, Decimal]:
    """entry -> the mean of one criterion over its sheets (for tiebreaks); not scaled, not trimmed.

    Sheets without that criterion are left out; an entry with none is absent.
    """
    sums: dict[int, Decimal] = {}
    counts: dict[int, int] = {}
    with localcontext(CONTEXT):
        for sheet in sheets:
            value = sheet.criteria.get(key)
            if value is None:
                continue
            sums[sheet.entry] = sums.get(sheet.entry, ZERO) + value
            counts[sheet.entry] = counts.get(sheet.entry, 0) + 1
        return {entry: total / counts[entry] for entry, total in sums.items()}


def criterion_means_from_sums(sums: Mapping[int, tuple[Decimal, int]]) -> dict[int, Decimal]:
    """``criterion_means`` from entry -> (exact sum of the criterion over its sheets, number of
    sheets having it); an entry with none is absent."""
    with localcontext(CONTEXT):
        return {entry: total / count for entry, (total, count) in sums.items() if count}
