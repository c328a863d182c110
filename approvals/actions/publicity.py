"""公示: starting a round, its window, the cached public list, finalisation and the window timer (issue 6).

Every action is one durable transaction: it locks what it changes (the campaign before its
nominations), re-checks state and authority under the lock, writes its rows and its audit
events, and its notifications through the hooks of ``approvals/publicity_events.py`` (outbox
rows in the same transaction). Objections are ``approvals.actions.objections``, revocation
``approvals.actions.revocations``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals import audit_events, hooks, publicity_events
from approvals.exceptions import (
    NothingToPublicise,
    ObjectionsOpen,
    PublicityNotAllowed,
    PublicityRunning,
    PublicityTooShort,
)
from approvals.models import Nomination, Objection, PublicityEntry, PublicityRound
from audit.trail import record_event
from config.dates import official_time
from config.errors import InvalidInput, NotPermitted, SealflowError
from config.text_input import has_visible_text
from workflows import calendar
from workflows.models import Campaign

PUBLIC_CACHE_KEY = "publicity:public:{campaign_id}"


def _campaign_target(campaign: Campaign) -> tuple[str, str]:
    return ("workflows.campaign", str(campaign.pk))


def nomination_target(nomination: Nomination) -> tuple[str, str]:
    return ("approvals.nomination", str(nomination.pk))


def check_committee(actor: User, campaign: Campaign, target: tuple[str, str]) -> None:
    if not permissions.can_run_publicity(actor, campaign):
        raise NotPermitted(target=target)


def invalidate_public_list(campaign_id: int) -> None:
    """Drop the cached public 公示 page of a campaign, after the change commits (every worker sees it: Redis)."""
    from django.core.cache import cache

    # robust: Redis being down must not fail a committed action (the entry then expires by itself).
    key = PUBLIC_CACHE_KEY.format(campaign_id=campaign_id)
    keys = [f"{key}:{variant}" for variant in ("stamp", "json", "html", "json.gz", "html.gz")]
    transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


# --- 公示 ---------------------------------------------------------------------------------

PUBLICITY_FROM = (Campaign.Status.CLOSED, Campaign.Status.REVIEWING, Campaign.Status.PUBLICITY)
# A round over a subset may list approved nominations and those an earlier round listed (in 公示
# or final), e.g. the 入围 20 of a first round that a later round lists again as the 十佳.
SUBSET_FROM = (Nomination.Status.APPROVED, Nomination.Status.IN_PUBLICITY, Nomination.Status.FINAL)
SELECTION_INVALID = "publicity_selection_invalid"


def campaign_tier_names(campaign: Campaign) -> dict[str, str]:
    """Every tier a 公示 may be chosen by: key → name, of the campaign's tiers and of its vote
    rounds' own lists (网络点赞奖), in the definition's order."""
    found: dict[str, str] = {}
    lists = [campaign.tiers or {}] + [r.get("tiers") or {} for r in campaign.rounds or [] if isinstance(r, dict)]
    for tiers in lists:
        for levels in tiers.values() if isinstance(tiers, dict) else []:
            for level in levels if isinstance(levels, list) else []:
                if isinstance(level, dict) and level.get("key"):
                    found.setdefault(str(level["key"]), str(level.get("name") or level["key"]))
    return found


def _selected_ids(campaign: Campaign, tiers: Sequence[str], nominations: Sequence[int]) -> list[int]:
    """The nominations a round over a subset lists: the ids given, and those holding one of the
    tiers (keys or names, through approvals/hooks.py). 400 ``publicity_selection_invalid`` for an
    unknown tier, or an id that is not the campaign's or cannot be listed."""
    known = campaign_tier_names(campaign)
    unknown = [t for t in tiers if t not in known and t not in known.values()]
    if unknown:
        raise InvalidInput.for_field(
            "tiers", _("本活动没有以下奖项等次：{tiers}").format(tiers="、".join(unknown)), code=SELECTION_INVALID
        )
    eligible = Nomination.objects.filter(campaign=campaign, status__in=SUBSET_FROM)
    wanted = set(nominations)
    found = set(eligible.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise InvalidInput.for_field(
            "nominations",
            _("以下申报不属于本活动或不能公示（须为审批通过或已公示的申报）：{ids}").format(
                ids="、".join(f"#{i}" for i in sorted(wanted - found))
            ),
            code=SELECTION_INVALID,
        )
    if tiers:
        candidates = list(eligible.values_list("pk", flat=True))
        held = hooks.publicity_tiers(campaign.pk, candidates)
        found |= {pk for pk, names in held.items() if names & set(tiers)}
    return sorted(found)


@transaction.atomic(durable=True)
def start_publicity(
    campaign_id: int,
    *,
    actor: User,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    title: str = "",
    how_to_object: str = "",
    short_reason: str = "",
    tiers: Sequence[str] = (),
    nominations: Sequence[int] = (),
) -> PublicityRound:
    """Put every ``approved`` nomination of the campaign on public announcement (公示).

    Or a subset (rounds over subsets: the 入围 20, later the 十佳): ``nominations`` (ids) and the
    holders of ``tiers`` (award tier keys or names), approved or listed before (in 公示, final);
    the others stay as they are.

    The window is ``starts_at`` (default now) to ``ends_at``, or, without ``ends_at``, the end
    computed once from the campaign's settings on the working-day calendar (409
    ``calendar_not_covered`` for a year without data). Locks the campaign, then the
    nominations in id order; the host's committee only.
    """
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("host_org").get(pk=campaign_id)
    target = _campaign_target(campaign)
    check_committee(actor, campaign, target)
    if campaign.status not in PUBLICITY_FROM:
        raise PublicityNotAllowed(target=target)
    starts_at = starts_at or timezone.now()
    computed = ends_at is None
    if ends_at is None:
        if not campaign.publicity_days:
            raise InvalidInput.for_field(
                "ends_at", _("活动未设置公示天数，请填写公示结束时间"), code="publicity_days_missing"
            )
        ends_at = _rule_end(campaign, starts_at)
    if ends_at <= starts_at:
        raise InvalidInput.for_field("ends_at", _("公示结束时间应晚于开始时间"), code="invalid_window")
    short_reason = short_reason.strip()[:2000]
    shortened = _check_shortened(campaign, starts_at, ends_at, short_reason) if not computed else None
    selection: dict[str, list[Any]] = {}
    if tiers or nominations:
        chosen_tiers, chosen_ids = list(dict.fromkeys(tiers)), sorted(set(nominations))
        selection = {"tiers": chosen_tiers, "nominations": chosen_ids}
        chosen = Nomination.objects.filter(
            pk__in=_selected_ids(campaign, chosen_tiers, chosen_ids), status__in=SUBSET_FROM
        )
    else:
        chosen = Nomination.objects.filter(campaign=campaign, status=Nomination.Status.APPROVED)
    listed = list(chosen.select_for_update(of=("self",)).order_by("pk"))
    if not listed:
        raise NothingToPublicise(target=target)
    number = (PublicityRound.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0) + 1
    publicity_round = PublicityRound.objects.create(
        campaign=campaign,
        number=number,
        kind=PublicityRound.Kind.LIST,
        title=title or _("{title}拟表彰名单公示").format(title=campaign.title),
        how_to_object=how_to_object,
        starts_at=starts_at,
        ends_at=ends_at,
        started_by=actor,
        selection=selection,
    )
    # After the awards are confirmed only the awarded nominations are still approved; each
    # entry carries its tier (approvals/hooks.py), grouped in the labellers' order.
    labels = hooks.publicity_labels(campaign.pk, [n.pk for n in listed])
    position = {nomination_id: i for i, nomination_id in enumerate(labels, 1)}
    PublicityEntry.objects.bulk_create(
        PublicityEntry(
            round=publicity_round, nomination=n, label=labels.get(n.pk, "")[:100], position=position.get(n.pk, 0)
        )
        for n in sorted(listed, key=lambda n: (position.get(n.pk, 0), n.pk))
    )
    Nomination.objects.filter(pk__in=[n.pk for n in listed]).update(
        status=Nomination.Status.IN_PUBLICITY, version=F("version") + 1, updated_at=timezone.now()
    )
    old_status = campaign.status
    campaign.status = Campaign.Status.PUBLICITY
    campaign.version += 1
    campaign.save(update_fields=["status", "version", "updated_at"])
    window = {"round": publicity_round.pk, "number": number, "starts_at": starts_at, "ends_at": ends_at}
    if labels:
        window["labels"] = {str(k): v for k, v in labels.items()}
    record_event(
        audit_events.PUBLICITY_STARTED,
        actor=actor,
        target=campaign,
        data={**window, "computed": computed, "days": campaign.publicity_days,
              "working_days": campaign.publicity_working_days, "nominations": [n.pk for n in listed],
              **({"selection": selection} if selection else {}),
              "old": {"status": old_status}, "new": {"status": campaign.status},
              **({"shortened": {"rule_ends_at": shortened, "reason": short_reason}} if shortened else {})},
    )  # fmt: skip
    for nomination in listed:
        record_event(audit_events.PUBLICITY_STARTED, actor=actor, target=nomination, data=window)
    invalidate_public_list(campaign.pk)
    publicity_events.publicity_started(publicity_round)
    return publicity_round


def _rule_end(campaign: Campaign, starts_at: datetime) -> datetime:
    """The end of the window the campaign's rule gives a 公示 starting at ``starts_at`` (409
    ``calendar_not_covered`` for working days in a year without calendar data)."""
    return calendar.publicity_window(
        starts_at,
        days=campaign.publicity_days or 0,
        working_days=campaign.publicity_working_days,
        count_start=campaign.publicity_counts_publication_day,
    ).ends_at


def rule_end_or_none(campaign: Campaign, starts_at: datetime) -> datetime | None:
    """``_rule_end``, or None when the campaign has no rule; without calendar data for working days,
    the same number of calendar days (a window of N working days is never shorter than that)."""
    if not campaign.publicity_days:
        return None
    try:
        return _rule_end(campaign, starts_at)
    except SealflowError:
        return calendar.publicity_window(
            starts_at, days=campaign.publicity_days, working_days=False,
            count_start=campaign.publicity_counts_publication_day,
        ).ends_at  # fmt: skip


def _check_shortened(campaign: Campaign, starts_at: datetime, ends_at: datetime, reason: str) -> datetime | None:
    """An explicit end before the rule's end needs a reason (400 ``publicity_too_short``); returns the
    rule's end when the window is shortened, for the audit event."""
    rule_end = rule_end_or_none(campaign, starts_at)
    # To the minute, as the form's datetime-local field gives it: 23:59 keeps a rule's 23:59:59.
    if rule_end is None or ends_at.replace(second=0, microsecond=0) >= rule_end.replace(second=0, microsecond=0):
        return None
    if not has_visible_text(reason):
        message = _("活动规定公示 {period}（至 {end}），指定的结束时间早于此，请填写缩短公示期的理由").format(
            period=(_("{n} 个工作日") if campaign.publicity_working_days else _("{n} 天")).format(
                n=campaign.publicity_days
            ),
            end=official_time(rule_end, end=True),
        )
        raise PublicityTooShort(message, errors={"short_reason": [message]})
    return rule_end


def window_is_open(publicity_round: PublicityRound, now: datetime) -> bool:
    """Open from ``starts_at`` through the whole last second ``ends_at`` (23:59:59 is still in)."""
    return publicity_round.starts_at <= now and now.replace(microsecond=0) <= publicity_round.ends_at


# --- finalisation and the timer -------------------------------------------------------------


@transaction.atomic(durable=True)
def finalize_campaign(campaign_id: int, *, actor: User) -> list[int]:
    """Make every nomination still ``in_publicity`` final (the host's committee).

    The campaign is finished, unless its latest 公示 was over a subset and approved nominations
    remain outside it (rounds over subsets: a later round lists the 十佳): then it stays in 公示
    and the committee starts the next round, and finalises again after it.
    409 ``publicity_running`` while a window runs, ``objections_open`` while any objection of
    the campaign is undecided, ``publicity_not_allowed`` without a 公示. Returns the ids.
    """
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("host_org").get(pk=campaign_id)
    target = _campaign_target(campaign)
    check_committee(actor, campaign, target)
    rounds = PublicityRound.objects.filter(campaign=campaign, kind=PublicityRound.Kind.LIST)
    if campaign.status != Campaign.Status.PUBLICITY or not rounds.exists():
        raise PublicityNotAllowed(_("该活动尚未公示或已确定最终名单"), target=target)
    now = timezone.now()
    if any(window_is_open(r, now) or now < r.starts_at for r in rounds):
        raise PublicityRunning(target=target)
    open_count = Objection.objects.filter(nomination__campaign=campaign, status__in=Objection.OPEN).count()
    if open_count:
        raise ObjectionsOpen(_("还有 {n} 件异议未处理完毕，不能确定最终名单").format(n=open_count), target=target)
    nominations = list(
        Nomination.objects.select_for_update(of=("self",))
        .select_related("campaign", "unit")
        .filter(campaign=campaign, status=Nomination.Status.IN_PUBLICITY)
        .order_by("pk")
    )
    ids = [n.pk for n in nominations]
    Nomination.objects.filter(pk__in=ids).update(
        status=Nomination.Status.FINAL, version=F("version") + 1, updated_at=now
    )
    latest = rounds.order_by("-number").first()
    partial = bool(latest and latest.selection) and (
        Nomination.objects.filter(campaign=campaign, status=Nomination.Status.APPROVED).exists()
    )
    if not partial:
        campaign.status = Campaign.Status.FINISHED
    campaign.version += 1
    campaign.save(update_fields=["status", "version", "updated_at"])
    finalized: dict[str, Any] = {
        "final": ids,
        "old": {"status": Campaign.Status.PUBLICITY},
        "new": {"status": campaign.status},
    }
    if partial:
        finalized["partial"] = True
    record_event(audit_events.CAMPAIGN_FINALIZED, actor=actor, target=campaign, data=finalized)
    for nomination in nominations:
        record_event(audit_events.CAMPAIGN_FINALIZED, actor=actor, target=nomination, data={"status": "final"})
    invalidate_public_list(campaign.pk)
    publicity_events.campaign_finalized(campaign, nominations)
    return ids


@transaction.atomic(durable=True)
def _notice_one_ended_window(now: datetime) -> PublicityRound | None:
    publicity_round = (
        PublicityRound.objects.select_for_update(skip_locked=True)
        .filter(window_end_noticed_at__isnull=True, ends_at__lte=now - timedelta(seconds=1))
        .order_by("ends_at", "pk")
        .first()
    )
    if publicity_round is None:
        return None
    publicity_round.window_end_noticed_at = now
    publicity_round.save(update_fields=["window_end_noticed_at"])
    open_count = Objection.objects.filter(round=publicity_round, status__in=Objection.OPEN).count()
    record_event(
        audit_events.PUBLICITY_WINDOW_ENDED,
        actor=None,
        target=("workflows.campaign", str(publicity_round.campaign_id)),
        data={"round": publicity_round.pk, "ends_at": publicity_round.ends_at, "open_objections": open_count},
    )
    publicity_events.publicity_window_ended(publicity_round, open_objections=open_count)
    return publicity_round


def notice_ended_windows(now: datetime | None = None) -> list[int]:
    """Mark every 公示 window that has ended and tell the committee, once per window (beat).

    Each window is marked in its own transaction with a row lock taken ``skip_locked``, so two
    beats (or a retried task) never notice one window twice; it does not finalise anything.
    """
    now = now or timezone.now()
    noticed: list[int] = []
    while (publicity_round := _notice_one_ended_window(now)) is not None:
        noticed.append(publicity_round.pk)
    return noticed


__all__ = [
    "finalize_campaign",
    "notice_ended_windows",
    "start_publicity",
]
