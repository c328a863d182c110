"""公示, objections, revocation and finalisation (issue 6).

Every action is one durable transaction: it locks what it changes (nominations in id order
before objections, the campaign before its nominations), re-checks state and authority under
the lock, writes its rows and its audit events, and its notifications through the hooks of
``approvals/publicity_events.py`` (outbox rows in the same transaction). The objector's identity never enters the
audit trail; each read of it is an event of its own.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any, BinaryIO, cast

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals import audit_events, filestore, publicity_events, uploads
from approvals.exceptions import (
    AnonymousObjection,
    NothingToPublicise,
    NotRevocable,
    ObjectionAlreadyDecided,
    ObjectionsOpen,
    PublicityClosed,
    PublicityNotAllowed,
    PublicityRunning,
    SubmissionBarred,
)
from approvals.models import (
    Nomination,
    Objection,
    ObjectionEvidence,
    ObjectionFinding,
    PublicityEntry,
    PublicityRound,
    Revocation,
    SubmissionBar,
)
from audit.trail import record_event
from config.errors import InvalidInput, NotPermitted, NotVisible
from workflows import calendar
from workflows.models import Campaign

INVESTIGATE = permissions.INVESTIGATE_OBJECTION
CONTENT_MIN, CONTENT_MAX = 10, 5000
EVIDENCE_MAX_FILES = 5
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = ("pdf", "jpg", "png")
# Mainland mobile numbers and landlines with an area code (e.g. 021-12345678).
_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
PUBLIC_CACHE_KEY = "publicity:public:{campaign_id}"


def _campaign_target(campaign: Campaign) -> tuple[str, str]:
    return ("workflows.campaign", str(campaign.pk))


def _nomination_target(nomination: Nomination) -> tuple[str, str]:
    return ("approvals.nomination", str(nomination.pk))


def _objection_target(objection: Objection) -> tuple[str, str]:
    return ("approvals.objection", str(objection.pk))


def _check_committee(actor: User, campaign: Campaign, target: tuple[str, str]) -> None:
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


@transaction.atomic(durable=True)
def start_publicity(
    campaign_id: int,
    *,
    actor: User,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    title: str = "",
    how_to_object: str = "",
) -> PublicityRound:
    """Put every ``approved`` nomination of the campaign on public announcement (公示).

    The window is ``starts_at`` (default now) to ``ends_at``, or, without ``ends_at``, the end
    computed once from the campaign's settings on the working-day calendar (409
    ``calendar_not_covered`` for a year without data). Locks the campaign, then the
    nominations in id order; the host's committee only.
    """
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("host_org").get(pk=campaign_id)
    target = _campaign_target(campaign)
    _check_committee(actor, campaign, target)
    if campaign.status not in PUBLICITY_FROM:
        raise PublicityNotAllowed(target=target)
    starts_at = starts_at or timezone.now()
    computed = ends_at is None
    if ends_at is None:
        if not campaign.publicity_days:
            raise InvalidInput.for_field(
                "ends_at", _("活动未设置公示天数，请填写公示结束时间"), code="publicity_days_missing"
            )
        ends_at = calendar.publicity_window(
            starts_at,
            days=campaign.publicity_days,
            working_days=campaign.publicity_working_days,
            count_start=campaign.publicity_counts_publication_day,
        ).ends_at
    if ends_at <= starts_at:
        raise InvalidInput.for_field("ends_at", _("公示结束时间应晚于开始时间"), code="invalid_window")
    nominations = list(
        Nomination.objects.select_for_update(of=("self",))
        .filter(campaign=campaign, status=Nomination.Status.APPROVED)
        .order_by("pk")
    )
    if not nominations:
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
    )
    PublicityEntry.objects.bulk_create(PublicityEntry(round=publicity_round, nomination=n) for n in nominations)
    Nomination.objects.filter(pk__in=[n.pk for n in nominations]).update(
        status=Nomination.Status.IN_PUBLICITY, version=F("version") + 1, updated_at=timezone.now()
    )
    old_status = campaign.status
    campaign.status = Campaign.Status.PUBLICITY
    campaign.version += 1
    campaign.save(update_fields=["status", "version", "updated_at"])
    window = {"round": publicity_round.pk, "number": number, "starts_at": starts_at, "ends_at": ends_at}
    record_event(
        audit_events.PUBLICITY_STARTED,
        actor=actor,
        target=campaign,
        data={**window, "computed": computed, "days": campaign.publicity_days,
              "working_days": campaign.publicity_working_days, "nominations": [n.pk for n in nominations],
              "old": {"status": old_status}, "new": {"status": campaign.status}},
    )  # fmt: skip
    for nomination in nominations:
        record_event(audit_events.PUBLICITY_STARTED, actor=actor, target=nomination, data=window)
    invalidate_public_list(campaign.pk)
    publicity_events.publicity_started(publicity_round)
    return publicity_round


def window_is_open(publicity_round: PublicityRound, now: datetime) -> bool:
    """Open from ``starts_at`` through the whole last second ``ends_at`` (23:59:59 is still in)."""
    return publicity_round.starts_at <= now and now.replace(microsecond=0) <= publicity_round.ends_at


# --- objections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectorInput:
    kind: str
    name: str
    phone: str
    unit_name: str = ""
    unit_contact: str = ""


def normalise_phone(phone: str) -> str:
    return re.sub(r"[\s()（）]", "", phone or "")


def check_objection_input(objector: ObjectorInput, content: str) -> None:
    """Real name and a reachable phone; for a unit its name and contact; content within limits (400)."""
    kind = objector.kind
    if kind not in Objection.ObjectorKind.values:
        raise InvalidInput.for_field("objector_kind", _("异议人类型应为个人（person）或单位（unit）"))
    missing = []
    if not objector.name.strip():
        missing.append("name")
    if not objector.phone.strip():
        missing.append("phone")
    if kind == Objection.ObjectorKind.UNIT:
        missing += [f for f in ("unit_name", "unit_contact") if not getattr(objector, f).strip()]
    if missing:
        message = str(AnonymousObjection.message)
        raise AnonymousObjection(errors={field: [message] for field in missing})
    errors: dict[str, list[str]] = {}
    if not _PHONE_RE.match(normalise_phone(objector.phone)):
        errors["phone"] = [_("请填写有效的手机号或带区号的固定电话")]
    if len(objector.name.strip()) > 100:
        errors["name"] = [_("姓名最多 100 个字符")]
    text = content.strip()
    if not CONTENT_MIN <= len(text) <= CONTENT_MAX:
        errors["content"] = [
            _("异议内容应为 {low} 到 {high} 个字，写明事实和理由").format(low=CONTENT_MIN, high=CONTENT_MAX)
        ]
    if errors:
        raise InvalidInput(errors=errors)


def _new_receipt() -> str:
    # 120 bits from the OS's CSPRNG, base32 without look-alike padding: 24 characters.
    return base64.b32encode(secrets.token_bytes(15)).decode()


def current_list_round(nomination: Nomination) -> PublicityRound | None:
    """The latest 公示 list the nomination is on."""
    return (
        PublicityRound.objects.filter(entries__nomination=nomination, kind=PublicityRound.Kind.LIST)
        .order_by("-number")
        .first()
    )


@transaction.atomic(durable=True)
def file_objection(
    nomination_id: int,
    *,
    objector: ObjectorInput,
    content: str,
    evidence: Iterable[tuple[str, IO[bytes]]] = (),
    ip_address: str | None = None,
) -> Objection:
    """File a real-name objection to a nomination on 公示, without an account; returns it with its receipt.

    400 for anonymous, empty or malformed input and rejected evidence files; 404 when the
    nomination is not on a public list; 409 ``publicity_closed`` before the window opens,
    after its last second, or once the nomination is no longer in publicity.
    """
    check_objection_input(objector, content)
    files = list(evidence)
    if len(files) > EVIDENCE_MAX_FILES:
        raise InvalidInput.for_field(
            "evidence", _("证明材料最多 {n} 个文件").format(n=EVIDENCE_MAX_FILES), code="attachment_limit"
        )
    infos = [
        (uploads.inspect_upload(name, cast(BinaryIO, stream), allowed_types=EVIDENCE_TYPES,
                                max_size=EVIDENCE_MAX_BYTES), stream)
        for name, stream in files
    ]  # fmt: skip
    nomination = Nomination.objects.select_for_update(of=("self",)).filter(pk=nomination_id).first()
    if nomination is None:
        raise NotVisible()
    publicity_round = current_list_round(nomination)
    if publicity_round is None:
        raise NotVisible()
    now = timezone.now()
    target = _nomination_target(nomination)
    if now < publicity_round.starts_at:
        raise PublicityClosed(_("公示尚未开始，不能提出异议"), target=target)
    if not window_is_open(publicity_round, now):
        raise PublicityClosed(_("公示期已结束，不能再提出异议"), target=target)
    if nomination.status != Nomination.Status.IN_PUBLICITY:
        raise PublicityClosed(_("该申报已不在公示中"), target=target)
    unit = objector.kind == Objection.ObjectorKind.UNIT
    objection = Objection.objects.create(
        round=publicity_round,
        nomination=nomination,
        receipt=_new_receipt(),
        objector_kind=objector.kind,
        objector_name=objector.name.strip(),
        objector_phone=normalise_phone(objector.phone),
        unit_name=objector.unit_name.strip() if unit else "",
        unit_contact=objector.unit_contact.strip() if unit else "",
        content=content.strip(),
        filed_at=now,
        ip_address=ip_address,
    )
    for info, stream in infos:
        stored = filestore.store(info, stream)
        ObjectionEvidence.objects.create(
            objection=objection, type=info.type, mime=info.mime, size=info.size, sha256=info.sha256,
            display_name=info.display_name, storage_name=stored,
        )  # fmt: skip
    # The identity stays out of the trail: the event names the objection, never the objector.
    record_event(
        audit_events.OBJECTION_FILED,
        actor=None,
        target=objection,
        data={"nomination": nomination.pk, "round": publicity_round.pk, "objector_kind": objector.kind,
              "evidence": [info.sha256 for info, _stream in infos], "content_sha256": _sha(objection.content)},
    )  # fmt: skip
    publicity_events.objection_filed(objection)
    return objection


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _lock_objection(objection_id: int) -> tuple[Nomination, Objection]:
    """Lock the objection's nomination, then the objection (the order every action here keeps)."""
    nomination_id = Objection.objects.filter(pk=objection_id).values_list("nomination_id", flat=True).first()
    if nomination_id is None:
        raise NotVisible()
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("campaign", "campaign__host_org", "unit")
        .get(pk=nomination_id)
    )
    objection = Objection.objects.select_for_update(of=("self",)).get(pk=objection_id)
    objection.nomination = nomination  # the locked row, with its campaign and unit
    return nomination, objection


