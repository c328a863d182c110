"""Campaign pages: the list of campaigns a user can see, and a campaign's address.

Reads only, through ``workflows.selectors`` (scoped to the user). The host's dashboard, which
reads several apps, is ``portal.views.dashboard``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import permissions
from config.errors import NotVisible
from config.request_context import request_user
from workflows import selectors
from workflows.models import Campaign


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    campaigns = list(selectors.visible_campaigns(user).select_related("host_org__parent").order_by("-id"))
    units = list(permissions.units_nominating_by(user)) if permissions.can_nominate_anywhere(user) else []
    hosted = set(permissions.campaign_hosts_organised_by(user).values_list("pk", flat=True))
    now = timezone.now()
    for c in campaigns:
        c.can_nominate = (  # type: ignore[attr-defined]
            c.status == Campaign.Status.OPEN
            and c.opens_at <= now <= c.submission_deadline
            and any(selectors.accepts_unit(c, u) for u in units)  # only campaigns that accept one's unit
        )
        c.is_host = c.host_org_id in hosted  # type: ignore[attr-defined]
    return render(request, "workflows/campaigns.html", {"campaigns": campaigns})


@login_required
@require_GET
def campaign_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's address (notifications link to it): the dashboard for its host, else my nominations in it."""
    user = request_user(request)
    try:
        campaign = selectors.get_visible_campaign(user, pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    if permissions.can_see_campaign_dashboard(user, campaign):
        return HttpResponseRedirect(reverse("portal:dashboard", args=[campaign.pk]))
    return HttpResponseRedirect(reverse("approvals:my-nominations") + f"?campaign={campaign.pk}")
