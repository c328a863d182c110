"""State changes of campaigns; each atomic, authority checked under the lock, audited."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from audit.hashing import canonical_json
from audit.trail import record_event
from config.errors import InvalidInput, NotPermitted
from workflows import audit_events
from workflows.exceptions import CampaignNotEditable, CampaignTransitionNotAllowed, SupplementsLocked
from workflows.models import Campaign, Quota, Stage
from workflows.signals import intake_closed
from workflows.specs import DEFAULT_SIGNER_ORG, check_campaign_spec, holders_of

_SCALARS = (
    "title",
    "year",
    "bodies",
    "description",
    "opens_at",
    "submission_deadline",
    "per_unit_max",
    "total_max",
    "min_per_township",
    "min_per_unit",
    "awards",
    "entrants_per_award",
    "publicity_days",
    "publicity_working_days",
    "publicity_counts_publication_day",
    "rounds",
    "tiers",
    "tier_floors",
    "supplements",
)


def _check_admin(actor: User, campaign_host: Any, target: tuple[str, str]) -> None:
    if not permissions.can_manage_campaigns_at(actor, campaign_host):
        raise NotPermitted(target=target)


def _write_definition(campaign: Campaign, spec: dict[str, Any]) -> None:
    """Stages and quotas of ``spec`` replace the campaign's (only ever done while in draft)."""
    campaign.stages.all().delete()
    Stage.objects.bulk_create(
        Stage(
            campaign=campaign,
            position=i,
            key=s["key"],
            name=s["name"],
            role=s["role"],
            signer_org=s.get("signer_org") or DEFAULT_SIGNER_ORG[s["role"]],
            seal=s.get("seal", False),
            seal_org=s.get("seal_org") or "",
            time_limit_days=s.get("time_limit_days"),
            due_date=s.get("due_date"),
            same_signer_as_previous=s.get("same_signer_as_previous", False),
            cc_roles=list(s.get("cc_roles") or []),
            holders=holders_of(s),
            mode=s.get("mode") or "",
        )
        for i, s in enumerate(spec.get("stages") or [])
    )
    campaign.quotas.all().delete()
    Quota.objects.bulk_create(
        Quota(
            campaign=campaign,
            org=q["org"],
            kind=q.get("kind") or "",
            field=q.get("field") or "",
            value=q.get("value") or "",
            max=q["max"],
            stage=q.get("stage") or "",
        )  # fmt: skip
        for q in spec.get("quotas") or []
    )


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def _summary(spec: dict[str, Any]) -> dict[str, Any]:
    """What the audit trail keeps of a definition: everything, with organisations as ids."""
    data = {k: spec[k] for k in _SCALARS if k in spec}
    data["kinds"] = spec.get("kinds")
    data["stages"] = spec.get("stages")
    data["quotas"] = [{**q, "org": q["org"].pk} for q in spec.get("quotas") or []]
    # Form definitions are long: the trail keeps their hash (the definition is on the campaign row).
    data["forms"] = {kind: _digest(d) for kind, d in (spec.get("forms") or {}).items()}
    data["eligibility"] = spec.get("eligibility")
    return data


@transaction.atomic(durable=True)
def create_campaign(*, actor: User, spec: dict[str, Any]) -> Campaign:
    """Create a campaign in draft from a full definition (api.md, Campaigns).

    Only a campaign administrator of the host organisation may; the whole definition is checked
    first (stages, forms, rules, quotas, dates) and nothing is saved when any part is wrong.
    """
    host = spec["host_org"]
    _check_admin(actor, host, ("accounts.organization", str(host.pk)))
    errors = check_campaign_spec(spec)
    if errors:
        raise InvalidInput(errors=errors)
    campaign = Campaign(host_org=host, created_by=actor)
    for name in _SCALARS:
        if name in spec:
            setattr(campaign, name, spec[name])
    campaign.kinds = spec.get("kinds") or list(spec["forms"])
    campaign.forms = spec["forms"]
    campaign.eligibility = spec.get("eligibility") or {}
    if campaign.opens_at is None:
        campaign.opens_at = timezone.now()
    if not campaign.year:
        campaign.year = timezone.localtime(campaign.submission_deadline).year
    campaign.save()
    _write_definition(campaign, spec)
    record_event(audit_events.CAMPAIGN_CREATED, actor=actor, target=campaign, data=_summary(spec))
    return campaign


