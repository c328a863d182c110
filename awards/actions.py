"""State changes of awards; one function per action, atomic, authority checked under the lock, audited.

Locks, in one order: the campaign, then nominations (by id), then awards. A revocation in
approvals locks its nomination and then (through ``approvals.hooks.nomination_revoked``) the
nomination's award, the same order.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals.actions.publicity import invalidate_public_list
from approvals.models import Nomination
from audit.trail import record_event
from awards import allocation, audit_events, selectors
from awards.exceptions import (
    AlreadyPaid,
    AwardNotActive,
    AwardNotValid,
    AwardsConfirmed,
    CampaignFinished,
    CaseBookEmpty,
    FloorUnreachable,
    NoPrize,
    NoSuccessor,
    NothingToConfirm,
    NoTiers,
    RoundsOpen,
    TieUnresolved,
)
from awards.models import Allocation, Award, CaseBook, Certificate, ResultNotice
from config.errors import InvalidInput, NotPermitted, NotVisible
from judging.models import Round, RoundResult
from workflows.models import Campaign
from workflows.rounds import decimal_of, is_likes_round


def _campaign_target(campaign: Campaign) -> tuple[str, str]:
    return ("workflows.campaign", str(campaign.pk))


def _locked_campaign(campaign_id: int, actor: User) -> Campaign:
    campaign = (
        Campaign.objects.select_for_update(of=("self",)).select_related("host_org").filter(pk=campaign_id).first()
    )
    if campaign is None:
        raise NotVisible()
    if not permissions.can_allocate_awards(actor, campaign):
        raise NotPermitted(target=_campaign_target(campaign))
    return campaign


def ranking_rounds(campaign: Campaign, kind: str) -> list[dict[str, Any]]:
    """The rounds that rank a kind, in order (a ``vote`` round of weight 0 is a prize list of its own)."""
    return [
        r for r in campaign.rounds or []
        if kind in (r.get("kinds") or []) and not is_likes_round(r)
    ]  # fmt: skip


# The entries a vote round's own prize list (网络点赞奖) ranks: those listed for the public's likes,
# whether or not they won a place on the main list.
VOTE_LIST_STATUSES = (
    Nomination.Status.APPROVED, Nomination.Status.IN_PUBLICITY, Nomination.Status.FINAL,
    Nomination.Status.NOT_SELECTED,
)  # fmt: skip


def prize_list_rounds(campaign: Campaign) -> list[dict[str, Any]]:
    """The ``vote`` rounds of weight 0 that carry their own tiers: each a prize list (网络点赞奖)."""
    return [
        r for r in campaign.rounds or []
        if is_likes_round(r) and r.get("tiers")
    ]  # fmt: skip


def prize_list_round(campaign: Campaign, round_key: str) -> dict[str, Any]:
    """The vote round ``round_key`` with its own tiers; 400 on ``round`` otherwise."""
    for definition in prize_list_rounds(campaign):
        if definition.get("key") == round_key:
            return definition
    raise InvalidInput.for_field("round", _("“{key}”不是单独设奖的网络点赞轮次").format(key=round_key))


def vote_ranking(campaign: Campaign, definition: dict[str, Any], kind: str) -> list[allocation.Entry]:
    """A kind's rank by votes in a closed vote round (409 ``rounds_open`` before ``close_voting``)."""
    current = Round.objects.filter(campaign=campaign, key=definition["key"]).first()
    if current is None or current.status != Round.Status.CLOSED:
        raise RoundsOpen(
            _("网络点赞轮次“{round}”尚未结束统计").format(round=definition.get("name") or definition["key"]),
            target=_campaign_target(campaign),
        )
    results = (
        RoundResult.objects.filter(round=current, kind=kind, nomination__status__in=VOTE_LIST_STATUSES)
        .select_related("nomination")
        .order_by("rank", "nomination_id")
    )
    return [
        allocation.Entry(r.nomination_id, r.nomination.title, r.rank, r.score, r.nomination.form or {})
        for r in results
    ]


def _prize_text(levels: Sequence[dict[str, Any]], tier: str) -> str:
    """A tier's prize when it is a text (a gift, 礼品), else empty."""
    prize = next((t.get("prize") for t in levels if t.get("key") == tier), None)
    return prize.strip()[:100] if isinstance(prize, str) and decimal_of(prize) is None else ""


# The entries the main list ranks: approved, or listed in a 公示 over a subset before the awards
# (the 入围 of [001], in 公示 or final after it).
RANKED_STATUSES = (Nomination.Status.APPROVED, Nomination.Status.IN_PUBLICITY, Nomination.Status.FINAL)


def final_ranking(campaign: Campaign, kind: str) -> list[allocation.Entry]:
    """The kind's final rank: its last round's results, every round of the kind closed, its
    advance ties resolved (409 ``rounds_open`` otherwise); approved nominations, and those a
    公示 over a subset listed (``RANKED_STATUSES``)."""
    definitions = ranking_rounds(campaign, kind)
    keys = [d["key"] for d in definitions]
    rounds = {r.key: r for r in Round.objects.filter(campaign=campaign, key__in=keys)}
    pending = [
        k for k in keys
        if k not in rounds or rounds[k].status != Round.Status.CLOSED or (rounds[k].boundary_tie or {}).get(kind)
    ]  # fmt: skip
    if not keys or pending:
        raise RoundsOpen(
            _("类别“{kind}”的评审轮次尚未全部结束：{rounds}").format(kind=kind, rounds="、".join(pending) or "-"),
            target=_campaign_target(campaign),
        )
    results = (
        RoundResult.objects.filter(round=rounds[keys[-1]], kind=kind, nomination__status__in=RANKED_STATUSES)
        .select_related("nomination")
        .order_by("rank", "nomination_id")
    )
    return [
        allocation.Entry(r.nomination_id, r.nomination.title, r.rank, r.score, r.nomination.form or {})
        for r in results
    ]


def _floors(campaign: Campaign, kind: str) -> list[tuple[int, dict[str, Any]]]:
    return [(i, f) for i, f in enumerate(campaign.tier_floors or []) if isinstance(f, dict) and f.get("kind") == kind]


def _kinds(campaign: Campaign) -> list[str]:
    tiers = campaign.tiers or {}
    return [k for k in campaign.kinds if tiers.get(k)] + [k for k in tiers if k not in campaign.kinds and tiers[k]]


@transaction.atomic(durable=True)
def allocate_awards(
    campaign_id: int, *, actor: User, tie_order: Sequence[int] = (), round_key: str = ""
) -> Allocation:
    """Propose the campaign's awards by final rank, meeting the tier counts and floors.

    Replaces an unconfirmed proposal; 409 ``awards_confirmed`` after confirmation,
    ``rounds_open`` while a round of a kind is not closed, ``floor_unreachable`` naming the
    floor. ``tie_order`` is the committee's order of entries tied on a boundary.
    ``round_key`` names a vote round's own prize list (网络点赞奖: by votes, its own tiers, no
    floors); empty (default) is the campaign's main list.
    """
    campaign = _locked_campaign(campaign_id, actor)
    target = _campaign_target(campaign)
    if round_key:
        definition = prize_list_round(campaign, round_key)
        tiers: dict[str, Any] = definition["tiers"]
        kinds = [k for k in definition.get("kinds") or [] if tiers.get(k)]
    else:
        definition, tiers, kinds = {}, campaign.tiers or {}, _kinds(campaign)
    if not kinds:
        raise NoTiers(target=target)
    current = Allocation.objects.select_for_update().filter(campaign=campaign, round_key=round_key).first()
    if current is not None and current.confirmed_at is not None:
        raise AwardsConfirmed(target=target)
    results: list[allocation.KindAllocation] = []
    for kind in kinds:
        ranked = vote_ranking(campaign, definition, kind) if round_key else final_ranking(campaign, kind)
        floors = [] if round_key else _floors(campaign, kind)
        try:
            results.append(allocation.allocate_kind(kind, tiers[kind], ranked, floors, tie_order))
        except allocation.FloorUnreachable as e:
            raise FloorUnreachable(
                _(
                    "无法满足等次比例下限 tier_floors[{i}]（{kind}：{floor}）："
                    "需 {needed} 个，符合条件的参评申报仅 {available} 个"
                ).format(
                    i=e.index, kind=kind, floor=allocation.floor_label(e.floor), needed=e.needed, available=e.available
                ),
                target=target,
            ) from None  # fmt: skip
    now = timezone.now()
    Award.objects.filter(campaign=campaign, status=Award.Status.PROPOSED, round_key=round_key).delete()
    notes = [note for r in results for note in r.notes]
    ties = {r.kind: r.ties for r in results if r.ties}
    if current is None:
        current = Allocation.objects.create(
            campaign=campaign, round_key=round_key, notes=notes, ties=ties, proposed_by=actor, proposed_at=now
        )
    else:
        current.notes, current.ties, current.proposed_by, current.proposed_at = notes, ties, actor, now
        current.save(update_fields=["notes", "ties", "proposed_by", "proposed_at"])
    Award.objects.bulk_create(
        Award(
            campaign=campaign, nomination_id=p.entry.nomination, kind=r.kind, tier=p.tier, tier_name=p.tier_name,
            rank=p.entry.rank, score=p.entry.score, prize=p.prize, tied=p.tied, round_key=round_key,
            prize_text=_prize_text(tiers[r.kind], p.tier),
        )
        for r in results
        for p in r.placed
    )  # fmt: skip
    data: dict[str, Any] = {
        "awards": [[p.entry.nomination, r.kind, p.tier] for r in results for p in r.placed],
        "notes": notes, "ties": ties, "tie_order": list(tie_order),
    }  # fmt: skip
    if round_key:
        data["round"] = round_key
    record_event(audit_events.AWARDS_ALLOCATED, actor=actor, target=campaign, data=data)
    return current