@transaction.atomic(durable=True)
def assign_investigator(objection_id: int, *, actor: User, investigator_id: int) -> Objection:
    """Make ``investigator_id`` the investigator of an open objection (a per-object grant, django-guardian).

    The previous investigator's grant is withdrawn. The investigator reads the content and
    records findings, never the objector's identity.
    """
    nomination, objection = _lock_objection(objection_id)
    target = _objection_target(objection)
    _check_committee(actor, nomination.campaign, target)
    if objection.status not in Objection.OPEN:
        raise ObjectionAlreadyDecided(target=target)
    investigator = User.objects.filter(pk=investigator_id, is_active=True).first()
    if investigator is None or not permissions.can_be_investigator(investigator, nomination):
        raise InvalidInput.for_field(
            "investigator", _("调查人应为组委会、评审专家或申报单位上级民政部门的人员"), code="invalid_investigator"
        )
    previous = objection.investigator
    if previous is not None and previous.pk != investigator.pk:
        permissions.revoke_object_permission(previous, INVESTIGATE, objection)
    permissions.grant_object_permission(investigator, INVESTIGATE, objection)
    objection.investigator = investigator
    objection.status = Objection.Status.INVESTIGATING
    objection.save(update_fields=["investigator", "status"])
    record_event(
        audit_events.OBJECTION_ASSIGNED,
        actor=actor,
        target=objection,
        data={"investigator": investigator.pk, "previous": previous.pk if previous else None},
    )
    return objection


