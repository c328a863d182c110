"""allocate_awards and confirm_awards: the proposal by final rank, floors, ties, rounds still open,
replacement of an unconfirmed proposal, confirmation with not_selected and the unit told."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.roles import Role
from approvals.models import Nomination
from audit.models import AuditEvent
from awards import actions
from awards.exceptions import AwardsConfirmed, FloorUnreachable, RoundsOpen, TieUnresolved
from awards.models import Allocation, Award
from config.errors import NotPermitted
from notifications.models import OutboxMessage
from tests.awards.conftest import FLOOR, FRONT, make_ranked, tiers
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def placed(campaign):
    return [(a.nomination_id, a.tier, a.rank) for a in Award.objects.filter(campaign=campaign).order_by("rank", "pk")]


def test_tiers_fill_in_rank_order_with_their_prizes(ranked):
    allocation = actions.allocate_awards(ranked.campaign.pk, actor=ranked.committee)

    e = ranked.entries
    assert placed(ranked.campaign) == [(e[0].pk, "first", 1), (e[1].pk, "second", 2), (e[2].pk, "second", 3)]
    first = Award.objects.get(nomination=e[0])
    assert (first.tier_name, first.prize, first.score, first.status) == (
        "一等奖",
        Decimal(2000),
        Decimal(90),
        "proposed",
    )
    assert allocation.notes == []
    assert allocation.confirmed_at is None
    assert AuditEvent.objects.filter(action="awards.allocated", object_id=str(ranked.campaign.pk)).count() == 1


def test_a_floor_moves_places_and_the_notes_say_who_and_why(tree, submitter):
    # 3 awards, 60 % → 2 front-line; by rank only the first is
    scene = make_ranked(
        tree, submitter, [90, 80, 70, 60, 50], levels=tiers(1, 2), floors=[FLOOR],
        categories=[FRONT, "后台", "后台", FRONT, "后台"],
    )  # fmt: skip

    allocation = actions.allocate_awards(scene.campaign.pk, actor=scene.committee)

    e = scene.entries
    assert placed(scene.campaign) == [(e[0].pk, "first", 1), (e[1].pk, "second", 2), (e[3].pk, "second", 4)]
    assert len(allocation.notes) == 1
    assert "“案例2”（第3名）让位于“案例3”（第4名）" in allocation.notes[0]
    assert "60%" in allocation.notes[0]


def test_an_unreachable_floor_is_refused_naming_it_and_writes_nothing(tree, submitter):
    scene = make_ranked(
        tree, submitter, [90, 80, 70, 60], levels=tiers(1, 2), floors=[FLOOR],
        categories=[FRONT, "后台", "后台", "后台"],
    )  # fmt: skip

    with pytest.raises(FloorUnreachable) as raised:
        actions.allocate_awards(scene.campaign.pk, actor=scene.committee)

    assert "tier_floors[0]" in raised.value.detail
    assert raised.value.code == "floor_unreachable"
    assert not Award.objects.exists()
    assert not Allocation.objects.exists()


def test_a_tie_on_a_tier_boundary_needs_the_committee(tree, submitter):
    scene = make_ranked(tree, submitter, [90, 80, 80, 60], levels=tiers(1, 1))
    e = scene.entries

    allocation = actions.allocate_awards(scene.campaign.pk, actor=scene.committee)

    assert allocation.ties == {"case": [[e[1].pk, e[2].pk]]}
    assert any("第2名并列" in note for note in allocation.notes)
    with pytest.raises(TieUnresolved):
        actions.confirm_awards(scene.campaign.pk, actor=scene.committee)

    actions.allocate_awards(scene.campaign.pk, actor=scene.committee, tie_order=[e[2].pk, e[1].pk])

    assert placed(scene.campaign) == [(e[0].pk, "first", 1), (e[2].pk, "second", 2)]
    actions.confirm_awards(scene.campaign.pk, actor=scene.committee)
    assert Nomination.objects.get(pk=e[1].pk).status == Nomination.Status.NOT_SELECTED


def test_allocation_waits_for_the_kinds_rounds(tree, submitter):
    scene = make_ranked(tree, submitter, [90, 80], levels=tiers(1), close=False)

    with pytest.raises(RoundsOpen) as raised:
        actions.allocate_awards(scene.campaign.pk, actor=scene.committee)

    assert raised.value.code == "rounds_open"
    assert not Award.objects.exists()


def test_reallocating_replaces_an_unconfirmed_proposal_and_not_a_confirmed_one(ranked):
    actions.allocate_awards(ranked.campaign.pk, actor=ranked.committee)
    actions.allocate_awards(ranked.campaign.pk, actor=ranked.committee)
    assert Award.objects.count() == 3

    actions.confirm_awards(ranked.campaign.pk, actor=ranked.committee)

    with pytest.raises(AwardsConfirmed):
        actions.allocate_awards(ranked.campaign.pk, actor=ranked.committee)
    assert Award.objects.filter(status="confirmed").count() == 3


def test_only_the_hosts_committee_allocates(ranked, tree):
    reviewer = user_with_role(Role.DISTRICT_REVIEWER, tree.district)

    with pytest.raises(NotPermitted):
        actions.allocate_awards(ranked.campaign.pk, actor=reviewer)
    assert not Award.objects.exists()


def test_confirmation_records_who_and_the_rest_become_not_selected_and_are_told(ranked):
    actions.allocate_awards(ranked.campaign.pk, actor=ranked.committee)

    awards = actions.confirm_awards(ranked.campaign.pk, actor=ranked.committee)

    assert {a.confirmed_by_id for a in awards} == {ranked.committee.pk}
    assert all(a.status == "confirmed" and a.confirmed_at for a in awards)
    e = ranked.entries
    statuses = dict(Nomination.objects.filter(campaign=ranked.campaign).values_list("pk", "status"))
    assert [statuses[n.pk] for n in e] == ["approved", "approved", "approved", "not_selected", "not_selected"]
    assert Nomination.Status.NOT_SELECTED not in Nomination.HOLDS_PLACE
    told = OutboxMessage.objects.filter(kind="nomination_not_selected")
    assert sorted(m.payload["nomination"] for m in told) == sorted([e[3].pk, e[4].pk])
    confirmed = AuditEvent.objects.get(action="awards.confirmed")
    assert confirmed.actor_id == ranked.committee.pk
    assert AuditEvent.objects.filter(action="awards.not_selected").count() == 2
