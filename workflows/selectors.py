"""Reads of campaigns: what a user may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import Organization, User
from config.dates import official_time
from config.db import get_in_scope
from config.errors import NotVisible
from workflows.actions import TRANSITIONS
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


def get_campaign_for(user: User, pk: int, allowed: Callable[[User, Campaign], bool]) -> Campaign:
    """The campaign if ``user`` sees it and ``allowed(user, campaign)`` (a question of
    ``accounts.permissions``, e.g. ``can_run_judging``); else ``NotVisible``: the pages of a host's
    committee answer 404 to everyone else, as for a campaign that does not exist."""
    campaign = get_visible_campaign(user, pk)
    if not allowed(user, campaign):
        raise NotVisible()
    return campaign


def campaign_region(campaign: Campaign) -> Organization | None:
    """Where a campaign collects: the organisation its host (the committee) sits under, e.g. 上海市
    for the Shanghai contest; None for a host at the top of the tree (it collects everywhere)."""
    host = campaign.host_org
    return host.parent if host.parent_id else None


def accepts_unit(campaign: Campaign, unit: Organization) -> bool:
    """Whether ``unit`` lies in the campaign's region (a Shanghai unit does not nominate in Shandong)."""
    region = campaign_region(campaign)
    return region is None or unit.path.startswith(region.path)


# The status changes the host's dashboard offers (``workflows.actions.TRANSITIONS``), with what each means.
DASHBOARD_TRANSITIONS = ("close", "reopen", "start_review")
_TRANSITION_LABELS = {
    "close": gettext_lazy("截止征集"),
    "reopen": gettext_lazy("重新开放征集"),
    "start_review": gettext_lazy("开始评审"),
}
_TRANSITION_MEANINGS = {
    "close": gettext_lazy(
        "截止征集后，各单位不能再新建或首次提交申报；已提交的申报继续审批，退回修改的申报仍可重新提交。"
        "截止后组委会可以开始公示，活动管理员也可以重新开放征集。"
    ),
    "reopen": gettext_lazy(
        "重新开放征集后，各单位可以继续新建和提交申报，直到申报截止时间；公示须在再次截止征集后开始。"
    ),
    "start_review": gettext_lazy("开始评审后，活动进入评审阶段，不能再重新开放征集；组委会可以组织评审和公示。"),
}


def status_changes(user: User, campaign: Campaign) -> list[dict[str, Any]]:
    """The dashboard's status changes for ``campaign``: each with its meaning and, when it cannot be
    made now, why. Empty for a user who may not change the status (the API's permission)."""
    if not permissions.can_manage_campaign(user, campaign):
        return []
    status_labels = dict(Campaign.Status.choices)
    now = timezone.now()
    result = []
    for name in DASHBOARD_TRANSITIONS:
        source, _target = TRANSITIONS[name]
        available = campaign.status == source
        reason = ""
        if not available:
            reason = _("活动当前为“{now}”，只有“{source}”的活动可以{action}。").format(
                now=status_labels[campaign.status], source=status_labels[source], action=_TRANSITION_LABELS[name]
            )
        note = ""
        if available and name == "reopen" and campaign.submission_deadline <= now:
            note = _("申报截止时间（{deadline}）已过：重新开放后单位仍不能提交。").format(
                deadline=official_time(campaign.submission_deadline)
            )
        result.append(
            {
                "transition": name,
                "label": _TRANSITION_LABELS[name],
                "meaning": _TRANSITION_MEANINGS[name],
                "available": available,
                "reason": reason,
                "note": note,
            }
        )
    return result
