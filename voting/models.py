"""Public likes (网络点赞): a vote round's window, the SMS codes that prove a phone, the votes.

Votes are rows, counted by query (never a counter that a race could lose or double); a phone is
stored and counted in its one canonical spelling (config.masking.normalize_phone). A voided
vote stays, with its reason and who voided it; counts leave it out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class VotingWindow(models.Model):
    """The week in which the public votes on a ``vote`` round's entries."""

    campaign = models.ForeignKey("workflows.Campaign", on_delete=models.PROTECT, related_name="voting_windows")
    round = models.OneToOneField("judging.Round", on_delete=models.PROTECT, related_name="voting_window")
    round_key = models.CharField(_("轮次标识"), max_length=40)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    per_phone_per_day = models.PositiveIntegerField(_("每个手机号每天可投票数"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("开启时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束统计时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("网络点赞")
        verbose_name_plural = _("网络点赞")
        ordering = ["campaign", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="voting_window_order")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.round_key}"


class VotingEntry(models.Model):
    """An entry the public may vote for, fixed when the window opened."""

    window = models.ForeignKey(VotingWindow, on_delete=models.PROTECT, related_name="entries")
    nomination = models.ForeignKey("approvals.Nomination", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("点赞作品")
        verbose_name_plural = _("点赞作品")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["window", "nomination"], name="voting_entry_unique")]

    def __str__(self) -> str:
        return f"{self.window_id}:{self.nomination_id}"


class SmsCode(models.Model):
    """A code sent to a phone: stored hashed; dead after its expiry or too many wrong guesses."""

    phone = models.CharField(_("手机号（规范形式）"), max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(_("错误次数"), default=0)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("点赞验证码")
        verbose_name_plural = _("点赞验证码")
        indexes = [models.Index(fields=["phone", "-id"], name="sms_code_phone_idx")]

    def __str__(self) -> str:
        return f"{self.pk}"


class Vote(models.Model):
    """One like of one phone for one entry on one day (Asia/Shanghai)."""

    window = models.ForeignKey(VotingWindow, on_delete=models.PROTECT, related_name="votes")
    nomination = models.ForeignKey("approvals.Nomination", on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("手机号（规范形式）"), max_length=32)
    day = models.DateField(_("日期"))
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("投票时间"), auto_now_add=True)
    voided = models.BooleanField(_("已作废"), default=False)
    void_reason = models.CharField(_("作废原因"), max_length=500, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("点赞票")
        verbose_name_plural = _("点赞票")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "nomination", "phone", "day"], name="vote_once_per_entry_day"),
        ]
        indexes = [
            models.Index(fields=["window", "phone", "day"], name="vote_phone_day_idx"),
            models.Index(fields=["window", "created_at"], name="vote_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.window_id}:{self.nomination_id}#{self.pk}"
