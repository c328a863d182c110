"""Revocation (撤销) of a nomination, with claw-back after ``final`` and submission bars (issue 6).

``revoke_nomination`` is one durable transaction; ``revoke_in_transaction`` revokes a nomination
the caller has locked (an upheld objection). The bars are checked at later submissions
(``check_submission_bars``, called by ``approvals.actions.nominations``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from approvals import audit_events, hooks, publicity_events
from approvals.actions.publicity import check_committee, invalidate_public_list, nomination_target
from approvals.exceptions import NotRevocable, SubmissionBarred
from approvals.models import Nomination, Objection, PublicityEntry, PublicityRound, Revocation, SubmissionBar
from audit.trail import record_event
from config.errors import InvalidInput, NotVisible

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


def revoke_in_transaction(
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
    target = nomination_target(nomination)
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
    # Apps above (awards: the nomination's award is revoked) act in this same transaction.
    hooks.nomination_revoked.send(sender=Nomination, nomination=nomination, actor=actor, revocation=revocation)
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
    check_committee(actor, nomination.campaign, nomination_target(nomination))
    return revoke_in_transaction(nomination, actor=actor, reason=reason, recovery=recovery, bar=bar, publish=publish)


def check_submission_bars(nomination: Nomination, id_numbers: Iterable[str]) -> None:
    """Refuse a submission (409 ``submission_barred``) by a barred unit or with a barred person on it."""
    today = timezone.localdate()
    bars = SubmissionBar.objects.filter(until__gte=today)
    hashes = {id_hash(n) for n in id_numbers if n}
    barred = bars.filter(unit_id=nomination.unit_id).exists() or (
        bool(hashes) and bars.filter(person_id_hash__in=hashes).exists()
    )
    if barred:
        raise SubmissionBarred(target=nomination_target(nomination))


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


__all__ = [
    "Bar",
    "Recovery",
    "check_submission_bars",
    "revoke_nomination",
]
