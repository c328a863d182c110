"""Entrant lists with 顺延 ([002] 附件1: 24 受理中心 by a third party's ranking; one that declines is
replaced by the next in rank).

The committee sets a kind's ranked list before intake opens; a listed unit (or the committee for
it) declines its place with a reason, and the next reserve in rank holds the place from then on
(``workflows.entrants.standings``), recorded in the audit and notified. Each action locks the
campaign row first, re-checks under the lock, and audits in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Organization, User
from accounts.roles import OrgKind
from approvals import audit_events
from approvals.exceptions import (
    EntrantDeclineClosed,
    EntrantListLocked,
    EntrantPlaceAlreadyDeclined,
    EntrantPlaceInUse,
    NotOnEntrantList,
)
from approvals.models import Nomination
from audit.trail import record_event
from config.errors import InvalidInput, NotPermitted
from notifications import events as notification_events
from workflows import entrants
from workflows import selectors as campaign_selectors
from workflows.models import Campaign, EntrantList, EntrantListEntry
from workflows.specs import check_choice_answer

REASON_MAX = 500
# Places may be declined while units may still enter: before intake opens and during it.
DECLINE_OPEN = (Campaign.Status.DRAFT, Campaign.Status.OPEN)


def _target(campaign: Campaign) -> tuple[str, str]:
    return ("workflows.campaign", str(campaign.pk))


def _lock_campaign(campaign_id: int) -> Campaign:
    return Campaign.objects.select_for_update(of=("self",)).select_related("host_org").get(pk=campaign_id)


@transaction.atomic(durable=True)
def set_entrant_list(
    campaign_id: int,
    *,
    actor: User,
    kind: str,
    places: int,
    units: Sequence[Organization],
    field: str = "",
    value: str = "",
) -> EntrantList:
    """Create or replace the ranked entrant list of ``kind`` (``units`` best first) with ``places`` places.

    With ``field`` and ``value`` the list restricts only the kind's nominations whose form answers
    ``value`` in that choice field ([002]: the 受理中心组, not the 区运管团队组).

    The host's committee only, while the campaign is a draft (before intake opens: nobody has
    entered yet); every unit once, a unit the campaign collects from; audited as
    ``entrant_list.set`` with the ranking.
    """
    campaign = _lock_campaign(campaign_id)
    if not permissions.can_manage_entrant_list(actor, campaign):
        raise NotPermitted(target=_target(campaign))
    if campaign.status != Campaign.Status.DRAFT:
        raise EntrantListLocked(target=_target(campaign))
    errors: dict[str, list[str]] = {}
    if kind not in campaign.kinds:
        errors["kind"] = [_("本活动没有该申报类别")]
    elif field or value:
        message = check_answer(campaign, kind, field, value)
        if message:
            errors["field"] = [message]
    if not units:
        errors["units"] = [_("参赛名单至少要有一个单位")]
    if places < 1 or places > len(units):
        errors["places"] = [_("参赛名额须在 1 和名单单位数（{n}）之间").format(n=len(units))]
    seen: set[int] = set()
    for i, unit in enumerate(units):
        if unit.pk in seen:
            errors.setdefault(f"units[{i}]", []).append(_("“{unit}”在名单中重复").format(unit=unit.name))
        seen.add(unit.pk)
        if unit.kind != OrgKind.UNIT:
            errors.setdefault(f"units[{i}]", []).append(_("“{unit}”不是申报单位").format(unit=unit.name))
        elif not campaign_selectors.accepts_unit(campaign, unit):
            errors.setdefault(f"units[{i}]", []).append(_("“{unit}”不在本活动的征集范围内").format(unit=unit.name))
    if errors:
        raise InvalidInput(errors=errors)
    entrant_list, created = EntrantList.objects.update_or_create(
        campaign=campaign, kind=kind, defaults={"places": places, "field": field, "value": value, "updated_by": actor}
    )
    entrant_list.entries.all().delete()
    EntrantListEntry.objects.bulk_create(
        EntrantListEntry(entrant_list=entrant_list, rank=rank, unit=unit) for rank, unit in enumerate(units, start=1)
    )
    record_event(
        audit_events.ENTRANT_LIST_SET,
        actor=actor,
        target=campaign,
        data={
            "kind": kind,
            "field": field,
            "value": value,
            "places": places,
            "units": [u.pk for u in units],
            "created": created,
        },  # fmt: skip
    )
    return entrant_list


def check_answer(campaign: Campaign, kind: str, field: str, value: str) -> str:
    """A list over one answer: the kind's form has that choice field and that option (as quotas)."""
    return check_choice_answer(kind, field, value, campaign.forms)


