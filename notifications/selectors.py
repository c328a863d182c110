"""What a user may see of the notifications: only their own."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from config.errors import NotVisible
from notifications.models import Notification, Preference


def list_notifications(user: User, *, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's in-app notifications (the API pages them newest first)."""
    qs = Notification.objects.filter(user_id=user.pk)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def unread_count(user: User) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def get_own_notification(user: User, pk: int) -> Notification:
    """One of the user's notifications, else 404 (someone else's looks the same as a missing one)."""
    notification = Notification.objects.filter(user_id=user.pk, pk=pk).first()
    if notification is None:
        raise NotVisible()
    return notification


def get_preference(user: User) -> Preference:
    """The user's channel choices; the defaults when none were saved (not written)."""
    return Preference.objects.filter(user_id=user.pk).first() or Preference(user=user)


def recent_unread(user: User, *, limit: int = 5) -> list[Notification]:
    """The newest unread notifications (the home page shows a few)."""
    return list(list_notifications(user, unread=True).order_by("-id")[:limit])
