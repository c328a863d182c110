"""Where 公示 events leave the approvals package: the single place notifications are wired in.

Each function is called after the action's transaction has committed
(``transaction.on_commit``), with the committed object. They do nothing yet: the
notifications package (being built separately) hooks its outbox here, e.g. telling the
committee that a window has ended or the nominee's unit that an objection arrived. Keep them
cheap and never let them raise into the caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from approvals.models import Nomination, Objection, PublicityRound
    from workflows.models import Campaign


def publicity_started(publicity_round: PublicityRound) -> None:
    """A 公示 round (or a revocation notice) has been published."""


def publicity_window_ended(publicity_round: PublicityRound) -> None:
    """A 公示 window has ended (noticed once by beat): the committee may decide and finalise."""


def objection_filed(objection: Objection) -> None:
    """A member of the public filed an objection (never pass the objector's identity on)."""


def objection_decided(objection: Objection) -> None:
    """The committee decided an objection; its response is published to the receipt."""


def nomination_revoked(nomination: Nomination) -> None:
    """A nomination or award was revoked (by decision on an objection or directly)."""


def campaign_finalized(campaign: Campaign) -> None:
    """The survivors of 公示 became final."""