@transaction.atomic(durable=True)
def confirm_awards(campaign_id: int, *, actor: User, round_key: str = "") -> list[Award]:
    """Confirm the proposal (who and when are recorded); the approved nominations of an awarded
    kind that received nothing become ``not_selected`` and their unit is told.

    409 ``no_proposal`` without an unconfirmed proposal, ``tie_unresolved`` while a boundary tie
    waits for the committee's order. ``round_key``: a vote round's own prize list (网络点赞奖),
    whose confirmation changes no nomination's status (the main list decides who is selected).
    """
    campaign = _locked_campaign(campaign_id, actor)
    target = _campaign_target(campaign)
    if round_key:
        prize_list_round(campaign, round_key)
    current = Allocation.objects.select_for_update().filter(campaign=campaign, round_key=round_key).first()
    if current is None or current.confirmed_at is not None:
        raise NothingToConfirm(target=target)
    if current.ties:
        raise TieUnresolved(target=target)
    now = timezone.now()
    proposed = Award.objects.filter(campaign=campaign, status=Award.Status.PROPOSED, round_key=round_key)
    awarded = set(proposed.values_list("nomination_id", flat=True))
    losers = (
        []
        if round_key
        else list(
            Nomination.objects.select_for_update(of=("self",))
            .select_related("campaign", "unit")
            .filter(campaign=campaign, kind__in=_kinds(campaign), status=Nomination.Status.APPROVED)
            .exclude(pk__in=awarded)
            .order_by("pk")
        )
    )
    awards = list(proposed.select_for_update().order_by("pk"))
    Award.objects.filter(pk__in=[a.pk for a in awards]).update(
        status=Award.Status.CONFIRMED, confirmed_by=actor, confirmed_at=now
    )
    current.confirmed_by, current.confirmed_at = actor, now
    current.save(update_fields=["confirmed_by", "confirmed_at"])
    confirmed: dict[str, Any] = {"awards": [a.pk for a in awards], "not_selected": [n.pk for n in losers]}
    if round_key:
        confirmed["round"] = round_key
    record_event(audit_events.AWARDS_CONFIRMED, actor=actor, target=campaign, data=confirmed)
    _not_selected(losers, actor=actor)
    return list(Award.objects.filter(pk__in=[a.pk for a in awards]).order_by("kind", "rank", "pk"))