@transaction.atomic(durable=True)
def decline_entrant_place(
    campaign_id: int, *, actor: User, kind: str, unit: Organization, reason: str
) -> EntrantListEntry:
    """Record that ``unit`` gives up its place (or its reserve rank) on the kind's entrant list.

    By the unit's submitter or leader, or the host's committee for it, with a reason, while the
    campaign is a draft or collecting, and only when the unit has no submitted nomination of the
    kind (withdraw it first). When the unit held a place, the next reserve in rank holds it from
    now on: the audit event ``entrant_place.declined`` names it and its submitters and leader are
    notified.
    """
    campaign = _lock_campaign(campaign_id)
    target = _target(campaign)
    if not (
        permissions.can_manage_entrant_list(actor, campaign) or permissions.can_decline_entrant_place(actor, unit)
    ):
        raise NotPermitted(target=target)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.for_field("reason", _("请填写放弃参赛名额的理由"), code="decline_reason_required")
    if len(reason) > REASON_MAX:
        raise InvalidInput.for_field("reason", _("理由不能超过 {n} 个字").format(n=REASON_MAX))
    entrant_list = EntrantList.objects.filter(campaign=campaign, kind=kind).first()
    entries = list(entrant_list.entries.select_related("unit").order_by("rank")) if entrant_list else []
    entry = next((e for e in entries if e.unit_id == unit.pk), None)
    if entrant_list is None or entry is None:
        raise NotOnEntrantList(_("“{unit}”不在本类别的参赛名单上").format(unit=unit.name), target=target)
    if campaign.status not in DECLINE_OPEN:
        raise EntrantDeclineClosed(target=target)
    if entry.declined_at is not None:
        raise EntrantPlaceAlreadyDeclined(target=target)
    entered = Nomination.objects.filter(campaign=campaign, kind=kind, unit=unit).exclude(
        status__in=(Nomination.Status.DRAFT, Nomination.Status.WITHDRAWN)
    )
    if entered.exists():
        raise EntrantPlaceInUse(target=target)
    before = {e.pk for e in entrants.holders(entrant_list, entries)}
    entry.declined_at = timezone.now()
    entry.declined_by = actor
    entry.decline_reason = reason
    entry.save(update_fields=["declined_at", "declined_by", "decline_reason"])
    promoted = next((e for e in entrants.holders(entrant_list, entries) if e.pk not in before), None)
    record_event(
        audit_events.ENTRANT_PLACE_DECLINED,
        actor=actor,
        target=campaign,
        data={"kind": kind, "unit": unit.pk, "rank": entry.rank, "reason": reason, "had_place": entry.pk in before,
              "passed_to": promoted.unit_id if promoted else None,
              "passed_to_rank": promoted.rank if promoted else None},
    )  # fmt: skip
    if promoted is not None:
        notification_events.entrant_place_passed(
            campaign, entry_id=promoted.pk, unit_id=promoted.unit_id, kind=kind, declined_unit=unit.name,
            rank=promoted.rank,
        )  # fmt: skip
    return entry


def check_entrant_place(
    campaign: Campaign, unit: Organization, kind: str, form: dict[str, Any] | None, *, complete: bool
) -> None:
    """Refuse (400 ``unit_not_on_entrant_list``) a unit without a place in the entrant list that
    restricts the nomination; a kind without a list is open to every unit the campaign collects
    from. A draft (``complete`` false) that has not yet answered the field of a list over one
    answer is let through; the submission (``complete``) is checked in full."""
    assert connection.in_atomic_block
    standing = entrants.standing_of(campaign, kind, unit.pk, form, complete=complete)
    if standing is None or standing == entrants.Standing.PLACE:
        return
    messages = {
        "": _("“{unit}”不在本类别的参赛名单上，不能申报"),
        entrants.Standing.RESERVE: _("“{unit}”是参赛名单的候补单位，排在前面的单位放弃后按排名顺延才能申报"),
        entrants.Standing.DECLINED: _("“{unit}”已放弃参赛名额，不能申报"),
    }
    message = messages[standing].format(unit=unit.name)
    raise NotOnEntrantList(message, errors={"unit": [message]})