@transaction.atomic(durable=True)
def update_campaign(campaign_id: int, *, actor: User, changes: dict[str, Any]) -> Campaign:
    """Change a campaign while it is a draft; what is not in ``changes`` stays as it was."""
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("host_org").get(pk=campaign_id)
    _check_admin(actor, campaign.host_org, ("workflows.campaign", str(campaign.pk)))
    target = ("workflows.campaign", str(campaign.pk))
    # Supplements (补充材料) are what submitted nominations add and seal: their definitions are
    # fixed from the opening of intake, and for good once any nomination has added one.
    if "supplements" in changes and (
        campaign.status != Campaign.Status.DRAFT or campaign.nominations.filter(supplements__isnull=False).exists()
    ):
        raise SupplementsLocked(target=target)
    if campaign.status != Campaign.Status.DRAFT:
        raise CampaignNotEditable(target=target)
    current = current_spec(campaign)
    spec = {**current, **changes}
    errors = check_campaign_spec(spec)
    if errors:
        raise InvalidInput(errors=errors)
    for name in _SCALARS:
        if name in changes:
            setattr(campaign, name, changes[name])
    campaign.kinds = spec.get("kinds") or list(spec["forms"])
    campaign.forms = spec["forms"]
    campaign.eligibility = spec.get("eligibility") or {}
    campaign.version += 1
    campaign.save()
    if "stages" in changes or "quotas" in changes:
        _write_definition(campaign, spec)
    record_event(
        audit_events.CAMPAIGN_UPDATED,
        actor=actor,
        target=campaign,
        data={"changed": sorted(changes), "new": _summary({k: spec[k] for k in changes if k in spec})},
    )
    return campaign


def current_spec(campaign: Campaign) -> dict[str, Any]:
    """A campaign as the definition dict that create_campaign takes."""
    spec: dict[str, Any] = {name: getattr(campaign, name) for name in _SCALARS}
    spec.update(
        host_org=campaign.host_org,
        kinds=list(campaign.kinds),
        forms=campaign.forms,
        eligibility=campaign.eligibility,
        stages=[
            {"key": s.key, "name": s.name, "role": s.role, "signer_org": s.signer_org, "seal": s.seal,
             "seal_org": s.seal_org, "time_limit_days": s.time_limit_days, "due_date": s.due_date,
             "same_signer_as_previous": s.same_signer_as_previous, "cc_roles": list(s.cc_roles),
             "holders": list(s.holders), "mode": s.mode}
            for s in campaign.stages.order_by("position")
        ],
        quotas=[
            {"org": q.org, "kind": q.kind, "field": q.field, "value": q.value, "max": q.max, "stage": q.stage}
            for q in campaign.quotas.select_related("org")
        ],
    )  # fmt: skip
    return spec


# Which status each status may go to, and by which action name.
TRANSITIONS: dict[str, tuple[str, str]] = {
    "open": (Campaign.Status.DRAFT, Campaign.Status.OPEN),
    "close": (Campaign.Status.OPEN, Campaign.Status.CLOSED),
    "reopen": (Campaign.Status.CLOSED, Campaign.Status.OPEN),
    "start_review": (Campaign.Status.CLOSED, Campaign.Status.REVIEWING),
}


@transaction.atomic(durable=True)
def change_campaign_status(campaign_id: int, *, actor: User, transition: str) -> Campaign:
    """Move a campaign along draft → open → closed → reviewing (publicity and finish come later)."""
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("host_org").get(pk=campaign_id)
    _check_admin(actor, campaign.host_org, ("workflows.campaign", str(campaign.pk)))
    source, target = TRANSITIONS[transition]
    if campaign.status != source:
        raise CampaignTransitionNotAllowed(target=("workflows.campaign", str(campaign.pk)))
    old = campaign.status
    campaign.status = target
    if transition == "close":
        campaign.closed_at = timezone.now()
    elif transition == "reopen":
        campaign.closed_at = None
    campaign.version += 1
    campaign.save(update_fields=["status", "closed_at", "version", "updated_at"])
    # The event's own time is when intake closed (``closed_at``).
    record_event(
        audit_events.CAMPAIGN_STATUS_CHANGED,
        actor=actor,
        target=campaign,
        data={"old": {"status": old}, "new": {"status": target}, "transition": transition},
    )
    if transition == "close":
        intake_closed.send(sender=Campaign, campaign=campaign, actor=actor)
    return campaign