def _not_selected(nominations: list[Nomination], *, actor: User) -> None:
    """The nominations received nothing: ``not_selected`` (no place held), audited, units told."""
    if not nominations:
        return
    Nomination.objects.filter(pk__in=[n.pk for n in nominations]).update(
        status=Nomination.Status.NOT_SELECTED, version=F("version") + 1, updated_at=timezone.now()
    )
    from notifications import events

    for nomination in nominations:
        old = nomination.status
        nomination.status = Nomination.Status.NOT_SELECTED
        record_event(
            audit_events.NOMINATION_NOT_SELECTED,
            actor=actor,
            target=nomination,
            data={"old": {"status": old}, "new": {"status": nomination.status}},
        )
        events.nomination_not_selected(nomination)
    invalidate_public_list(nominations[0].campaign_id)


def _live_floors_met(campaign: Campaign, kind: str, members: Iterable[allocation.Entry]) -> bool:
    chosen = list(members)
    return all(
        sum(allocation.in_floor(e, f) for e in chosen) >= allocation.needed_for(f, len(chosen))
        for _i, f in _floors(campaign, kind)
    )


def _pass_down(campaign: Campaign, award: Award, *, actor: User) -> Award:
    """顺延: the next in rank of the award's kind that never had an award takes its place.

    The first in rank whose taking the place keeps the kind's floors met (when they were met
    without the vacated award's holder), else the first in rank. Its nomination becomes
    ``approved`` again (a supplementary 公示 lists it). Inside the caller's transaction.
    """
    assert transaction.get_connection().in_atomic_block
    if Award.objects.filter(passed_from=award).exists():
        raise AwardNotActive(_("该奖项已顺延"), target=("awards.award", str(award.pk)))
    if award.round_key:
        return _pass_down_by_votes(campaign, award, actor=actor)
    ever = set(
        Award.objects.filter(campaign=campaign, kind=award.kind, round_key="").values_list("nomination_id", flat=True)
    )
    ranking = [e for e in _ranking_of_not_selected(campaign, award.kind) if e.nomination not in ever]
    if not ranking:
        raise NoSuccessor(target=("awards.award", str(award.pk)))
    holders = [
        allocation.Entry(a.nomination_id, a.nomination.title, a.rank, a.score, a.nomination.form or {})
        for a in Award.objects.filter(campaign=campaign, kind=award.kind, status=Award.Status.CONFIRMED, round_key="")
        .exclude(pk=award.pk)
        .select_related("nomination")
    ]
    successor = next((e for e in ranking if _live_floors_met(campaign, award.kind, [*holders, e])), ranking[0])
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("campaign", "unit")
        .get(pk=successor.nomination)
    )
    if nomination.status != Nomination.Status.NOT_SELECTED:
        raise NoSuccessor(target=("awards.award", str(award.pk)))
    now = timezone.now()
    new = Award.objects.create(
        campaign=campaign, nomination=nomination, kind=award.kind, tier=award.tier, tier_name=award.tier_name,
        rank=successor.rank, score=successor.score, prize=award.prize, status=Award.Status.CONFIRMED,
        confirmed_by=actor, confirmed_at=now, passed_from=award,
    )  # fmt: skip
    nomination.status = Nomination.Status.APPROVED
    nomination.version += 1
    nomination.save(update_fields=["status", "version", "updated_at"])
    data = {"from": award.pk, "from_nomination": award.nomination_id, "award": new.pk,
            "nomination": nomination.pk, "tier": new.tier, "rank": new.rank}  # fmt: skip
    record_event(audit_events.AWARD_PASSED_DOWN, actor=actor, target=campaign, data=data)
    record_event(audit_events.AWARD_PASSED_DOWN, actor=actor, target=nomination, data=data)
    return new


def _pass_down_by_votes(campaign: Campaign, award: Award, *, actor: User) -> Award:
    """顺延 on a vote round's own list: the next by votes that never held an award of that list;
    no nomination changes status (the list is apart from the main one)."""
    definition = prize_list_round(campaign, award.round_key)
    ever = set(
        Award.objects.filter(campaign=campaign, kind=award.kind, round_key=award.round_key).values_list(
            "nomination_id", flat=True
        )
    )
    ranking = [e for e in vote_ranking(campaign, definition, award.kind) if e.nomination not in ever]
    if not ranking:
        raise NoSuccessor(target=("awards.award", str(award.pk)))
    successor = ranking[0]
    nomination = Nomination.objects.select_for_update(of=("self",)).get(pk=successor.nomination)
    new = Award.objects.create(
        campaign=campaign, nomination=nomination, kind=award.kind, tier=award.tier, tier_name=award.tier_name,
        rank=successor.rank, score=successor.score, prize=award.prize, prize_text=award.prize_text,
        round_key=award.round_key, status=Award.Status.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now(),
        passed_from=award,
    )  # fmt: skip
    data = {"from": award.pk, "from_nomination": award.nomination_id, "award": new.pk,
            "nomination": nomination.pk, "tier": new.tier, "rank": new.rank, "round": award.round_key}  # fmt: skip
    record_event(audit_events.AWARD_PASSED_DOWN, actor=actor, target=campaign, data=data)
    record_event(audit_events.AWARD_PASSED_DOWN, actor=actor, target=nomination, data=data)
    return new


def _ranking_of_not_selected(campaign: Campaign, kind: str) -> list[allocation.Entry]:
    definitions = ranking_rounds(campaign, kind)
    last = Round.objects.filter(campaign=campaign, key=definitions[-1]["key"]).first() if definitions else None
    if last is None:
        return []
    results = (
        RoundResult.objects.filter(round=last, kind=kind, nomination__status=Nomination.Status.NOT_SELECTED)
        .select_related("nomination")
        .order_by("rank", "nomination_id")
    )
    return [
        allocation.Entry(r.nomination_id, r.nomination.title, r.rank, r.score, r.nomination.form or {})
        for r in results
    ]


def _locked_award(award_id: int, actor: User) -> tuple[Campaign, Award]:
    """Campaign, then the award's nomination, then the award, locked; the host's committee only."""
    found = Award.objects.filter(pk=award_id).values_list("campaign_id", "nomination_id").first()
    if found is None:
        raise NotVisible()
    campaign = _locked_campaign(found[0], actor)
    Nomination.objects.select_for_update(of=("self",)).filter(pk=found[1]).first()
    award = (
        Award.objects.select_for_update(of=("self",)).select_related("nomination", "nomination__unit").get(pk=award_id)
    )
    if campaign.status == Campaign.Status.FINISHED:
        raise CampaignFinished(target=("awards.award", str(award.pk)))
    return campaign, award


@transaction.atomic(durable=True)
def decline_award(award_id: int, *, actor: User, reason: str) -> Award:
    """Record that the winner gave up a confirmed award (放弃), before finalisation; the next in
    rank of that kind takes the place (顺延). Returns the successor's award."""
    campaign, award = _locked_award(award_id, actor)
    if award.status != Award.Status.CONFIRMED:
        raise AwardNotActive(target=("awards.award", str(award.pk)))
    reason = reason.strip()
    if not reason:
        raise InvalidInput.for_field("reason", _("请填写放弃原因"))
    award.status = Award.Status.DECLINED
    award.declined_reason = reason
    award.ended_at = timezone.now()
    award.save(update_fields=["status", "declined_reason", "ended_at"])
    nomination = award.nomination
    old = nomination.status
    if not award.round_key and old in (Nomination.Status.APPROVED, Nomination.Status.IN_PUBLICITY):
        nomination.status = Nomination.Status.NOT_SELECTED
        nomination.version += 1
        nomination.save(update_fields=["status", "version", "updated_at"])
    record_event(
        audit_events.AWARD_DECLINED,
        actor=actor,
        target=nomination,
        data={"award": award.pk, "reason": reason, "tier": award.tier,
              "old": {"status": old}, "new": {"status": nomination.status}},
    )  # fmt: skip
    successor = _pass_down(campaign, award, actor=actor)
    invalidate_public_list(campaign.pk)
    return successor


@transaction.atomic(durable=True)
def pass_down(award_id: int, *, actor: User) -> Award:
    """The committee chooses 顺延 for a revoked award (revoked during results 公示): the next in
    rank of that kind takes its place, before finalisation."""
    campaign, award = _locked_award(award_id, actor)
    if award.status != Award.Status.REVOKED:
        raise AwardNotActive(_("只有已撤销的奖项可以顺延"), target=("awards.award", str(award.pk)))
    successor = _pass_down(campaign, award, actor=actor)
    invalidate_public_list(campaign.pk)
    return successor


