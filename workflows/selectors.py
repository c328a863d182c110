"""Reads of campaigns: what a user may see, and how much of each quota is used."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from accounts import permissions
from accounts.models import Organization, User
from config.db import get_in_scope
from workflows.models import Campaign, Quota


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """Campaigns past draft are public notices; a draft only to the campaign admins of its host."""
    if permissions.is_administrator(user):
        # 三员分立: the administrators see campaigns only as names, through the admin.
        return Campaign.objects.none()
    admin_of = permissions.campaign_hosts_managed_by(user)
    return Campaign.objects.filter(~Q(status=Campaign.Status.DRAFT) | Q(host_org__in=admin_of))


def get_visible_campaign(user: User, pk: int) -> Campaign:
    return get_in_scope(visible_campaigns(user).select_related("host_org"), pk)


@dataclass(frozen=True)
class QuotaUsage:
    org: Organization
    kind: str
    max: int
    used: int

    @property
    def remaining(self) -> int:
        return max(0, self.max - self.used)


def quota_usage(campaign: Campaign) -> list[QuotaUsage]:
    """Used / remaining places of each organisation quota of ``campaign``, in one query.

    Where the chain has a district sealing stage, a place is used by a nomination holding that
    sealed approval (not rejected, revoked or withdrawn); otherwise by every submitted
    nomination holding a place.
    """
    from approvals.actions.sign_offs import quota_holders

    used = (
        quota_holders(campaign.pk)
        .filter(unit__path__startswith=OuterRef("org__path"))
        .filter(Q(Exact(OuterRef("kind"), "")) | Q(kind=OuterRef("kind")))
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
    return [QuotaUsage(q.org, q.kind, q.max, q.used) for q in rows]
