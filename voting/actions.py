"""State changes of public likes (网络点赞); one function per action, atomic, authority checked, audited.

Exact counts: a vote is a row, counted by query. Casting locks the phone's live code row, so one
phone's concurrent votes queue and its daily limit holds; different phones never wait for each
other. Every limit counts the phone in its one canonical spelling (``normalize_phone``).
Limits per phone and per address live in Redis (approvals.ratelimit), shared by every worker.
A code is dead after its expiry or ``MAX_CODE_ATTEMPTS`` wrong guesses; a wrong guess is
committed even though the vote is refused, so guessing cannot go on by retrying.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals import ratelimit
from approvals.models import Nomination
from audit.trail import record_event
from config.db import advisory_xact_lock
from config.errors import InvalidInput, NotPermitted, NotVisible
from config.masking import is_mobile, normalize_phone
from judging import actions as judging_actions
from judging.exceptions import WrongMethod
from judging.models import Round
from voting import audit_events
from voting.exceptions import (
    AlreadyVoted,
    TooManyRequests,
    VoteLimit,
    VotingClosed,
    VotingExists,
    VotingNotOpen,
    WrongCode,
)
from voting.models import SmsCode, Vote, VotingEntry, VotingWindow
from workflows.models import Campaign
from workflows.rounds import decimal_of

MAX_CODE_ATTEMPTS = 5
CODE_MINUTES = 10
# The entries the public may like: approved and on their way to, or in, the final list.
LISTED = (Nomination.Status.APPROVED, Nomination.Status.IN_PUBLICITY, Nomination.Status.FINAL)


def _rate(name: str, default: str) -> tuple[int, int]:
    return ratelimit.parse_rate(getattr(settings, name, default))


def canonical_phone(phone: str) -> str:
    """The phone's one spelling; 400 unless it is a mainland mobile number."""
    normalised = normalize_phone(phone or "")
    if not is_mobile(normalised):
        raise InvalidInput.for_field("phone", _("请填写正确的手机号码"))
    return normalised