def revoke_award_of(nomination: Nomination, *, actor: User) -> Award | None:
    """The nomination was revoked (approvals): its live award is revoked, in the same transaction.

    A confirmed award's prize is recorded as recovered (no longer owed, or to be clawed back
    when it was paid); 顺延 is the committee's choice (``pass_down``). A proposed award is
    simply dropped from the proposal.
    """
    assert transaction.get_connection().in_atomic_block
    live = list(
        Award.objects.select_for_update().filter(nomination=nomination, status__in=Award.LIVE).order_by("round_key")
    )
    revoked = [_revoke(award, nomination, actor=actor) for award in live]
    return next((a for a in revoked if a is not None and not a.round_key), None)


def _revoke(award: Award, nomination: Nomination, *, actor: User) -> Award | None:
    """One live award of a revoked nomination (its main-list award or a vote list's)."""
    if award.status == Award.Status.PROPOSED:
        award.delete()
        return None
    award.status = Award.Status.REVOKED
    award.recovered = True
    award.ended_at = timezone.now()
    award.save(update_fields=["status", "recovered", "ended_at"])
    record_event(
        audit_events.AWARD_REVOKED,
        actor=actor,
        target=nomination,
        data={"award": award.pk, "tier": award.tier, "prize": award.prize, "paid": award.paid_at is not None,
              "recovered": True},
    )  # fmt: skip
    return award


# --- certificates, the result notice and the prize ledger ------------------------------------------------


def _new_code() -> str:
    return secrets.token_hex(10).upper()


@transaction.atomic(durable=True)
def issue_certificates(campaign_id: int, *, actor: User, award_id: int | None = None) -> list[Certificate]:
    """Number the campaign's confirmed awards that have no certificate yet, in rank order
    (``<year>-<campaign id>-<NNN>``), each with its verification code; audited when any is new.

    The caller is the host's committee, or (``award_id`` given) the nominee's unit fetching that
    award's certificate; 409 ``award_not_valid`` when that award is not confirmed. Returns the
    certificates of the campaign's confirmed awards (or of ``award_id`` alone).
    """
    campaign = (
        Campaign.objects.select_for_update(of=("self",)).select_related("host_org").filter(pk=campaign_id).first()
    )
    if campaign is None:
        raise NotVisible()
    award = None
    if award_id is not None:
        award = Award.objects.select_related("nomination__unit").filter(pk=award_id, campaign=campaign).first()
        if award is None or not permissions.can_get_certificate(actor, campaign, award.nomination.unit):
            raise NotVisible()
        if award.status != Award.Status.CONFIRMED:
            raise AwardNotValid(target=("awards.award", str(award.pk)))
    elif not permissions.can_allocate_awards(actor, campaign):
        raise NotPermitted(target=_campaign_target(campaign))
    kinds = _kinds(campaign)
    confirmed = sorted(
        Award.objects.filter(campaign=campaign, status=Award.Status.CONFIRMED).select_related("certificate"),
        key=lambda a: (
            a.round_key != "",
            a.round_key,
            kinds.index(a.kind) if a.kind in kinds else len(kinds),
            a.rank,
            a.pk,
        ),
    )
    numbered = Certificate.objects.filter(campaign=campaign).count()
    now = timezone.now()
    new: list[Certificate] = []
    for a in confirmed:
        if hasattr(a, "certificate"):
            continue
        numbered += 1
        new.append(
            Certificate(
                award=a,
                campaign=campaign,
                number=f"{campaign.year}-{campaign.pk}-{numbered:03d}",
                code=_new_code(),
                issued_at=now,
            )  # fmt: skip
        )
    if new:
        Certificate.objects.bulk_create(new)
        record_event(
            audit_events.CERTIFICATES_ISSUED,
            actor=actor,
            target=campaign,
            data={"certificates": {str(c.award_id): c.number for c in new}},
        )
    wanted = [award.pk] if award is not None else [a.pk for a in confirmed]
    by_award = {c.award_id: c for c in Certificate.objects.filter(award_id__in=wanted).select_related("award")}
    return [by_award[pk] for pk in wanted]


