"""The public likes page (网络点赞): phone-sized, Chinese, no account, no script needed.

One form: the phone and its SMS code on top, each entry a card whose button casts the like.
Every refusal comes back as a Chinese message on the same page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.errors import InvalidInput, NotVisible, SealflowError, ServiceUnavailable
from voting import actions, selectors


def official_date(value: datetime) -> str:
    """A time as an official notice writes it: ``2026年12月9日17时`` (``17时30分`` when not on the hour)."""
    local = timezone.localtime(value)
    text = f"{local.year}年{local.month}月{local.day}日"
    if local.hour or local.minute:
        text += f"{local.hour}时" + (f"{local.minute}分" if local.minute else "")
    return text


@require_http_methods(["GET", "POST"])
def vote_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    try:
        window = selectors.public_window(campaign_id)
    except NotVisible:
        raise Http404() from None
    values = {"phone": request.POST.get("phone", "")[:40], "code": request.POST.get("code", "")[:12]}
    context: dict[str, Any] = {"message": "", "error": "", "errors": {}, "voted": None}
    status = 200
    if request.method == "POST":
        address = str(request.META.get("REMOTE_ADDR") or "")
        try:
            if request.POST.get("action") == "code":
                actions.send_vote_code(values["phone"], address=address)
                context["message"] = _("验证码已发送至您的手机，{n}分钟内有效。").format(n=actions.CODE_MINUTES)
            else:
                raw = request.POST.get("nomination", "")
                if not raw.isdigit() or len(raw) > 18:
                    raise InvalidInput(_("请选择要点赞的作品"))
                actions.cast_vote(int(raw), phone=values["phone"], code=values["code"], address=address)
                context["voted"] = int(raw)
                context["message"] = _("点赞成功，感谢您的参与！")
        except NotVisible:
            context["error"] = _("该作品不在本次网络点赞范围内")
        except SealflowError as exc:
            context["error"] = exc.detail
            if isinstance(exc, ServiceUnavailable):  # the rate limit cannot be counted: refused, not accepted
                status = exc.status
            if isinstance(exc, InvalidInput):
                context["errors"] = exc.errors
    now = timezone.now()
    context.update(
        window=window,
        campaign=window.campaign,
        values=values,
        open=selectors.is_open(window, now),
        not_yet=window.closed_at is None and now < window.starts_at,
        starts=official_date(window.starts_at),
        ends=official_date(window.ends_at),
        standings=selectors.standings(window),
        per_day=window.per_phone_per_day,
    )
    return render(request, "voting/vote.html", context, status=status)
