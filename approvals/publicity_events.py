"""Where 公示 events leave the approvals package: the one place they become notifications.

Each function runs inside the action's transaction and writes outbox rows there
(``notifications.events``): the message commits with the action or not at all, and a broker
outage cannot touch the action (the worker delivers later). The objector's identity goes only to
the objector (the decision's answer, by the contact they gave); the committee hears that an
objection came in, never from whom.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from notifications import events

if TYPE_CHECKING:
    from approvals.models import Nomination, Objection, PublicityRound
    from workflows.models import Campaign


def publicity_started(publicity_round: PublicityRound) -> None:
    """A 公示 round (or a revocation notice) was published: tell the units whose nominations are on it."""
    from accounts.models import Organization

    units = Organization.objects.filter(nominations__publicity_entries__round=publicity_round).distinct()
    events.publicity_started(
        publicity_round.campaign,
        units=list(units),
        starts_at=publicity_round.starts_at,
        ends_at=publicity_round.ends_at,
    )


def publicity_window_ended(publicity_round: PublicityRound, *, open_objections: int) -> None:
    """A 公示 window ended (noticed once by beat): the committee may decide and finalise."""
    events.publicity_window_ended(
        publicity_round.campaign,
        round_id=publicity_round.pk,
        ends_at=publicity_round.ends_at,
        open_objections=open_objections,
    )


def objection_filed(objection: Objection) -> None:
    """A member of the public filed an objection: tell the committee and the nominee's unit (never
    who filed it; the unit is not told what it says either)."""
    nomination = objection.nomination
    events.objection_filed(nomination, objection_id=objection.pk, committee=nomination.campaign.host_org)
    events.objection_against_unit(nomination, objection_id=objection.pk)


def objection_assigned(objection: Objection) -> None:
    """The committee named the objection's investigator: tell the investigator."""
    assert objection.investigator_id is not None
    events.objection_assigned(
        objection.nomination, objection_id=objection.pk, investigator_id=objection.investigator_id
    )


def objection_decided(objection: Objection) -> None:
    """The committee decided an objection: tell the objector, by the contact on the objection."""
    events.objection_decided(
        objection_id=objection.pk,
        nomination_title=objection.nomination.title,
        outcome=objection.status,
        finding=objection.response,
        contact=events.Contact(name=objection.objector_name, phone=objection.objector_phone),
        receipt=objection.receipt,
    )


def nomination_revoked(nomination: Nomination, *, reason: str) -> None:
    """A nomination or award was revoked: tell its submitter and unit leader, with the reason."""
    events.nomination_revoked(nomination, reason=reason)


def campaign_finalized(campaign: Campaign, nominations: list[Nomination]) -> None:
    """The survivors of 公示 became final: tell each one's submitter and unit leader."""
    for nomination in nominations:
        events.nomination_final(nomination)