@transaction.atomic(durable=True)
def set_result_notice(
    campaign_id: int, *, actor: User, doc_number: str, issuer: str, issued_on: date, contact: str
) -> ResultNotice:
    """Set the campaign's result notice (发文): 文号, issuing body, date, contact; audited (old and new)."""
    campaign = _locked_campaign(campaign_id, actor)
    notice = ResultNotice.objects.select_for_update().filter(campaign=campaign).first()
    new = {"doc_number": doc_number, "issuer": issuer, "issued_on": issued_on.isoformat(), "contact": contact}
    old = None
    if notice is None:
        notice = ResultNotice(campaign=campaign, code=_new_code())
    else:
        old = {
            "doc_number": notice.doc_number, "issuer": notice.issuer, "issued_on": notice.issued_on.isoformat(),
            "contact": notice.contact,
        }  # fmt: skip
    notice.doc_number, notice.issuer, notice.issued_on, notice.contact = doc_number, issuer, issued_on, contact
    notice.updated_by, notice.updated_at = actor, timezone.now()
    notice.save()
    record_event(audit_events.RESULT_NOTICE_SET, actor=actor, target=campaign, data={"old": old, "new": new})
    return notice


@transaction.atomic(durable=True)
def mark_prize_paid(award_id: int, *, actor: User, paid_at: datetime | None = None) -> Award:
    """Record that a confirmed award's prize was paid (when, by whom); 409 ``award_not_valid``,
    ``no_prize``, ``already_paid``."""
    found = Award.objects.filter(pk=award_id).values_list("campaign_id", flat=True).first()
    if found is None:
        raise NotVisible()
    campaign = _locked_campaign(found, actor)
    award = Award.objects.select_for_update().get(pk=award_id)
    target = ("awards.award", str(award.pk))
    if award.status != Award.Status.CONFIRMED:
        raise AwardNotValid(target=target)
    if not award.prize:
        raise NoPrize(target=target)
    if award.paid_at is not None:
        raise AlreadyPaid(target=target)
    award.paid_at, award.paid_by = paid_at or timezone.now(), actor
    award.save(update_fields=["paid_at", "paid_by"])
    record_event(
        audit_events.PRIZE_PAID,
        actor=actor,
        target=award,
        data={"campaign": campaign.pk, "prize": str(award.prize), "paid_at": award.paid_at.isoformat()},
    )
    return award


# --- the case book (案例集): requested by the committee, built by the worker (awards/casebook.py) -----------

# A build that has shown no progress for this long is taken to have died with its worker: a new
# request (or the broker's redelivery) takes it over.
CASEBOOK_STALE = timedelta(minutes=10)
CASEBOOK_TASK = "awards.build_casebook"  # awards/tasks.py

logger = logging.getLogger(__name__)


def _casebook_stale(book: CaseBook, now: datetime) -> bool:
    return book.updated_at < now - CASEBOOK_STALE


@transaction.atomic(durable=True)
def request_casebook(campaign_id: int, *, actor: User) -> tuple[CaseBook, bool]:
    """Queue a case book build of the campaign's awarded cases (the request is audited); the build
    already queued or building is returned instead of a second one (second value: whether queued
    now). 409 ``casebook_empty`` without a confirmed case award."""
    campaign = _locked_campaign(campaign_id, actor)
    now = timezone.now()
    running = CaseBook.objects.select_for_update().filter(campaign=campaign, status__in=CaseBook.RUNNING).first()
    if running is not None and not _casebook_stale(running, now):
        return running, False
    total = selectors.casebook_awards(campaign).count()
    if not total:
        raise CaseBookEmpty(target=_campaign_target(campaign))
    if running is not None:
        running.status, running.finished_at, running.updated_at = CaseBook.Status.FAILED, now, now
        running.error = _("长时间没有进展，已重新生成")
        running.save(update_fields=["status", "finished_at", "updated_at", "error"])
        record_event(
            audit_events.CASEBOOK_FAILED, actor=None, target=campaign, data={"casebook": running.pk, "stale": True}
        )
    book = CaseBook.objects.create(
        campaign=campaign, total=total, requested_by=actor, requested_at=now, updated_at=now
    )
    record_event(
        audit_events.CASEBOOK_REQUESTED, actor=actor, target=campaign, data={"casebook": book.pk, "total": total}
    )
    transaction.on_commit(lambda: publish_casebook_build(book.pk))
    return book, True


