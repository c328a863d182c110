"""The home page and the host's campaign dashboard: each reads several apps through their selectors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts import selectors as account_selectors
from approvals import publicity_selectors, quotas
from approvals import selectors as approval_selectors
from approvals.actions.publicity import PUBLICITY_FROM, campaign_tier_names, rule_end_or_none
from awards.selectors import intake_report
from config.request_context import request_user
from config.web.errors import or_404
from notifications import selectors as notification_selectors
from portal.navigation import NOMINATION_ROLES, REVIEW_ROLES, roles_of
from workflows import selectors as campaign_selectors
from workflows.models import Campaign, EntrantList, NominationKind


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What waits for this person: tasks to decide, returned nominations, drafts, recent decisions."""
    user = request_user(request)
    roles = roles_of(request)
    context: dict[str, Any] = {"grants": account_selectors.list_own_grants(user), "roles": roles}
    if roles & REVIEW_ROLES:
        context.update(approval_selectors.inbox_summary(user))
    if roles & NOMINATION_ROLES:
        context.update(approval_selectors.submitter_summary(user))
    context["unread_count"] = notification_selectors.unread_count(user)
    context["unread"] = notification_selectors.recent_unread(user)
    return render(request, "home.html", context)


@login_required
@require_GET
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts per status, stage and district, quota use and overdue tasks: for the host's committee and admins."""
    user = request_user(request)
    campaign = or_404(lambda: campaign_selectors.get_campaign_for(user, pk, permissions.can_see_campaign_dashboard))
    runs_publicity = permissions.can_run_publicity(user, campaign)
    deadline = campaign.submission_deadline
    context = {
        "campaign": campaign,
        # Intake closed by hand before the deadline: the dashboard shows when, beside the original deadline.
        "closed_early_at": campaign.closed_at if campaign.closed_at and campaign.closed_at < deadline else None,
        "status_changes": campaign_selectors.status_changes(user, campaign),
        "collecting": campaign.status == Campaign.Status.OPEN,
        **approval_selectors.campaign_overview(user, campaign),
        "quotas": quotas.quota_usage(campaign),
        "may_start_publicity": runs_publicity and campaign.status in PUBLICITY_FROM,
        # The end the campaign's rule gives a 公示 started now: an explicit end before it needs a reason.
        "publicity_rule_end": rule_end_or_none(campaign, timezone.now()) if runs_publicity else None,
        "may_finalize": runs_publicity and campaign.status == Campaign.Status.PUBLICITY,
        # 公示 over a subset: the tiers (keys → names) the committee may choose by
        "publicity_tiers": list(campaign_tier_names(campaign).items()) if runs_publicity else [],
        # 修改完善期 (issue 17): the committee opens revision windows for chosen nominations.
        "may_open_revisions": runs_publicity,
        "may_run_judging": bool(campaign.rounds) and permissions.can_run_judging(user, campaign),
        # 网络点赞管理: a campaign with a vote round, for its host's committee
        "may_run_voting": any(isinstance(r, dict) and r.get("method") == "vote" for r in campaign.rounds or [])
        and permissions.can_run_voting(user, campaign),
        "may_see_statistics": permissions.can_see_campaign_statistics(user, campaign),
        "may_print_certificates": permissions.can_allocate_awards(user, campaign),
        # 案例集: the awarded cases compiled (awards/casebook.py), for the committee of a campaign with cases
        "may_build_casebook": NominationKind.CASE in campaign.kinds
        and permissions.can_allocate_awards(user, campaign),
        # The objection queue: the committee, or whoever was named investigator of one of its objections.
        "may_handle_objections": runs_publicity
        or publicity_selectors.list_objections(user, campaign=campaign.pk).exists(),
        # 参赛名单 (顺延 [002]): the committee manages them; the page lists ranks, places and declines.
        "may_see_entrants": permissions.can_manage_entrant_list(user, campaign)
        and EntrantList.objects.filter(campaign=campaign).exists(),
        # Who is below the campaign's minimums ([000]: one per township), on demand as at the close.
        "intake": intake_report(campaign)
        if (campaign.min_per_township or campaign.min_per_unit) and permissions.can_allocate_awards(user, campaign)
        else None,
    }
    return render(request, "workflows/dashboard.html", context)
