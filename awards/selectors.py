"""Reads of awards; the API checks the caller's capability (accounts.permissions) first."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from accounts.models import Organization
from accounts.roles import OrgKind
from approvals.models import Nomination
from awards.models import Allocation, Award, CaseBook, Certificate, ResultNotice
from workflows.models import Campaign, NominationKind

# Nominations that entered the competition (submitted and still in it, awarded or not).
ENTERED = (*Nomination.HOLDS_PLACE, Nomination.Status.NOT_SELECTED)


def awards_of(campaign: Campaign, *, proposed: bool = False, round_key: str | None = None) -> QuerySet[Award]:
    """The campaign's awards: the proposal, or (default) every award since confirmation, with its fate.

    ``round_key``: one prize list ("" the main list, a vote round's key its 网络点赞奖); None every list."""
    awards = Award.objects.filter(campaign=campaign).select_related("nomination")
    if round_key is not None:
        awards = awards.filter(round_key=round_key)
    if proposed:
        return awards.filter(status=Award.Status.PROPOSED)
    return awards.exclude(status=Award.Status.PROPOSED)


def get_allocation(campaign: Campaign, round_key: str = "") -> Allocation | None:
    """The allocation of one prize list: the main one (default) or a vote round's (网络点赞奖)."""
    return Allocation.objects.filter(campaign=campaign, round_key=round_key).first()


def get_award(pk: int) -> Award | None:
    return Award.objects.select_related("campaign", "campaign__host_org").filter(pk=pk).first()


def _region(campaign: Campaign) -> Organization | None:
    """The region a campaign draws from: the host's nearest ancestor (or itself) that is a province,
    a city or a district."""
    host = campaign.host_org
    ids = [*host.ancestor_ids(), host.pk]
    above = {
        o.pk: o
        for o in Organization.objects.filter(pk__in=ids, kind__in=[OrgKind.DISTRICT, OrgKind.CITY, OrgKind.PROVINCE])
    }
    for pk in reversed(ids):
        if pk in above:
            return above[pk]
    return None


def intake_report(campaign: Campaign) -> dict[str, Any]:
    """At the close of intake, what the campaign set and nothing else checks: entrants per award
    (1 : 1.5 [002]), the townships with fewer than ``min_per_township`` nominations [000] and the
    units with fewer than ``min_per_unit``, each within the campaign's region."""
    counts = dict(
        Nomination.objects.filter(campaign=campaign, status__in=ENTERED)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    tiers = campaign.tiers or {}
    kinds: list[dict[str, Any]] = []
    for kind in campaign.kinds:
        places = campaign.awards.get(kind) if isinstance(campaign.awards, dict) else None
        if places is None and tiers.get(kind):
            places = sum(int(t.get("count") or 0) for t in tiers[kind])
        ratio = campaign.entrants_per_award
        required = math.ceil(Decimal(places) * ratio) if places and ratio else None
        entrants = counts.get(kind, 0)
        kinds.append(
            {"kind": kind, "entrants": entrants, "awards": places,
             "entrants_per_award": str(ratio) if ratio is not None else None,
             "ratio": str((Decimal(entrants) / Decimal(places)).quantize(Decimal("0.01"))) if places else None,
             "required_entrants": required, "meets": required is None or entrants >= required}
        )  # fmt: skip
    townships: list[dict[str, Any]] = []
    units: list[dict[str, Any]] = []
    region = _region(campaign) if campaign.min_per_township or campaign.min_per_unit else None
    if region is not None:
        entered = Nomination.objects.filter(campaign=campaign, status__in=ENTERED)
        # one query for the entrants' unit paths, one per minimum for the organisations
        by_path = list(entered.values_list("unit__path", flat=True))
        for kind, minimum, into in (
            (OrgKind.TOWNSHIP, campaign.min_per_township, townships),
            (OrgKind.UNIT, campaign.min_per_unit, units),
        ):
            if not minimum:
                continue
            rows = Organization.objects.filter(kind=kind, path__startswith=region.path).order_by("path")
            for org in rows:
                n = sum(1 for p in by_path if p.startswith(org.path))
                if n < minimum:
                    into.append({"id": org.pk, "name": org.name, "nominations": n})
    return {
        "kinds": kinds,
        "min_per_township": campaign.min_per_township,
        "min_per_unit": campaign.min_per_unit,
        "region": region.name if region else None,
        "townships_short": townships,
        "units_short": units,
    }


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a verification code names (codes are printed upper-case), with its award."""
    return (
        Certificate.objects.select_related("award__nomination__unit", "award__campaign__host_org")
        .filter(code=code.upper()[:32])
        .first()
    )


def notice_by_code(code: str) -> ResultNotice | None:
    return ResultNotice.objects.select_related("campaign__host_org").filter(code=code.upper()[:32]).first()


def get_result_notice(campaign: Campaign) -> ResultNotice | None:
    return ResultNotice.objects.select_related("campaign__host_org").filter(campaign=campaign).first()


def valid_awards(campaign: Campaign) -> QuerySet[Award]:
    """The campaign's awards that stand (confirmed; not declined, not revoked), for the notice."""
    return Award.objects.filter(campaign=campaign, status=Award.Status.CONFIRMED).select_related("nomination__unit")


def casebook_awards(campaign: Campaign) -> QuerySet[Award]:
    """The awards a case book compiles: the campaign's confirmed awards of cases, with their nomination and unit."""
    return valid_awards(campaign).filter(kind=NominationKind.CASE, round_key="")


def latest_casebook(campaign: Campaign) -> CaseBook | None:
    """The campaign's newest case book build (queued, building, done or failed), or None."""
    return (
        CaseBook.objects.select_related("requested_by")
        .filter(campaign=campaign)
        .order_by("-requested_at", "-id")
        .first()
    )


def latest_done_casebook(campaign: Campaign) -> CaseBook | None:
    """The newest case book that was built, to download while a newer one builds."""
    return (
        CaseBook.objects.filter(campaign=campaign, status=CaseBook.Status.DONE)
        .order_by("-requested_at", "-id")
        .first()
    )


# --- the committee's awards pages (awards/web.py) -----------------------------------------------


def proposed_awards(campaign: Campaign) -> QuerySet[Award]:
    """The unconfirmed proposal's awards with their nomination and unit (the 奖项评定 page)."""
    return awards_of(campaign, proposed=True).select_related("nomination__unit")


def committee_awards(campaign: Campaign) -> QuerySet[Award]:
    """Every award since confirmation with its fate: nomination and unit, the award it took the place
    of (顺延自), the award that took its place (顺延给), the payer and the certificate."""
    return awards_of(campaign).select_related(
        "nomination__unit", "passed_from__nomination", "passed_to__nomination", "paid_by", "certificate"
    )


def tie_groups(campaign: Campaign, allocation: Allocation | None) -> list[dict[str, Any]]:
    """The boundary ties the committee must order, per kind: the tied nominations (with their unit)."""
    ties: dict[str, list[list[int]]] = (allocation.ties if allocation else None) or {}
    ids = [i for groups in ties.values() for group in groups for i in group]
    found = {n.pk: n for n in Nomination.objects.filter(campaign=campaign, pk__in=ids).select_related("unit")}
    return [
        {"kind": kind, "members": [found[i] for i in group if i in found]}
        for kind, groups in ties.items()
        for group in groups
    ]


def left_without_award(campaign: Campaign) -> int:
    """How many approved nominations of an awarded kind the proposal leaves out: confirming makes
    them 未入选 (``not_selected``) and tells their units."""
    kinds = [k for k, levels in (campaign.tiers or {}).items() if levels]
    return (
        Nomination.objects.filter(campaign=campaign, kind__in=kinds, status=Nomination.Status.APPROVED)
        .exclude(pk__in=Award.objects.filter(campaign=campaign, status=Award.Status.PROPOSED).values("nomination_id"))
        .count()
    )
