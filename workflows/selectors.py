"""Reads of campaigns: what a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts import permissions
from accounts.models import Organization, User
from config.db import get_in_scope
from workflows.models import Campaign


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """Campaigns past draft are public notices; a draft only to the campaign admins of its host."""
    if permissions.is_administrator(user):
        # 三员分立: the administrators see campaigns only as names, through the admin.
        return Campaign.objects.none()
    admin_of = permissions.campaign_hosts_managed_by(user)
    return Campaign.objects.filter(~Q(status=Campaign.Status.DRAFT) | Q(host_org__in=admin_of))


def get_visible_campaign(user: User, pk: int) -> Campaign:
    return get_in_scope(visible_campaigns(user).select_related("host_org"), pk)


def campaign_region(campaign: Campaign) -> Organization | None:
    """Where a campaign collects: the organisation its host (the committee) sits under, e.g. 上海市
    for the Shanghai contest; None for a host at the top of the tree (it collects everywhere)."""
    host = campaign.host_org
    return host.parent if host.parent_id else None


def accepts_unit(campaign: Campaign, unit: Organization) -> bool:
    """Whether ``unit`` lies in the campaign's region (a Shanghai unit does not nominate in Shandong)."""
    region = campaign_region(campaign)
    return region is None or unit.path.startswith(region.path)