@transaction.atomic(durable=True)
def record_finding(objection_id: int, *, actor: User, text: str) -> ObjectionFinding:
    """Add a note of the investigation (the assigned investigator or the committee)."""
    nomination, objection = _lock_objection(objection_id)
    target = _objection_target(objection)
    if not permissions.may_investigate(actor, objection):
        raise NotPermitted(target=target)
    if objection.status not in Objection.OPEN:
        raise ObjectionAlreadyDecided(target=target)
    text = text.strip()
    if not text:
        raise InvalidInput.for_field("text", _("请填写调查核实情况"), code="finding_required")
    finding = ObjectionFinding.objects.create(objection=objection, author=actor, text=text, created_at=timezone.now())
    if objection.status == Objection.Status.RECEIVED:
        objection.status = Objection.Status.INVESTIGATING
        objection.save(update_fields=["status"])
    record_event(
        audit_events.OBJECTION_FINDING_RECORDED,
        actor=actor,
        target=objection,
        data={"finding": finding.pk, "text_sha256": _sha(text)},
    )
    return finding


DEFAULT_RESPONSES = {
    Objection.Status.UPHELD: "经调查核实，异议成立，该申报已被撤销。感谢您的监督。",
    Objection.Status.DISMISSED: "经调查核实，异议不成立。感谢您的监督。",
}


