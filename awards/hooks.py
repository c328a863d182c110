"""What awards plugs into approvals' hooks (approvals/hooks.py), connected in AwardsConfig.ready."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from awards.models import Award


def publicity_labels(campaign_id: int, nomination_ids: Sequence[int]) -> dict[int, str]:
    """A confirmed award's tier name for each nomination on a 公示 list, grouped by kind and tier
    (in the campaign's tier order), best rank first; the main prize list's awards (not 网络点赞奖)."""
    awards = list(
        Award.objects.filter(
            campaign_id=campaign_id, nomination_id__in=nomination_ids, status=Award.Status.CONFIRMED, round_key=""
        )
        .select_related("campaign")
        .order_by("kind", "rank", "nomination_id")
    )
    if not awards:
        return {}
    tiers = awards[0].campaign.tiers or {}
    order = {(kind, t.get("key")): i for kind, levels in tiers.items() for i, t in enumerate(levels or [])}
    kinds = list(awards[0].campaign.kinds)
    awards.sort(
        key=lambda a: (
            kinds.index(a.kind) if a.kind in kinds else 99,
            order.get((a.kind, a.tier), 99),
            a.rank,
            a.nomination_id,
        )
    )
    return {a.nomination_id: a.tier_name for a in awards}


def publicity_tiers(campaign_id: int, nomination_ids: Sequence[int]) -> dict[int, set[str]]:
    """The tiers (keys and names) of each nomination's confirmed awards, of every prize list."""
    held: dict[int, set[str]] = {}
    for nomination_id, tier, name in Award.objects.filter(
        campaign_id=campaign_id, nomination_id__in=nomination_ids, status=Award.Status.CONFIRMED
    ).values_list("nomination_id", "tier", "tier_name"):
        held.setdefault(nomination_id, set()).update((tier, name))
    return held


def on_nomination_revoked(sender: Any, *, nomination: Any, actor: Any, **kwargs: Any) -> None:
    from awards.actions import revoke_award_of

    revoke_award_of(nomination, actor=actor)


def on_intake_closed(sender: Any, *, campaign: Any, actor: Any, **kwargs: Any) -> None:
    """Intake closed: when townships or units are below the campaign's minimums, record who in the
    audit trail and tell the host's committee (the dashboard shows the same report on demand)."""
    from audit.trail import record_event
    from awards import audit_events
    from awards.selectors import intake_report
    from notifications import events as notification_events

    if not (campaign.min_per_township or campaign.min_per_unit):
        return
    report = intake_report(campaign)
    townships, units = report["townships_short"], report["units_short"]
    if not townships and not units:
        return
    record_event(
        audit_events.INTAKE_BELOW_MINIMUM,
        actor=actor,
        target=campaign,
        data={"min_per_township": campaign.min_per_township, "min_per_unit": campaign.min_per_unit,
              "townships_short": [t["id"] for t in townships], "units_short": [u["id"] for u in units]},
    )  # fmt: skip
    notification_events.intake_below_minimum(
        campaign,
        townships=[t["name"] for t in townships],
        units=[u["name"] for u in units],
        closed_at=campaign.closed_at,
    )
