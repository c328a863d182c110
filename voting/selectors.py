"""Reading public likes: the public tally with ranks, and the committee's anomaly report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from statistics import median
from typing import Any

from django.db.models import Count, F, Max
from django.db.models.functions import Substr, TruncMinute
from django.utils import timezone

from approvals.models import Nomination
from config.errors import NotVisible
from judging import scoring
from voting.models import Vote, VotingEntry, VotingWindow

PREFIX_DIGITS = 7  # a phone prefix: the first 7 digits (the number segment and area block)


def public_window(campaign_id: int, round_key: str | None = None) -> VotingWindow:
    """The campaign's latest voting window (or the round's); 404 when there is none."""
    windows = VotingWindow.objects.filter(campaign_id=campaign_id).select_related("campaign")
    if round_key:
        windows = windows.filter(round_key=round_key)
    window = windows.order_by("-starts_at", "-id").first()
    if window is None:
        raise NotVisible()
    return window


def is_open(window: VotingWindow, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return window.closed_at is None and window.starts_at <= now < window.ends_at


@dataclass(frozen=True)
class Standing:
    nomination: int
    title: str
    kind: str
    unit: str
    votes: int
    rank: int


def standings(window: VotingWindow) -> list[Standing]:
    """Every entry with its votes (voided ones left out), ranked within its kind by votes (ties
    share the rank); by kind, then rank. Two queries."""
    tally = dict(
        Vote.objects.filter(window=window, voided=False)
        .values("nomination_id")
        .annotate(n=Count("id"))
        .values_list("nomination_id", "n")
    )
    entries = list(
        Nomination.objects.filter(pk__in=VotingEntry.objects.filter(window=window).values("nomination_id"))
        .select_related("unit")
        .only("pk", "title", "kind", "unit__name")
    )
    by_kind: dict[str, dict[int, Any]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, {})[entry.pk] = entry
    out: list[Standing] = []
    for kind in sorted(by_kind):
        ranked = scoring.rank({pk: Decimal(tally.get(pk, 0)) for pk in by_kind[kind]})
        for r in ranked:
            entry = by_kind[kind][r.entry]
            out.append(Standing(r.entry, entry.title, kind, entry.unit.name, tally.get(r.entry, 0), r.rank))
    return out


def anomaly_report(window: VotingWindow, *, burst: int = 10, top: int = 50) -> dict[str, Any]:
    """What the committee looks at before voiding: votes per minute (a minute with ``burst`` votes or
    more is a burst; the median minute for comparison), and the addresses and phone prefixes
    (first 7 digits) that cast ``burst`` votes or more within one minute, the busiest first."""
    votes = Vote.objects.filter(window=window, voided=False)
    minutes = list(
        votes.annotate(minute=TruncMinute("created_at")).values("minute").annotate(n=Count("id")).order_by("minute")
    )
    typical = median([m["n"] for m in minutes]) if minutes else 0
    per_minute = [
        {"minute": timezone.localtime(m["minute"]).isoformat(), "votes": m["n"], "burst": m["n"] >= burst}
        for m in minutes
    ]

    def groups(field: str, expression: Any) -> list[dict[str, Any]]:
        bursts = (
            votes.exclude(**{f"{field}__isnull": True})
            .annotate(key=expression, minute=TruncMinute("created_at"))
            .values("key", "minute")
            .annotate(n=Count("id"))
            .filter(n__gte=burst)
        )
        peaks: dict[str, dict[str, Any]] = {}
        for row in bursts:
            peak = peaks.setdefault(str(row["key"]), {"peak": 0, "burst_minutes": 0})
            peak["peak"] = max(peak["peak"], row["n"])
            peak["burst_minutes"] += 1
        if not peaks:
            return []
        totals = (
            votes.annotate(key=expression)
            .filter(key__in=list(peaks))
            .values("key")
            .annotate(votes=Count("id"), phones=Count("phone", distinct=True), last=Max("created_at"))
        )
        rows = [
            {"key": str(t["key"]), "votes": t["votes"], "phones": t["phones"], **peaks[str(t["key"])],
             "last": timezone.localtime(t["last"]).isoformat()}
            for t in totals
        ]  # fmt: skip
        rows.sort(key=lambda r: (-r["peak"], -r["votes"], r["key"]))
        return rows[:top]

    addresses = [{"address": r.pop("key"), **r} for r in groups("address", F("address"))]
    prefixes = [{"prefix": r.pop("key"), **r} for r in groups("phone", Substr("phone", 1, PREFIX_DIGITS))]
    totals = votes.aggregate(total=Count("id"), phones=Count("phone", distinct=True))
    voided = Vote.objects.filter(window=window, voided=True).count()
    return {
        "window": window.pk,
        "total": totals["total"],
        "phones": totals["phones"],
        "voided": voided,
        "burst": burst,
        "median_per_minute": typical,
        "per_minute": per_minute,
        "addresses": addresses,
        "phone_prefixes": prefixes,
    }