@transaction.atomic(durable=True)
def decide_objection(objection_id: int, *, actor: User, outcome: str, finding: str, response: str = "") -> Objection:
    """Decide an open objection ``upheld`` or ``dismissed`` with a finding (the host's committee).

    Upheld revokes the nomination in the same transaction (unless it is revoked already). The
    response (a default by outcome when empty) is published to the objector's receipt.
    """
    nomination, objection = _lock_objection(objection_id)
    target = _objection_target(objection)
    _check_committee(actor, nomination.campaign, target)
    if objection.status not in Objection.OPEN:
        raise ObjectionAlreadyDecided(target=target)
    if outcome not in (Objection.Status.UPHELD, Objection.Status.DISMISSED):
        raise InvalidInput.for_field("outcome", _("处理结果应为 upheld（成立）或 dismissed（不成立）"))
    finding = finding.strip()
    if not finding:
        raise InvalidInput.for_field("finding", _("请填写处理意见"), code="finding_required")
    objection.status = outcome
    objection.finding = finding
    objection.response = response.strip() or DEFAULT_RESPONSES[Objection.Status(outcome)]
    objection.decided_at = timezone.now()
    objection.decided_by = actor
    objection.save(update_fields=["status", "finding", "response", "decided_at", "decided_by"])
    revoked = False
    if outcome == Objection.Status.UPHELD and nomination.status != Nomination.Status.REVOKED:
        _revoke(nomination, actor=actor, reason=finding, objection=objection)
        revoked = True
    record_event(
        audit_events.OBJECTION_DECIDED,
        actor=actor,
        target=objection,
        data={"outcome": outcome, "nomination": nomination.pk, "revoked": revoked, "finding_sha256": _sha(finding)},
    )
    publicity_events.objection_decided(objection)
    return objection


@transaction.atomic(durable=True)
def read_objector_identity(objection_id: int, *, actor: User) -> dict[str, str]:
    """The objector's identity, for the host's committee only; the read itself is audited."""
    objection = Objection.objects.select_related("nomination__campaign__host_org").filter(pk=objection_id).first()
    if objection is None:
        raise NotVisible()
    _check_committee(actor, objection.nomination.campaign, _objection_target(objection))
    record_event(audit_events.OBJECTION_IDENTITY_READ, actor=actor, target=objection, data={})
    return {
        "objector_kind": objection.objector_kind,
        "name": objection.objector_name,
        "phone": objection.objector_phone,
        "unit_name": objection.unit_name,
        "unit_contact": objection.unit_contact,
    }


@transaction.atomic(durable=True)
def read_objection_evidence(objection_id: int, evidence_id: int, *, actor: User) -> ObjectionEvidence:
    """An evidence file (often a signed or sealed scan, so it identifies the objector): the host's
    committee only, each read audited as a read of the identity."""
    evidence = (
        ObjectionEvidence.objects.select_related("objection__nomination__campaign__host_org")
        .filter(pk=evidence_id, objection_id=objection_id)
        .first()
    )
    if evidence is None:
        raise NotVisible()
    objection = evidence.objection
    _check_committee(actor, objection.nomination.campaign, _objection_target(objection))
    record_event(audit_events.OBJECTION_IDENTITY_READ, actor=actor, target=objection, data={"evidence": evidence.pk})
    return evidence


