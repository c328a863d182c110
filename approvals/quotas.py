"""Quotas [002]: who holds a place, how many places each quota has used, and the check at the
stage where each quota binds.

A quota binds at the stage it names (``Quota.stage``, any stage of the chain); a quota naming no
stage binds at the district bureau's sealing stage, as quotas did before stages could be named.
A place is held by the binding stage's approval; where a quota names no stage and the chain has
no district sealing stage, by every nomination holding a submission place
(``Nomination.HOLDS_PLACE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Func, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from accounts.models import Organization
from approvals.models import Nomination, SignOff, StageSeat
from config.compiled import run_compiled
from config.db import advisory_xact_lock
from workflows.exceptions import QuotaExceeded
from workflows.models import Campaign, NominationKind, Quota, Stage

OUT_OF_RACE = (Nomination.Status.REJECTED, Nomination.Status.REVOKED, Nomination.Status.WITHDRAWN)


def is_quota_stage(stage: Stage) -> bool:
    """The district bureau's sealing stage is where the district quotas bind [002]."""
    return stage.seal and stage.signer_org == Stage.SignerOrg.DISTRICT


def _quota_stages(campaign_id: int) -> QuerySet[Stage]:
    return Stage.objects.filter(campaign_id=campaign_id, seal=True, signer_org=Stage.SignerOrg.DISTRICT)


def _holds_district_approval(quota_stages: QuerySet[Stage]) -> Q:
    """The nomination holds the district's sealed approval and is not out of the race.

    A nomination approved again after a return holds one place, not two.
    """
    # At a 会签 stage one holder's approval is not the district's: it counts once the stage was
    # decided by approvals (no seat of that activation open, returned or rejected).
    undecided = StageSeat.objects.filter(
        task_id=OuterRef("task_id"),
        status__in=[
            StageSeat.Status.OPEN,
            StageSeat.Status.WAITING,
            StageSeat.Status.PENDING,
            StageSeat.Status.RETURNED,
            StageSeat.Status.REJECTED,
        ],  # fmt: skip
    )
    approved = SignOff.objects.filter(
        nomination=OuterRef("pk"), decision=SignOff.Decision.APPROVE, stage__in=quota_stages.values("key")
    ).filter(Q(seat__isnull=True) | ~Exists(undecided))
    return Exists(approved) & ~Q(status__in=OUT_OF_RACE)


def holding_district_approval(campaign_id: int) -> QuerySet[Nomination]:
    """Nominations that hold the district's sealed approval and are not out of the race."""
    return Nomination.objects.filter(campaign_id=campaign_id).filter(
        _holds_district_approval(_quota_stages(campaign_id))
    )


def _approved_at_quota_stage() -> Exists:
    """In ``quota_usage``'s subquery: the nomination holds an approval at the stage the quota (two
    levels out) names."""
    return Exists(
        SignOff.objects.filter(
            nomination=OuterRef("pk"), decision=SignOff.Decision.APPROVE, stage=OuterRef(OuterRef("stage"))
        )
    )


def quota_holders(campaign_id: int) -> QuerySet[Nomination]:
    """Who uses a quota place: the district's sealed approval where the chain has such a stage,
    else every nomination holding a submission place (``Nomination.HOLDS_PLACE``). One query."""
    quota_stages = _quota_stages(campaign_id)
    return Nomination.objects.filter(campaign_id=campaign_id).filter(
        _holds_district_approval(quota_stages) | (~Exists(quota_stages) & Q(status__in=Nomination.HOLDS_PLACE))
    )


@dataclass(frozen=True)
class QuotaUsage:
    org: Organization
    kind: str
    max: int
    used: int
    field: str = ""
    value: str = ""
    # The stage whose approval takes a place (its key and name); blank: the district's sealing stage.
    stage: str = ""
    stage_name: str = ""

    @property
    def remaining(self) -> int:
        return max(0, self.max - self.used)

    @property
    def kind_label(self) -> str:
        """The kind as users read it (集体, 个人, 案例), or 全部 for a quota over every kind; with the
        answer it counts, for a quota over one answer of the form (集体（受理中心组）)."""
        label = str(NominationKind(self.kind).label) if self.kind else str(_("全部"))
        return f"{label}（{self.value}）" if self.field else label


def _answers(field: Any, value: Any) -> Q:
    """The nomination's form answers ``value`` in ``field`` (the quota's own columns, in a subquery)."""
    return Q(form__contains=Func(field, value, function="jsonb_build_object", output_field=JSONField()))


