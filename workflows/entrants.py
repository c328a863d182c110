"""Entrant lists with 顺延 ([002] 附件1): who holds a place, who is a reserve, who declined.

A list ranks units for one kind of a campaign and has N places. The first N units in rank that
have not declined hold a place; the others are reserves in rank order; so a decline passes the
place to the next reserve without anything else being written. Reads only; the changes are
``approvals.actions.entrants``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from workflows.models import Campaign, EntrantList, EntrantListEntry


class Standing:
    PLACE = "place"
    RESERVE = "reserve"
    DECLINED = "declined"

    LABELS: dict[str, Any] = {PLACE: _("参赛名额"), RESERVE: _("候补"), DECLINED: _("已放弃")}


@dataclass(frozen=True)
class EntrantRow:
    entry: EntrantListEntry
    standing: str

    @property
    def standing_label(self) -> str:
        return str(Standing.LABELS[self.standing])


def standings(entrant_list: EntrantList, entries: list[EntrantListEntry] | None = None) -> list[EntrantRow]:
    """Every entry of the list in rank order with its standing (place, reserve or declined)."""
    if entries is None:
        entries = list(entrant_list.entries.select_related("unit", "declined_by").order_by("rank"))
    rows: list[EntrantRow] = []
    holding = 0
    for entry in sorted(entries, key=lambda e: e.rank):
        if entry.declined_at is not None:
            rows.append(EntrantRow(entry, Standing.DECLINED))
        elif holding < entrant_list.places:
            holding += 1
            rows.append(EntrantRow(entry, Standing.PLACE))
        else:
            rows.append(EntrantRow(entry, Standing.RESERVE))
    return rows


def holders(entrant_list: EntrantList, entries: list[EntrantListEntry] | None = None) -> list[EntrantListEntry]:
    """The entries holding a place, in rank order."""
    return [row.entry for row in standings(entrant_list, entries) if row.standing == Standing.PLACE]


def restricted_kinds(campaign: Campaign) -> dict[str, EntrantList]:
    """The campaign's kinds that only listed units may enter, with their lists."""
    return {lst.kind: lst for lst in EntrantList.objects.filter(campaign=campaign)}


def applies_to(entrant_list: EntrantList, form: dict[str, Any] | None) -> bool | None:
    """Whether the list restricts a nomination with this form: always for a list over the whole
    kind; for a list over one answer, True / False once the form answers the field, else None
    (a draft that has not chosen yet)."""
    if not entrant_list.field:
        return True
    answer = (form or {}).get(entrant_list.field)
    if answer in (None, ""):
        return None
    return bool(answer == entrant_list.value)


def standing_of(
    campaign: Campaign, kind: str, unit_id: int, form: dict[str, Any] | None = None, *, complete: bool = False
) -> str | None:
    """The unit's standing in the kind's list: None when no list restricts the nomination (the kind
    has none, or the form answers another value of the list's field, or, unless ``complete``, has
    not answered it yet); ``""`` when a list restricts it and does not name the unit."""
    entrant_list = EntrantList.objects.filter(campaign=campaign, kind=kind).first()
    if entrant_list is None:
        return None
    applies = applies_to(entrant_list, form)
    if applies is False or (applies is None and not complete):
        return None
    for row in standings(entrant_list):
        if row.entry.unit_id == unit_id:
            return row.standing
    return ""


def kinds_open_to(campaign: Campaign, unit_id: int) -> list[str]:
    """The campaign's kinds the unit may draft in: those without a list, those whose list covers
    one answer only (the others stay open), and those whose list gives it a place."""
    lists = restricted_kinds(campaign)
    entries: dict[int, list[EntrantListEntry]] = {}
    for entry in EntrantListEntry.objects.filter(entrant_list__in=lists.values()).order_by("rank"):
        entries.setdefault(entry.entrant_list_id, []).append(entry)
    kinds = []
    for kind in campaign.kinds:
        lst = lists.get(kind)
        if lst is None or lst.field or any(e.unit_id == unit_id for e in holders(lst, entries.get(lst.pk, []))):
            kinds.append(kind)
    return kinds