# --- revocation and claw-back -------------------------------------------------------------

REVOCABLE = (Nomination.Status.APPROVED, Nomination.Status.IN_PUBLICITY, Nomination.Status.FINAL)


@dataclass(frozen=True)
class Recovery:
    """What must be recovered (追回) from a final award."""

    prize_money: Decimal | None = None
    certificate: bool = False
    note: str = ""


@dataclass(frozen=True)
class Bar:
    """No submissions for ``years`` by the nominee's unit and/or a person (by ID number)."""

    years: int
    unit: bool = False
    person_id_number: str = ""
    person_name: str = ""


def id_hash(id_number: str) -> str:
    return hashlib.sha256(id_number.strip().upper().encode()).hexdigest()


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _revoke(
    nomination: Nomination,
    *,
    actor: User,
    reason: str,
    objection: Objection | None = None,
    recovery: Recovery | None = None,
    bar: Bar | None = None,
    publish: bool = False,
) -> Revocation:
    """Revoke a locked nomination inside the caller's transaction (decide_objection, revoke_nomination)."""
    assert transaction.get_connection().in_atomic_block
    target = _nomination_target(nomination)
    if nomination.status not in REVOCABLE:
        raise NotRevocable(target=target)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.for_field("reason", _("请填写撤销理由"), code="reason_required")
    was_final = nomination.status == Nomination.Status.FINAL
    if recovery is not None and (recovery.prize_money or recovery.certificate) and not was_final:
        raise InvalidInput.for_field(
            "recover", _("只有已确定的奖项才需要追回奖金或证书"), code="recovery_only_after_final"
        )
    now = timezone.now()
    revocation = Revocation.objects.create(
        nomination=nomination,
        reason=reason,
        status_before=nomination.status,
        objection=objection,
        revoked_by=actor,
        revoked_at=now,
        recover_prize_money=recovery.prize_money if recovery else None,
        recover_certificate=recovery.certificate if recovery else False,
        recovery_note=recovery.note if recovery else "",
    )
    bars = []
    if bar is not None:
        until = _add_years(timezone.localdate(), bar.years)
        if bar.unit:
            bars.append(SubmissionBar.objects.create(revocation=revocation, unit=nomination.unit, until=until))
        if bar.person_id_number.strip():
            bars.append(
                SubmissionBar.objects.create(
                    revocation=revocation,
                    person_id_hash=id_hash(bar.person_id_number),
                    person_label=bar.person_name.strip()[:100],
                    until=until,
                )  # fmt: skip
            )
    if publish:
        revocation.notice = _publish_revocation(nomination, actor=actor, now=now)
        revocation.save(update_fields=["notice"])
    old_status = nomination.status
    nomination.status = Nomination.Status.REVOKED
    nomination.version += 1
    nomination.save(update_fields=["status", "version", "updated_at"])
    record_event(
        audit_events.NOMINATION_REVOKED,
        actor=actor,
        target=nomination,
        data={"revocation": revocation.pk, "reason": reason, "objection": objection.pk if objection else None,
              "old": {"status": old_status}, "new": {"status": nomination.status},
              "recover": {"prize_money": revocation.recover_prize_money,
                          "certificate": revocation.recover_certificate} if was_final else None,
              "bars": [{"id": b.pk, "unit": b.unit_id, "person": bool(b.person_id_hash), "until": b.until}
                       for b in bars],
              "notice": revocation.notice_id},
    )  # fmt: skip
    invalidate_public_list(nomination.campaign_id)
    publicity_events.nomination_revoked(nomination, reason=reason)
    return revocation


def _publish_revocation(nomination: Nomination, *, actor: User, now: datetime) -> PublicityRound:
    campaign = nomination.campaign
    number = (PublicityRound.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0) + 1
    notice = PublicityRound.objects.create(
        campaign=campaign, number=number, kind=PublicityRound.Kind.REVOCATION,
        title=_("关于撤销“{title}”的公示").format(title=nomination.title),
        starts_at=now, ends_at=now + timedelta(days=7), started_by=actor,
        # A notice has no objection window to watch.
        window_end_noticed_at=now,
    )  # fmt: skip
    PublicityEntry.objects.create(round=notice, nomination=nomination)
    publicity_events.publicity_started(notice)
    return notice


