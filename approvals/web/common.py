"""Small helpers shared by the approvals app's pages (the host's campaign, form input)."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from config.errors import InvalidInput, NotVisible
from workflows import selectors as campaign_selectors
from workflows.models import Campaign


def hosted_campaign(user: User, pk: int) -> Campaign:
    """A campaign the user sees and whose host the user serves (committee, campaign admin); else 404."""
    try:
        campaign = campaign_selectors.get_visible_campaign(user, pk)
    except NotVisible as exc:
        raise Http404() from exc
    if not permissions.can_see_campaign_dashboard(user, campaign):
        raise Http404()
    return campaign


def parse_local(value: str, field: str = "ends_at") -> datetime | None:
    """A ``datetime-local`` field (``2026-11-23T10:00``) in the server's time zone; None when
    empty, 400 on ``field`` when malformed."""
    value = value.strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise InvalidInput.for_field(field, _("时间格式不正确"), code="invalid_datetime")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed
