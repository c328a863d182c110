"""The notification list page: newest first, unread marked, mark one or all read (POST with CSRF);
and the channel preferences page (邮件 / 短信 on or off; in-app notices are always on).

Reads through ``notifications.selectors``, writes through ``notifications.actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.errors import InvalidInput, SealflowError
from config.request_context import request_user
from config.web.errors import report
from config.web.pagination import PAGE, keyset_page
from notifications import actions, selectors


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.list_notifications(user, unread=True if unread_only else None).order_by("-created_at", "-id")
    rows, next_query = keyset_page(
        request, qs, field="created_at", descending=True, scope=selectors.list_notifications(user)
    )
    context = {
        "notifications": rows,
        "next_query": next_query,
        "page_size": PAGE,
        "unread_only": unread_only,
        "unread_count": selectors.unread_count(user),
    }
    return render(request, "notifications/web/list.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; with ``open=1`` go on to the page the notification links to."""
    try:
        notification = actions.mark_read(pk, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(reverse("notifications:list"))
    link = notification.link
    if request.POST.get("open") == "1" and link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return HttpResponseRedirect(link)
    return HttpResponseRedirect(reverse("notifications:list"))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = actions.mark_all_read(actor=request_user(request))
    messages.success(request, _("已将 {n} 条通知标为已读").format(n=n))
    return HttpResponseRedirect(reverse("notifications:list"))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """通知设置: turn email and SMS on or off (``actions.update_preferences``, audited); a refusal
    (no address on the account) is shown beside the channel, with the choices as they were typed."""
    user = request_user(request)
    preference = selectors.get_preference(user)
    # As delivery reads them: a channel is on only with an address on the account.
    choices = {
        "email": preference.email_enabled and bool(user.email),
        "sms": preference.sms_enabled and bool(user.phone),
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        choices = {"email": request.POST.get("email") == "1", "sms": request.POST.get("sms") == "1"}
        try:
            actions.update_preferences(actor=user, email_enabled=choices["email"], sms_enabled=choices["sms"])
        except InvalidInput as exc:
            errors = {key.removesuffix("_enabled"): list(msgs) for key, msgs in (exc.errors or {}).items()}
            status = 400
        except SealflowError as exc:
            report(request, exc)
            return HttpResponseRedirect(reverse("notifications:preferences"))
        else:
            messages.success(request, _("通知设置已保存"))
            return HttpResponseRedirect(reverse("notifications:preferences"))
    context = {"choices": choices, "errors": errors, "has_email": bool(user.email), "has_phone": bool(user.phone),
               "email": user.email, "phone": user.phone}  # fmt: skip
    return render(request, "notifications/web/preferences.html", context, status=status)