def _check_bar(bar: Bar) -> None:
    """A bar lasts 1 to 20 years and names the unit, a person, or both (400 ``invalid_bar``)."""
    if not 1 <= bar.years <= 20:
        raise InvalidInput.for_field("bar.years", _("限制申报年限应为 1 到 20 年"), code="invalid_bar")
    if not bar.unit and not bar.person_id_number.strip():
        raise InvalidInput.for_field("bar", _("请指明限制申报的单位或人员"), code="invalid_bar")


@transaction.atomic(durable=True)
def revoke_nomination(
    nomination_id: int,
    *,
    actor: User,
    reason: str,
    recovery: Recovery | None = None,
    bar: Bar | None = None,
    publish: bool = False,
) -> Revocation:
    """Revoke (撤销) a nomination any time from approval on (the host's committee).

    After ``final`` it also records what must be recovered (prize money, certificate); a bar
    on the unit or a person for N years is checked at later submissions; ``publish`` puts the
    revocation on a 公示 notice of its own.
    """
    if bar is not None:
        _check_bar(bar)
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("campaign", "campaign__host_org", "unit")
        .filter(pk=nomination_id)
        .first()
    )
    if nomination is None:
        raise NotVisible()
    _check_committee(actor, nomination.campaign, _nomination_target(nomination))
    return _revoke(nomination, actor=actor, reason=reason, recovery=recovery, bar=bar, publish=publish)


def check_submission_bars(nomination: Nomination, id_numbers: Iterable[str]) -> None:
    """Refuse a submission (409 ``submission_barred``) by a barred unit or with a barred person on it."""
    today = timezone.localdate()
    bars = SubmissionBar.objects.filter(until__gte=today)
    hashes = {id_hash(n) for n in id_numbers if n}
    barred = bars.filter(unit_id=nomination.unit_id).exists() or (
        bool(hashes) and bars.filter(person_id_hash__in=hashes).exists()
    )
    if barred:
        raise SubmissionBarred(target=_nomination_target(nomination))


def form_id_numbers(definition: dict[str, Any], form: dict[str, Any]) -> list[str]:
    """Every ID number in a nomination's form, top level and inside person lists."""
    found: list[str] = []
    for field in definition.get("fields", []):
        value = form.get(field.get("key"))
        if field.get("type") == "id_number" and isinstance(value, str):
            found.append(value)
        elif field.get("type") == "person_list" and isinstance(value, list):
            for person in value:
                if isinstance(person, dict):
                    found += form_id_numbers({"fields": field.get("fields", [])}, person)
    return found


# --- finalisation and the timer -------------------------------------------------------------


@transaction.atomic(durable=True)
def finalize_campaign(campaign_id: int, *, actor: User) -> list[int]:
    """Make every nomination still ``in_publicity`` final (the host's committee).

    409 ``publicity_running`` while a window runs, ``objections_open`` while any objection of
    the campaign is undecided, ``publicity_not_allowed`` without a 公示. Returns the ids.
    """
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("host_org").get(pk=campaign_id)
    target = _campaign_target(campaign)
    _check_committee(actor, campaign, target)
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
    campaign.status = Campaign.Status.FINISHED
    campaign.version += 1
    campaign.save(update_fields=["status", "version", "updated_at"])
    record_event(
        audit_events.CAMPAIGN_FINALIZED,
        actor=actor,
        target=campaign,
        data={"final": ids, "old": {"status": Campaign.Status.PUBLICITY}, "new": {"status": campaign.status}},
    )
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
    "Bar",
    "ObjectorInput",
    "Recovery",
    "assign_investigator",
    "check_submission_bars",
    "decide_objection",
    "file_objection",
    "finalize_campaign",
    "notice_ended_windows",
    "read_objection_evidence",
    "read_objector_identity",
    "record_finding",
    "revoke_nomination",
    "start_publicity",
]