def _code_hash(phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"vote-code:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _committee_campaign(campaign_id: int, actor: User) -> Campaign:
    try:
        campaign = Campaign.objects.select_related("host_org").get(pk=campaign_id)
    except Campaign.DoesNotExist:
        raise NotVisible() from None
    if not permissions.can_run_voting(actor, campaign):
        raise NotPermitted(target=("workflows.campaign", str(campaign.pk)))
    return campaign


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


# --- the committee --------------------------------------------------------------------------


@transaction.atomic
def open_voting(
    campaign_id: int,
    round_key: str,
    *,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    per_phone_per_day: int,
) -> VotingWindow:
    """Open the public's window on a ``vote`` round (of weight 0): its entries are the listed
    (approved, in 公示 or final) nominations of the round's kinds, fixed now."""
    campaign = _committee_campaign(campaign_id, actor)
    definition = judging_actions.round_definition(campaign, round_key)
    if definition.get("method") != "vote":
        raise WrongMethod()
    errors: dict[str, list[str]] = {}
    if decimal_of(definition.get("weight", 0)) != 0:
        errors["round"] = [_("网络点赞轮次的权重须为0（按票数单独设奖）")]
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    if ends_at <= starts_at:
        errors["ends_at"] = [_("结束时间须晚于开始时间")]
    if not 1 <= per_phone_per_day <= 100:
        errors["per_phone_per_day"] = [_("每个手机号每天可投票数须在1到100之间")]
    if errors:
        raise InvalidInput(errors=errors)
    Round.objects.get_or_create(campaign=campaign, key=round_key)
    current = Round.objects.select_for_update().get(campaign=campaign, key=round_key)
    if current.status == Round.Status.CLOSED:
        raise VotingClosed()
    if VotingWindow.objects.filter(round=current).exists():
        raise VotingExists()
    entries = list(
        Nomination.objects.filter(campaign=campaign, kind__in=definition["kinds"], status__in=LISTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not entries:
        raise InvalidInput.for_field("round", _("本轮没有可供点赞的申报"))
    window = VotingWindow.objects.create(
        campaign=campaign, round=current, round_key=round_key, starts_at=starts_at, ends_at=ends_at,
        per_phone_per_day=per_phone_per_day, opened_by=actor,
    )  # fmt: skip
    VotingEntry.objects.bulk_create(VotingEntry(window=window, nomination_id=i) for i in entries)
    record_event(
        audit_events.VOTING_OPENED,
        actor=actor,
        target=window,
        data={
            "round": round_key, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
            "per_phone_per_day": per_phone_per_day, "entries": entries,
        },
    )  # fmt: skip
    return window


def _committee_window(window_id: int, actor: User) -> VotingWindow:
    try:
        window = VotingWindow.objects.select_related("campaign__host_org").get(pk=window_id)
    except VotingWindow.DoesNotExist:
        raise NotVisible() from None
    if not permissions.can_run_voting(actor, window.campaign):
        raise NotPermitted(target=("voting.votingwindow", str(window.pk)))
    return window


@dataclass(frozen=True)
class VoteFilter:
    """Which votes to void besides explicit ids: from an address, a phone prefix, a time span."""

    address: str = ""
    phone_prefix: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def q(self) -> Q:
        q = Q()
        if self.address:
            q &= Q(address=self.address)
        if self.phone_prefix:
            q &= Q(phone__startswith=self.phone_prefix)
        if self.since is not None:
            q &= Q(created_at__gte=self.since)
        if self.until is not None:
            q &= Q(created_at__lt=self.until)
        return q

    def empty(self) -> bool:
        return not (self.address or self.phone_prefix or self.since or self.until)


@transaction.atomic
def void_votes(
    window_id: int, *, actor: User, reason: str, ids: Iterable[int] = (), where: VoteFilter | None = None
) -> list[int]:
    """The committee voids votes (by id, or by a filter), with a recorded reason; returns their ids.

    The votes stay, marked; counts leave them out. Voiding after the window closed is refused
    (the results were written from the counts)."""
    window = _committee_window(window_id, actor)
    if not reason.strip():
        raise InvalidInput.for_field("reason", _("请填写作废原因"))
    wanted = sorted(set(ids))
    if not wanted and (where is None or where.empty()):
        raise InvalidInput.for_field("ids", _("请指定要作废的点赞票或筛选条件"))
    locked = VotingWindow.objects.select_for_update().get(pk=window.pk)
    if locked.closed_at is not None:
        raise VotingClosed()
    votes = Vote.objects.filter(window=window, voided=False)
    if wanted:
        votes = votes.filter(pk__in=wanted)
    if where is not None and not where.empty():
        votes = votes.filter(where.q())
    chosen = sorted(votes.values_list("pk", flat=True))
    Vote.objects.filter(pk__in=chosen).update(
        voided=True, void_reason=reason[:500], voided_by=actor, voided_at=timezone.now()
    )
    record_event(
        audit_events.VOTES_VOIDED,
        actor=actor,
        target=window,
        data={
            "reason": reason, "votes": chosen, "asked_ids": wanted,
            "filter": None if where is None else {
                "address": where.address, "phone_prefix": where.phone_prefix,
                "since": where.since.isoformat() if where.since else None,
                "until": where.until.isoformat() if where.until else None,
            },
        },
    )  # fmt: skip
    return chosen


def counts(window: VotingWindow) -> dict[int, int]:
    """entry → its votes not voided (every entry, 0 included); two queries."""
    tally = dict.fromkeys(VotingEntry.objects.filter(window=window).values_list("nomination_id", flat=True), 0)
    for nomination_id, n in (
        Vote.objects.filter(window=window, voided=False).values("nomination_id").annotate(n=Count("id"))
        .values_list("nomination_id", "n")
    ):  # fmt: skip
        tally[nomination_id] = n
    return tally


@transaction.atomic
def close_voting(window_id: int, *, actor: User) -> VotingWindow:
    """End the window (from its end time on) and write the round's results by votes
    (judging's RoundResult, ranked per kind with ties), so the round's own tiers can be allocated."""
    window = _committee_window(window_id, actor)
    locked = VotingWindow.objects.select_for_update().get(pk=window.pk)
    if locked.closed_at is not None:
        raise VotingClosed()
    advisory_xact_lock("vote-window", locked.pk)  # waits for the votes in flight (see _window_shared_lock)
    now = timezone.now()
    if now < locked.ends_at:
        raise VotingNotOpen(_("点赞尚未截止，截止后才能结束统计"))
    tally = counts(locked)
    judging_actions.record_vote_results(window.campaign_id, window.round_key, actor=actor, votes=tally)
    locked.closed_at = now
    locked.closed_by = actor
    locked.save(update_fields=["closed_at", "closed_by"])
    record_event(
        audit_events.VOTING_CLOSED,
        actor=actor,
        target=locked,
        data={"votes": {str(k): v for k, v in sorted(tally.items())}, "total": sum(tally.values())},
    )
    return locked


# --- the public -----------------------------------------------------------------------------


def check_code_rate(phone: str, address: str) -> None:
    """429 beyond the codes per phone or per address (Redis, shared by every worker)."""
    limit, window = _rate("SEALFLOW_VOTE_CODE_RATE_PER_ADDRESS", "30/h")
    over = bool(address) and ratelimit.hit("vote-code-ip", address, limit=limit, window_seconds=window)
    limit, window = _rate("SEALFLOW_VOTE_CODE_RATE_PER_PHONE", "5/h")
    over = ratelimit.hit("vote-code-phone", phone, limit=limit, window_seconds=window) or over
    if over:
        raise TooManyRequests(_("获取验证码过于频繁，请稍后再试"))


@transaction.atomic
def send_vote_code(phone: str, *, address: str = "") -> SmsCode:
    """Send a 6-digit code to the phone by SMS (through the notification outbox); stored hashed.

    A new code replaces the phone's earlier ones (they die now)."""
    canonical = canonical_phone(phone)
    check_code_rate(canonical, address)
    now = timezone.now()
    SmsCode.objects.filter(phone=canonical, expires_at__gt=now).update(expires_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    sms = SmsCode.objects.create(
        phone=canonical, code_hash=_code_hash(canonical, code), expires_at=now + timedelta(minutes=CODE_MINUTES),
        address=address or None,
    )  # fmt: skip
    record_event(audit_events.VOTE_CODE_SENT, actor=None, target=sms, data={"phone": canonical[:7] + "****"})
    from notifications import events

    events.vote_code(code_id=sms.pk, phone=canonical, code=code, minutes=CODE_MINUTES)
    return sms


def check_vote_rate(address: str) -> None:
    """429 beyond the votes per address (Redis, shared by every worker)."""
    if not address:
        return
    limit, window = _rate("SEALFLOW_VOTE_RATE_PER_ADDRESS", "300/h")
    if ratelimit.hit("vote-ip", address, limit=limit, window_seconds=window):
        raise TooManyRequests()


def _open_window(nomination_id: int, now: datetime) -> VotingWindow:
    """The window the entry is voted in: 404 when none lists it, 409 outside its time or once closed."""
    windows = list(VotingWindow.objects.filter(entries__nomination_id=nomination_id).order_by("-starts_at"))
    if not windows:
        raise NotVisible(_("该作品不在网络点赞范围内"))
    for window in windows:
        if window.closed_at is None and window.starts_at <= now < window.ends_at:
            return window
    if any(w.closed_at is None and now < w.starts_at for w in windows):
        raise VotingNotOpen(_("网络点赞尚未开始"))
    raise VotingClosed()


def _window_shared_lock(window_id: int) -> None:
    """Votes hold the window's lock shared (they never wait on each other); ``close_voting`` takes
    it exclusive, so a vote is either counted in the results or refused, never written after them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtextextended(%s, 0))", [f"vote-window:{window_id}"])


@transaction.atomic
def _vote_or_count_guess(
    window: VotingWindow, nomination_id: int, *, phone: str, code: str, address: str
) -> Vote | None:
    """The vote, or None when the code is wrong, dead or missing; a wrong guess is counted and
    committed with this transaction (the caller raises ``WrongCode`` after it).

    The phone is locked (an advisory lock on its canonical spelling), so one phone's concurrent
    votes queue: N per phone per day, one per entry per day, hold under any concurrency."""
    advisory_xact_lock("vote-phone", phone)
    _window_shared_lock(window.pk)
    now = timezone.now()
    if not window.starts_at <= now < window.ends_at:
        raise VotingClosed()
    sms = SmsCode.objects.filter(phone=phone, expires_at__gt=now).order_by("-id").first()
    if sms is None or sms.attempts >= MAX_CODE_ATTEMPTS:
        return None
    if not hmac.compare_digest(sms.code_hash, _code_hash(phone, (code or "").strip())):
        SmsCode.objects.filter(pk=sms.pk).update(attempts=F("attempts") + 1)
        return None
    day = timezone.localdate(now)
    used = list(Vote.objects.filter(window=window, phone=phone, day=day).values_list("nomination_id", flat=True))
    if nomination_id in used:
        raise AlreadyVoted()
    if len(used) >= window.per_phone_per_day:
        raise VoteLimit()
    try:
        vote = Vote.objects.create(
            window=window, nomination_id=nomination_id, phone=phone, day=day, address=address or None
        )
    except IntegrityError:  # cannot happen under the phone's lock; refused all the same, never a 500
        raise AlreadyVoted() from None
    record_event(
        audit_events.VOTE_CAST,
        actor=None,
        target=vote,
        data={"window": window.pk, "nomination": nomination_id, "phone": phone[:7] + "****", "address": address},
    )
    return vote


def cast_vote(nomination_id: int, *, phone: str, code: str, address: str = "") -> Vote:
    """A like from the public: the code sent to the phone, within the window, within the limits.

    400 a wrong phone or code (a wrong guess counts towards the code's ``MAX_CODE_ATTEMPTS``),
    404 an entry nobody votes on, 409 outside the window or the same entry twice a day, 429 over
    the limits. The window is read before a guess is spent; the vote is one transaction
    (``_vote_or_count_guess``), which commits a wrong guess and writes nothing else then."""
    canonical = canonical_phone(phone)
    check_vote_rate(address)
    window = _open_window(nomination_id, timezone.now())
    vote = _vote_or_count_guess(window, nomination_id, phone=canonical, code=code, address=address)
    if vote is None:
        raise WrongCode(errors={"code": [str(WrongCode.message)]})
    return vote
