"""Allocating award tiers by final rank, with floors and boundary ties (pure, no ORM).

Rules (issue 15, api.md "Awards"): the tiers of a kind are filled in order by rank. A floor
(``tier_floors``: at least ``min_share`` of the kind's awards to entries whose form field is one
of ``values``) that rank order misses is met by letting the lowest-ranked awarded entries outside
the floor give way to the best-ranked entries inside it; a floor that cannot be met is refused,
naming it. Entries of equal rank that would end up with different outcomes (a tier boundary or the
award line between them) and that no floor tells apart are a tie for the committee: never broken
by id. The committee's order of tied entries (``tie_order``) settles it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from workflows.rounds import decimal_of


@dataclass(frozen=True)
class Entry:
    nomination: int
    title: str
    rank: int
    score: Decimal
    form: Mapping[str, Any]


@dataclass(frozen=True)
class Placed:
    entry: Entry
    tier: str
    tier_name: str
    prize: Decimal | None
    tied: bool = False


@dataclass
class KindAllocation:
    kind: str
    placed: list[Placed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # groups of nomination ids whose tie decides a place: the committee must order them
    ties: list[list[int]] = field(default_factory=list)


class FloorUnreachable(Exception):
    def __init__(self, index: int, floor: Mapping[str, Any], needed: int, available: int):
        super().__init__(index, needed, available)
        self.index = index
        self.floor = floor
        self.needed = needed
        self.available = available


def in_floor(entry: Entry, floor: Mapping[str, Any]) -> bool:
    """Is the entry's form value for the floor's field one of its values (a list value: any of them)?"""
    value = entry.form.get(floor.get("field", ""))
    values = {str(v) for v in floor.get("values") or []}
    if isinstance(value, list):
        return any(str(v) in values for v in value)
    return value is not None and str(value) in values


def floor_label(floor: Mapping[str, Any]) -> str:
    share = decimal_of(floor.get("min_share")) or Decimal(0)
    percent = (share * 100).normalize()
    return _("“{field}”为{values}的不少于{percent}%").format(
        field=floor.get("field", ""), values="、".join(str(v) for v in floor.get("values") or []),
        percent=f"{percent:f}",
    )  # fmt: skip


def needed_for(floor: Mapping[str, Any], awarded: int) -> int:
    share = decimal_of(floor.get("min_share")) or Decimal(0)
    return math.ceil(share * awarded)


def _name(entry: Entry) -> str:
    return _("“{title}”（第{rank}名）").format(title=entry.title, rank=entry.rank)


def allocate_kind(
    kind: str,
    tiers: Sequence[Mapping[str, Any]],
    ranked: Sequence[Entry],
    floors: Sequence[tuple[int, Mapping[str, Any]]],
    tie_order: Sequence[int] = (),
) -> KindAllocation:
    """Place ``ranked`` (best first, by final rank) in ``tiers``; ``floors`` are (index, floor)."""
    result = KindAllocation(kind)
    position = {nomination: i for i, nomination in enumerate(tie_order)}
    far = len(position)

    def order(e: Entry) -> tuple[int, int, int]:
        return (e.rank, position.get(e.nomination, far), e.nomination)

    entries = sorted(ranked, key=order)
    places = sum(int(t["count"]) for t in tiers)
    awarded = min(places, len(entries))
    if awarded < places:
        result.notes.append(
            _("{kind}：参评 {n} 件，少于奖项名额 {places} 个，部分名额空缺").format(
                kind=kind, n=len(entries), places=places
            )
        )
    chosen = entries[:awarded]
    rest = entries[awarded:]
    for index, floor in floors:
        needed = needed_for(floor, awarded)
        inside = [e for e in chosen if in_floor(e, floor)]
        if len(inside) >= needed:
            continue
        short = needed - len(inside)
        outside = [e for e in reversed(chosen) if not in_floor(e, floor)]
        candidates = [e for e in rest if in_floor(e, floor)]
        if len(candidates) < short:
            raise FloorUnreachable(index, floor, needed, len(inside) + len(candidates))
        for leaving, coming in zip(outside[:short], candidates[:short], strict=True):
            chosen.remove(leaving)
            chosen.append(coming)
            rest.remove(coming)
            rest.append(leaving)
            result.notes.append(
                _(
                    "{kind}：{leaving}让位于{coming}，以满足等次比例下限{floor}"
                    "（需 {needed} 个，按名次仅 {had} 个）"
                ).format(
                    kind=kind, leaving=_name(leaving), coming=_name(coming), floor=floor_label(floor),
                    needed=needed, had=len(inside),
                )
            )  # fmt: skip
        rest.sort(key=order)
    for index, floor in floors:
        needed = needed_for(floor, awarded)
        have = sum(in_floor(e, floor) for e in chosen)
        if have < needed:  # a later floor took places an earlier one needed
            raise FloorUnreachable(index, floor, needed, have)
    chosen.sort(key=order)
    outcome: dict[int, str] = {}
    slots: list[Mapping[str, Any]] = [t for t in tiers for _i in range(int(t["count"]))]
    for entry, tier in zip(chosen, slots, strict=False):
        outcome[entry.nomination] = str(tier["key"])
    # Ties: entries of one rank (and one place in the committee's order) that no floor tells
    # apart but that end up with different outcomes.
    groups: dict[tuple[int, int], list[Entry]] = {}
    for e in entries:
        groups.setdefault((e.rank, position.get(e.nomination, far)), []).append(e)
    tied_ids: set[int] = set()
    for (rank, _p), members in groups.items():
        if len(members) < 2:
            continue
        by_class: dict[tuple[bool, ...], set[str]] = {}
        for e in members:
            signature = tuple(in_floor(e, f) for _i, f in floors)
            by_class.setdefault(signature, set()).add(outcome.get(e.nomination, ""))
        if any(len(outcomes) > 1 for outcomes in by_class.values()):
            ids = sorted(e.nomination for e in members)
            result.ties.append(ids)
            tied_ids.update(ids)
            result.notes.append(
                _("{kind}：第{rank}名并列（{titles}）跨越奖项分界，须由组委会裁定先后（tie_order）").format(
                    kind=kind, rank=rank, titles="、".join(f"“{e.title}”" for e in members)
                )
            )
    names = {str(t["key"]): t for t in tiers}
    for entry in chosen:
        tier = names[outcome[entry.nomination]]
        prize = decimal_of(tier.get("prize")) if tier.get("prize") is not None else None
        result.placed.append(
            Placed(entry, str(tier["key"]), str(tier["name"]), prize, tied=entry.nomination in tied_ids)
        )
    return result