def quota_usage(campaign: Campaign) -> list[QuotaUsage]:
    """Used / remaining places of each organisation quota of ``campaign``, and where each binds, in
    one query.

    A place is used by a nomination (not rejected, revoked or withdrawn) holding an approval at
    the stage the quota names; for a quota naming no stage, the district's sealed approval where
    the chain has such a stage, otherwise every submitted nomination holding a place.
    """
    quota_stages = _quota_stages(campaign.pk)
    unnamed = Q(Exact(OuterRef("stage"), ""))
    holders = Nomination.objects.filter(campaign_id=campaign.pk).filter(
        (
            unnamed
            & (_holds_district_approval(quota_stages) | (~Exists(quota_stages) & Q(status__in=Nomination.HOLDS_PLACE)))
        )
        | (~unnamed & _approved_at_quota_stage() & ~Q(status__in=OUT_OF_RACE))
    )
    used = (
        holders.filter(unit__path__startswith=OuterRef("org__path"))
        .filter(Q(Exact(OuterRef("kind"), "")) | Q(kind=OuterRef("kind")))
        .filter(Q(Exact(OuterRef("field"), "")) | _answers(OuterRef("field"), OuterRef("value")))
        .order_by()
        .values("campaign")
        .annotate(n=Count("id"))
        .values("n")
    )
    stages = Stage.objects.filter(campaign=campaign)
    rows = (
        Quota.objects.filter(campaign=campaign)
        .select_related("org")
        .annotate(
            used=Coalesce(Subquery(used), 0),
            named_stage=Subquery(stages.filter(key=OuterRef("stage")).values("name")[:1]),
            district_stage=Subquery(_quota_stages(campaign.pk).order_by("position").values("name")[:1]),
        )
        .order_by("id")
    )
    # A quota naming no stage binds at the district's sealing stage, or at submission without one.
    return [
        QuotaUsage(
            q.org,
            q.kind,
            q.max,
            q.used,
            q.field,
            q.value,
            q.stage,
            (q.named_stage or q.stage) if q.stage else (q.district_stage or str(_("提交申报时"))),
        )  # fmt: skip
        for q in rows
    ]


def binds_at(stage: Stage) -> Q:
    """The quotas that bind at ``stage``: those naming it, and at the district's sealing stage
    those naming no stage."""
    return _binds_at_key(stage.key, is_quota_stage(stage))


def _binds_at_key(key: str, at_district: bool) -> Q:
    named = Q(stage=key)
    return named | Q(stage="") if at_district else named


# Stand-ins for the values of the compiled quota list (``config.compiled``), replaced per call.
_CAMPAIGN_MARK = -7_919_109
_KIND_MARK = "<kind stand-in>"
_STAGE_MARK = "<stage stand-in>"


def _binding_quotas(campaign_id: int, kind: str, stage_key: str, at_district: bool) -> QuerySet[Quota]:
    """The quotas of the campaign over ``kind`` (or over every kind) that bind at the stage
    ``stage_key`` (``binds_at``), with their organisations, in id order (the order they are locked)."""
    return (
        Quota.objects.filter(campaign_id=campaign_id, kind__in=["", kind])
        .filter(_binds_at_key(stage_key, at_district))
        .select_related("org")
        .order_by("pk")
    )


def bind_at(campaign_id: int, stage: Stage) -> bool:
    """Whether any quota of the campaign binds at ``stage`` (the district's sealing stage binds
    the quotas that name no stage, and the campaign total, without asking)."""
    return is_quota_stage(stage) or Quota.objects.filter(campaign_id=campaign_id, stage=stage.key).exists()


def check_quotas_at_stage(nomination: Nomination, stage: Stage) -> None:
    """Every quota binding at ``stage`` over the nomination's unit (and, at the district's sealing
    stage, the campaign total) has a place left; called on an approval at ``stage``.

    Each quota is taken under an advisory lock held to the end of the transaction, in quota-id
    order, so N+1 reviewers racing for N places: exactly N succeed and the count never overshoots.
    """
    target = ("approvals.nomination", str(nomination.pk))
    at_district = is_quota_stage(stage)

    def holding() -> QuerySet[Nomination]:  # built only where a quota needs it (it is costly to build)
        return holding_district_approval(nomination.campaign_id).exclude(pk=nomination.pk)

    quotas = run_compiled(  # it runs on every approval: compiled once (config.compiled)
        "quotas-at-district" if at_district else "quotas-at-stage",
        lambda: _binding_quotas(_CAMPAIGN_MARK, _KIND_MARK, _STAGE_MARK, at_district),
        Quota,
        {_CAMPAIGN_MARK: nomination.campaign_id, _KIND_MARK: nomination.kind, _STAGE_MARK: stage.key},
    )
    for quota in quotas:
        if not nomination.unit.path.startswith(quota.org.path):
            continue
        if quota.field and (nomination.form or {}).get(quota.field) != quota.value:
            continue
        advisory_xact_lock("quota-seal", quota.pk)
        if quota.stage:
            approved = SignOff.objects.filter(
                nomination=OuterRef("pk"), decision=SignOff.Decision.APPROVE, stage=quota.stage
            )
            used = Nomination.objects.filter(campaign_id=nomination.campaign_id).filter(
                Exists(approved) & ~Q(status__in=OUT_OF_RACE)
            )
            used = used.exclude(pk=nomination.pk).filter(unit__path__startswith=quota.org.path)
        else:
            used = holding().filter(unit__path__startswith=quota.org.path)
        if quota.kind:
            used = used.filter(kind=quota.kind)
        if quota.field:
            used = used.filter(form__contains={quota.field: quota.value})
        if used.count() >= quota.max:
            where = f"{quota.org.name}（{quota.value}）" if quota.field else quota.org.name
            raise QuotaExceeded(_("{org}的名额已用完（共 {n} 个）").format(org=where, n=quota.max), target=target)
    total = nomination.campaign.total_max
    if at_district and total is not None:
        advisory_xact_lock("quota-seal-total", nomination.campaign_id)
        if holding().count() >= total:
            raise QuotaExceeded(_("本活动名额已满（共 {n} 个）").format(n=total), target=target)