def publish_casebook_build(casebook_id: int) -> None:
    """Hand the build to the worker (after commit); a broker outage leaves it queued, and a request
    after ``CASEBOOK_STALE`` queues it again."""
    if not settings.SEALFLOW_CASEBOOK_BACKGROUND:
        return
    from config.celery_app import app

    try:
        # one attempt with short timeouts (a dead broker must not hold the request), as the outbox's
        # nudge does; by name, since the task module imports the builder, which imports these actions
        with app.connection_for_write(url=settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            app.send_task(
                CASEBOOK_TASK, args=(casebook_id,), connection=conn, retry=False,
                queue=settings.CELERY_TASK_DEFAULT_QUEUE,
            )  # fmt: skip
    except Exception:  # noqa: BLE001 - any broker error: the build stays queued
        logger.exception("case book %s: could not publish the build", casebook_id)


@transaction.atomic(durable=True)
def start_casebook(casebook_id: int) -> CaseBook | None:
    """Claim a queued build for this worker (or one whose worker went silent); None when it is done,
    failed, or being built by a live worker (a duplicate delivery builds nothing)."""
    book = CaseBook.objects.select_for_update().select_related("campaign__host_org").filter(pk=casebook_id).first()
    now = timezone.now()
    if book is None:
        return None
    if not (
        book.status == CaseBook.Status.QUEUED
        or (book.status == CaseBook.Status.BUILDING and _casebook_stale(book, now))
    ):
        return None
    book.status, book.started_at, book.updated_at, book.done = CaseBook.Status.BUILDING, now, now, 0
    book.save(update_fields=["status", "started_at", "updated_at", "done"])
    return book


def casebook_progress(casebook_id: int, *, done: int, total: int) -> None:
    """The build's progress, one short autocommitted update (no lock held while building)."""
    CaseBook.objects.filter(pk=casebook_id, status=CaseBook.Status.BUILDING).update(
        done=done, total=total, updated_at=timezone.now()
    )


@transaction.atomic(durable=True)
def finish_casebook(casebook_id: int, *, pdf_name: str, docx_name: str, pages: int, total: int) -> CaseBook | None:
    """Record the built files (audited, by the system); None when the build was taken over meanwhile."""
    book = CaseBook.objects.select_for_update().filter(pk=casebook_id, status=CaseBook.Status.BUILDING).first()
    if book is None:
        return None
    now = timezone.now()
    book.status, book.pdf_name, book.docx_name, book.pages = CaseBook.Status.DONE, pdf_name, docx_name, pages
    book.done = book.total = total
    book.finished_at = book.updated_at = now
    book.save(update_fields=["status", "pdf_name", "docx_name", "pages", "done", "total", "finished_at", "updated_at"])
    record_event(
        audit_events.CASEBOOK_BUILT, actor=None, target=("workflows.campaign", str(book.campaign_id)),
        data={"casebook": book.pk, "total": total, "pages": pages},
    )  # fmt: skip
    return book


@transaction.atomic(durable=True)
def fail_casebook(casebook_id: int, *, error: str) -> CaseBook | None:
    """Record that a build failed (audited, by the system), so that the committee may ask again."""
    book = CaseBook.objects.select_for_update().filter(pk=casebook_id, status__in=CaseBook.RUNNING).first()
    if book is None:
        return None
    now = timezone.now()
    book.status, book.error, book.finished_at, book.updated_at = CaseBook.Status.FAILED, error[:2000], now, now
    book.save(update_fields=["status", "error", "finished_at", "updated_at"])
    record_event(
        audit_events.CASEBOOK_FAILED, actor=None, target=("workflows.campaign", str(book.campaign_id)),
        data={"casebook": book.pk, "error": book.error},
    )  # fmt: skip
    return book
