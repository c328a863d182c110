"""TEMP stub of J2's judging/scoring.py (same interface); replaced when the jmath branch merges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Sheet:
    judge: int
    entry: int
    criteria: Mapping[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.criteria.values(), Decimal(0))


@dataclass(frozen=True)
class Ranked:
    entry: int
    score: Decimal
    rank: int
    tied: bool


@dataclass(frozen=True)
class Cut:
    advancing: list[int]
    boundary_tie: list[int]


def panel_scores(
    sheets: Iterable[Sheet], *, full_mark: Decimal, trim: bool = False, normalize: str | None = None
) -> dict[int, Decimal]:
    totals: dict[int, list[Decimal]] = {}
    for sheet in sheets:
        totals.setdefault(sheet.entry, []).append(sheet.total)
    scale = Decimal(100) / full_mark
    out: dict[int, Decimal] = {}
    for entry, values in totals.items():
        values = sorted(values)
        if trim and len(values) >= 5:
            values = values[1:-1]
        out[entry] = sum(values, Decimal(0)) / len(values) * scale
    return out


def import_scores(rows: Mapping[int, Decimal], *, full_mark: Decimal = Decimal(100)) -> dict[int, Decimal]:
    return {entry: value * Decimal(100) / full_mark for entry, value in rows.items()}


def combine(parts: Sequence[tuple[Decimal, Mapping[int, Decimal]]], entries: Iterable[int]) -> dict[int, Decimal]:
    return {
        entry: sum((weight * scores.get(entry, Decimal(0)) / 100 for weight, scores in parts if weight), Decimal(0))
        for entry in entries
    }


def rank(scores: Mapping[int, Decimal], *, tiebreak: Mapping[int, Sequence[Decimal]] | None = None) -> list[Ranked]:
    def key(entry: int) -> tuple[Decimal, tuple[Decimal, ...]]:
        return scores[entry].quantize(_CENT, ROUND_HALF_UP), tuple((tiebreak or {}).get(entry, ()))

    ordered = sorted(scores, key=lambda e: (tuple(-v for v in (key(e)[0], *key(e)[1])), e))
    out: list[Ranked] = []
    for position, entry in enumerate(ordered, start=1):
        same = [e for e in ordered if key(e) == key(entry)]
        first = ordered.index(same[0]) + 1
        out.append(Ranked(entry, key(entry)[0], first if same else position, len(same) > 1))
    return out


def cut(ranked: Sequence[Ranked], n: int) -> Cut:
    if n >= len(ranked) or ranked[n - 1].rank != ranked[n].rank:
        return Cut([r.entry for r in ranked[:n]], [])
    boundary = ranked[n - 1].rank
    return Cut([r.entry for r in ranked if r.rank < boundary], [r.entry for r in ranked if r.rank == boundary])


def criterion_means(sheets: Iterable[Sheet], key: str) -> dict[int, Decimal]:
    values: dict[int, list[Decimal]] = {}
    for sheet in sheets:
        values.setdefault(sheet.entry, []).append(sheet.criteria.get(key, Decimal(0)))
    return {entry: sum(v, Decimal(0)) / len(v) for entry, v in values.items()}
