"""Notifications: the transactional outbox, in-app notifications, deliveries, preferences.

An action writes one ``OutboxMessage`` per event inside its own transaction
(``notifications/events.py``); nothing is published to the broker from the request. The drain
task (``notifications/delivery.py``) locks pending messages with ``FOR UPDATE SKIP LOCKED``,
expands their recipients, writes the in-app ``Notification`` rows and the ``Delivery`` rows of
the external channels, and marks the message processed, all in one transaction. Each effect has
a unique key (message + user for in-app, message + channel + address for email and SMS), so a
message drained twice after a crash has no second effect.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One event to tell people about, written in the transaction of the action that caused it."""

    kind = models.CharField(_("类型"), max_length=64)
    # Deterministic per event (e.g. "task_arrived:task:42"): the same event raised twice, by a
    # retried request or a repeated beat scan, inserts nothing the second time.
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)
    # Who: {"users": [ids], "roles": [[role, org_id], ...], "contacts": [{"name", "phone", "email"}]};
    # the roles are expanded to their holders when the message is drained.
    recipients = models.JSONField(_("接收人"), default=dict)
    # What the templates need (ids, titles, names, the link), as plain JSON.
    payload = models.JSONField(_("内容"), default=dict)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    processed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("处理次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        indexes = [
            # The drain's scan: only unprocessed rows, oldest first.
            models.Index(fields=["id"], name="outbox_pending_idx", condition=models.Q(processed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.dedupe_key}"


class Notification(models.Model):
    """An in-app notification (api.md, Notifications); at most one per message and user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    link = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="notification_once_per_message_user"),
        ]
        indexes = [
            models.Index(fields=["user", "-id"], name="notification_user_idx"),
            models.Index(fields=["user"], name="notification_unread_idx", condition=models.Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One email or SMS to send; ``key`` (message, channel, address) makes a redelivery a no-op."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    key = models.CharField(_("幂等键"), max_length=255, unique=True)
    message = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=255)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("正文"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    # Retries wait in the database, never as a Celery ETA (notes/performance-reliability.md §6).
    next_attempt_at = models.DateTimeField(_("下次发送时间"), default=timezone.now)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件短信发送记录")
        verbose_name_plural = _("邮件短信发送记录")
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="delivery_pending_idx",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return self.key


class Preference(models.Model):
    """A user's choice of external channels; in-app notifications are always on.

    Without a row: email on (when the account has an address), SMS off.
    """

    DEFAULT_EMAIL = True
    DEFAULT_SMS = False

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_enabled = models.BooleanField(_("邮件通知"), default=DEFAULT_EMAIL)
    sms_enabled = models.BooleanField(_("短信通知"), default=DEFAULT_SMS)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.email_enabled} sms={self.sms_enabled}"
