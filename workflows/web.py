"""Campaign pages: the list of campaigns a user can see, and a campaign's address.

Reads through ``workflows.selectors`` (scoped to the user); the dashboard's status buttons post
to ``change_status``, which calls ``workflows.actions.change_campaign_status``. The host's dashboard, which
reads several apps, is ``portal.views.dashboard``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from config.errors import NotVisible, SealflowError
from config.request_context import request_user
from config.web.errors import report
from workflows import actions, selectors
from workflows.models import Campaign


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    # "templates": approvals' CampaignTemplate rows (附件1 申报表模板 …), named, not imported (layers).
    campaigns = list(
        selectors.visible_campaigns(user)
        .select_related("host_org__parent")
        .prefetch_related("templates")
        .order_by("-id")
    )
    units = list(permissions.units_nominating_by(user)) if permissions.can_nominate_anywhere(user) else []
    hosted = set(permissions.campaign_hosts_organised_by(user).values_list("pk", flat=True))
    administered = set(permissions.campaign_hosts_managed_by(user).values_list("pk", flat=True))
    now = timezone.now()
    for c in campaigns:
        c.can_nominate = (  # type: ignore[attr-defined]
            c.status == Campaign.Status.OPEN
            and c.opens_at <= now <= c.submission_deadline
            and any(selectors.accepts_unit(c, u) for u in units)  # only campaigns that accept one's unit
        )
        c.is_host = c.host_org_id in hosted  # type: ignore[attr-defined]
        c.is_admin = c.host_org_id in administered  # type: ignore[attr-defined]
    context = {"campaigns": campaigns, "may_set_up": bool(administered)}
    return render(request, "workflows/campaigns.html", context)


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


_DONE = {
    "close": gettext_lazy("已截止征集。各单位不能再新建或首次提交申报。"),
    "reopen": gettext_lazy("已重新开放征集。"),
    "start_review": gettext_lazy("活动已进入评审阶段。"),
}


@login_required
@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A status button of the host's dashboard (截止征集, 重新开放征集, 开始评审): back to the dashboard."""
    user = request_user(request)
    try:
        campaign = selectors.get_visible_campaign(user, pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    transition = request.POST.get("transition", "")
    if transition not in selectors.DASHBOARD_TRANSITIONS:
        messages.error(request, _("未知的状态变更"))
    else:
        try:
            actions.change_campaign_status(campaign.pk, actor=user, transition=transition)
        except SealflowError as exc:
            report(request, exc)
        else:
            messages.success(request, str(_DONE[transition]))
    return HttpResponseRedirect(reverse("portal:dashboard", args=[campaign.pk]))
