"""Campaign pages: the list of campaigns a user can see, and the host's dashboard.

Reads only, through ``workflows.selectors`` and ``approvals.selectors`` (scoped to the user).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import permissions
from accounts.models import User
from approvals import selectors as approval_selectors
from approvals.actions.publicity import PUBLICITY_FROM
from approvals.models import Nomination, Objection
from config.errors import NotVisible
from workflows import selectors
from workflows.models import Campaign


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    campaigns = list(selectors.visible_campaigns(user).select_related("host_org").order_by("-id"))
    submits = permissions.can_nominate_anywhere(user)
    hosted = set(permissions.campaign_hosts_organised_by(user).values_list("pk", flat=True))
    now = timezone.now()
    for c in campaigns:
        c.can_nominate = (  # type: ignore[attr-defined]
            submits and c.status == Campaign.Status.OPEN and c.opens_at <= now <= c.submission_deadline
        )
        c.is_host = c.host_org_id in hosted  # type: ignore[attr-defined]
    return render(request, "workflows/campaigns.html", {"campaigns": campaigns})


@login_required
@require_GET
def campaign_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's address (notifications link to it): the dashboard for its host, else my nominations in it."""
    user = _user(request)
    try:
        campaign = selectors.get_visible_campaign(user, pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    if permissions.can_see_campaign_dashboard(user, campaign):
        return HttpResponseRedirect(reverse("workflows:dashboard", args=[campaign.pk]))
    return HttpResponseRedirect(reverse("approvals:my-nominations") + f"?campaign={campaign.pk}")


@login_required
@require_GET
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts per status, stage and district, quota use and overdue tasks: for the host's committee and admins."""
    user = _user(request)
    try:
        campaign = selectors.get_visible_campaign(user, pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    if not permissions.can_see_campaign_dashboard(user, campaign):
        raise Http404()
    nominations = approval_selectors.visible_nominations(user).filter(campaign=campaign)
    status_labels = dict(Nomination.Status.choices)
    by_status = [
        {"status": row["status"], "label": status_labels.get(row["status"], row["status"]), "n": row["n"]}
        for row in nominations.values("status").annotate(n=Count("id")).order_by("status")
    ]
    stages = list(campaign.stages.order_by("position"))
    in_review = nominations.filter(status=Nomination.Status.IN_REVIEW)
    stage_counts = dict(in_review.values_list("stage").annotate(n=Count("id")).order_by())
    now = timezone.now()
    overdue_counts = dict(
        in_review.filter(stage_deadline__lt=now).values_list("stage").annotate(n=Count("id")).order_by()
    )
    by_stage = [
        {"name": s.name, "n": stage_counts.get(s.key, 0), "overdue": overdue_counts.get(s.key, 0)} for s in stages
    ]
    by_district: list[dict[str, Any]] = list(
        nominations.values("district__name")
        .annotate(
            total=Count("id"),
            in_review=Count("id", filter=Q(status=Nomination.Status.IN_REVIEW)),
            approved=Count("id", filter=Q(status=Nomination.Status.APPROVED)),
            returned=Count("id", filter=Q(status=Nomination.Status.RETURNED)),
        )
        .order_by("district__name")
    )
    overdue = list(
        in_review.filter(stage_deadline__lt=now).select_related("unit", "stage_org").order_by("stage_deadline")[:50]
    )
    runs_publicity = permissions.can_run_publicity(user, campaign)
    context = {
        "campaign": campaign,
        "total": nominations.count(),
        "by_status": by_status,
        "by_stage": by_stage,
        "by_district": by_district,
        "quotas": selectors.quota_usage(campaign),
        "overdue": overdue,
        "publicity_rounds": list(campaign.publicity_rounds.order_by("-number")),
        "may_start_publicity": runs_publicity and campaign.status in PUBLICITY_FROM,
        "may_finalize": runs_publicity and campaign.status == Campaign.Status.PUBLICITY,
        "open_objections": Objection.objects.filter(nomination__campaign=campaign, status__in=Objection.OPEN).count(),
    }
    return render(request, "workflows/dashboard.html", context)
