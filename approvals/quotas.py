"""District quotas [002]: who holds a place, how many places each quota has used, and the check
at the district's sealing stage.

A place is held by the district bureau's sealed approval where the chain has such a stage;
otherwise by every nomination holding a submission place (``Nomination.HOLDS_PLACE``).
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
    """Used / remaining places of each organisation quota of ``campaign``, in one query.

    Where the chain has a district sealing stage, a place is used by a nomination holding that
    sealed approval (not rejected, revoked or withdrawn); otherwise by every submitted
    nomination holding a place.
    """
    used = (
        quota_holders(campaign.pk)
        .filter(unit__path__startswith=OuterRef("org__path"))
        .filter(Q(Exact(OuterRef("kind"), "")) | Q(kind=OuterRef("kind")))
        .filter(Q(Exact(OuterRef("field"), "")) | _answers(OuterRef("field"), OuterRef("value")))
        .order_by()
        .values("campaign")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        Quota.objects.filter(campaign=campaign)
        .select_related("org")
        .annotate(used=Coalesce(Subquery(used), 0))
        .order_by("id")
    )
    return [QuotaUsage(q.org, q.kind, q.max, q.used, q.field, q.value) for q in rows]


def check_quotas_at_seal(nomination: Nomination, stage: Stage) -> None:
    """Every quota over the nomination's unit (and the campaign total) has a place left.

    Each quota is taken under an advisory lock held to the end of the transaction, in quota-id
    order, so N+1 reviewers racing for N places: exactly N succeed and the count never overshoots.
    """
    target = ("approvals.nomination", str(nomination.pk))
    holding = holding_district_approval(nomination.campaign_id).exclude(pk=nomination.pk)
    quotas = (
        Quota.objects.filter(campaign_id=nomination.campaign_id, kind__in=["", nomination.kind])
        .select_related("org")
        .order_by("pk")
    )
    for quota in quotas:
        if not nomination.unit.path.startswith(quota.org.path):
            continue
        if quota.field and (nomination.form or {}).get(quota.field) != quota.value:
            continue
        advisory_xact_lock("quota-seal", quota.pk)
        used = holding.filter(unit__path__startswith=quota.org.path)
        if quota.kind:
            used = used.filter(kind=quota.kind)
        if quota.field:
            used = used.filter(form__contains={quota.field: quota.value})
        if used.count() >= quota.max:
            where = f"{quota.org.name}（{quota.value}）" if quota.field else quota.org.name
            raise QuotaExceeded(_("{org}的名额已用完（共 {n} 个）").format(org=where, n=quota.max), target=target)
    total = nomination.campaign.total_max
    if total is not None:
        advisory_xact_lock("quota-seal-total", nomination.campaign_id)
        if holding.count() >= total:
            raise QuotaExceeded(_("本活动名额已满（共 {n} 个）").format(n=total), target=target)
