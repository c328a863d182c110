"""Decline (放弃) → 顺延 to the next in rank of the kind; revocation during results 公示 → the award
revoked and recovered, 顺延 only when the committee chooses it (pass_down)."""

from __future__ import annotations

import pytest

from approvals.actions import revocations
from approvals.models import Nomination
from audit.models import AuditEvent
from awards import actions
from awards.exceptions import AwardNotActive, CampaignFinished, NoSuccessor
from awards.models import Award
from config.errors import InvalidInput
from tests.awards.conftest import FLOOR, FRONT, make_ranked, tiers
from workflows.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(ranked):
    actions.allocate_awards(ranked.campaign.pk, actor=ranked.committee)
    actions.confirm_awards(ranked.campaign.pk, actor=ranked.committee)
    return ranked


def status_of(nomination):
    return Nomination.objects.get(pk=nomination.pk).status


def test_a_declined_award_passes_to_the_next_in_rank(confirmed):
    e = confirmed.entries
    second = Award.objects.get(nomination=e[1])

    successor = actions.decline_award(second.pk, actor=confirmed.committee, reason="本人放弃")

    second.refresh_from_db()
    assert (second.status, second.declined_reason) == ("declined", "本人放弃")
    assert (successor.nomination_id, successor.tier, successor.tier_name, successor.rank) == (
        e[3].pk,
        "second",
        "二等奖",
        4,
    )
    assert successor.passed_from_id == second.pk
    assert successor.status == "confirmed"
    assert status_of(e[1]) == "not_selected"
    assert status_of(e[3]) == "approved"
    assert AuditEvent.objects.filter(action="awards.declined", object_id=str(e[1].pk)).count() == 1
    assert AuditEvent.objects.filter(action="awards.passed_down", object_id=str(e[3].pk)).count() == 1
    # the next decline passes on further down, never back to who declined
    third = actions.decline_award(successor.pk, actor=confirmed.committee, reason="调离")
    assert third.nomination_id == e[4].pk
    with pytest.raises(NoSuccessor):
        actions.decline_award(third.pk, actor=confirmed.committee, reason="再放弃")


def test_a_decline_needs_a_reason_and_a_confirmed_award(confirmed):
    award = Award.objects.get(nomination=confirmed.entries[0])
    with pytest.raises(InvalidInput):
        actions.decline_award(award.pk, actor=confirmed.committee, reason="  ")
    actions.decline_award(award.pk, actor=confirmed.committee, reason="放弃")
    with pytest.raises(AwardNotActive):
        actions.decline_award(award.pk, actor=confirmed.committee, reason="放弃")


def test_no_passing_down_after_finalisation(confirmed):
    Campaign.objects.filter(pk=confirmed.campaign.pk).update(status=Campaign.Status.FINISHED)
    award = Award.objects.get(nomination=confirmed.entries[0])

    with pytest.raises(CampaignFinished):
        actions.decline_award(award.pk, actor=confirmed.committee, reason="放弃")
    assert Award.objects.get(pk=award.pk).status == "confirmed"


def test_passing_down_keeps_a_floor_that_was_met(tree, submitter):
    # 3 awards, 60 % → 2 front-line: E0 and E3 (moved in); E2 gave way
    scene = make_ranked(
        tree, submitter, [90, 80, 70, 60, 50, 40], levels=tiers(1, 2), floors=[FLOOR],
        categories=[FRONT, "后台", "后台", FRONT, "后台", FRONT],
    )  # fmt: skip
    actions.allocate_awards(scene.campaign.pk, actor=scene.committee)
    actions.confirm_awards(scene.campaign.pk, actor=scene.committee)
    e = scene.entries

    successor = actions.decline_award(Award.objects.get(nomination=e[3]).pk, actor=scene.committee, reason="放弃")

    # E2 (rank 3) would break the floor; E5 (rank 6, front-line) keeps it
    assert successor.nomination_id == e[5].pk


def test_a_revocation_revokes_the_award_and_the_committee_chooses_to_pass_it_down(confirmed):
    e = confirmed.entries
    Nomination.objects.filter(pk=e[0].pk).update(status=Nomination.Status.IN_PUBLICITY)
    award = Award.objects.get(nomination=e[0])

    revocations.revoke_nomination(e[0].pk, actor=confirmed.committee, reason="经查材料不实")

    award.refresh_from_db()
    assert (award.status, award.recovered) == ("revoked", True)
    assert AuditEvent.objects.filter(action="awards.revoked", object_id=str(e[0].pk)).count() == 1
    # no 顺延 until the committee chooses it
    assert not Award.objects.filter(passed_from=award).exists()
    assert status_of(e[3]) == "not_selected"

    successor = actions.pass_down(award.pk, actor=confirmed.committee)

    assert (successor.nomination_id, successor.tier_name, successor.prize) == (e[3].pk, "一等奖", award.prize)
    assert status_of(e[3]) == "approved"
    with pytest.raises(AwardNotActive):
        actions.pass_down(award.pk, actor=confirmed.committee)


def test_only_a_revoked_award_is_passed_down_by_choice(confirmed):
    award = Award.objects.get(nomination=confirmed.entries[0])
    with pytest.raises(AwardNotActive):
        actions.pass_down(award.pk, actor=confirmed.committee)
