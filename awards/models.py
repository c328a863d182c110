"""Awards (奖项): the allocation proposal of a campaign and its awards, from proposal to 顺延.

A proposal's awards are ``proposed``; re-allocating replaces them. Confirmed awards change only
through decline (放弃), revocation and 顺延, each a new state of the row or a new row
(``passed_from`` links a successor to the award it replaced).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Allocation(models.Model):
    """A campaign's allocation of one prize list: its notes (who moved and why, ties) and its confirmation.

    ``round_key`` is empty for the campaign's main list; a ``vote`` round of weight 0 with its own
    tiers (网络点赞奖) has a list of its own, keyed by the round's key."""

    campaign = models.ForeignKey("workflows.Campaign", on_delete=models.PROTECT, related_name="allocations")
    round_key = models.CharField(_("奖项名单（轮次）"), max_length=40, blank=True, default="")
    notes: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    # kind → groups of tied nominations at a boundary that the committee must order
    ties: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("分配时间"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("奖项分配")
        verbose_name_plural = _("奖项分配")
        constraints = [models.UniqueConstraint(fields=["campaign", "round_key"], name="allocation_one_per_list")]

    def __str__(self) -> str:
        return f"{self.campaign_id}"


class Award(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("拟分配")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("已放弃")
        REVOKED = "revoked", _("已撤销")

    LIVE = (Status.PROPOSED, Status.CONFIRMED)

    campaign = models.ForeignKey("workflows.Campaign", on_delete=models.PROTECT, related_name="award_set")
    nomination = models.ForeignKey("approvals.Nomination", on_delete=models.PROTECT, related_name="award_set")
    kind = models.CharField(_("类别"), max_length=16)
    tier = models.CharField(_("等次标识"), max_length=64)
    tier_name = models.CharField(_("奖项等次"), max_length=100)
    # the prize list: empty for the campaign's main list, else the key of the vote round (网络点赞奖)
    round_key = models.CharField(_("奖项名单（轮次）"), max_length=40, blank=True, default="")
    rank = models.PositiveIntegerField(_("名次"))
    score = models.DecimalField(_("得分"), max_digits=9, decimal_places=4)
    prize = models.DecimalField(_("奖金"), max_digits=12, decimal_places=2, null=True, blank=True)
    # a prize that is not money (a gift, 礼品), as the tier names it
    prize_text = models.CharField(_("奖品"), max_length=100, blank=True, default="")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    tied = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    declined_reason = models.TextField(_("放弃原因"), blank=True)
    ended_at = models.DateTimeField(_("放弃或撤销时间"), null=True, blank=True)
    # 顺延: the award whose place this one took
    passed_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="passed_to", verbose_name=_("顺延自")
    )
    paid_at = models.DateTimeField(_("奖金发放时间"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # a revoked award's prize: no longer owed, or to be clawed back when it was paid
    recovered = models.BooleanField(_("奖金已追回或不再发放"), default=False)

    class Meta:
        verbose_name = _("奖项")
        verbose_name_plural = _("奖项")
        ordering = ["campaign", "kind", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "round_key"],
                condition=Q(status__in=["proposed", "confirmed"]),
                name="award_one_live_per_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id}:{self.tier_name}"


class Certificate(models.Model):
    """An award's certificate (证书): its number, unique per campaign and assigned in rank order at the
    campaign's first issue, and the verification code printed with its QR (``/verify/award/<code>``)."""

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="certificate")
    campaign = models.ForeignKey("workflows.Campaign", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("证书编号"), max_length=40)
    code = models.CharField(_("校验码"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("首次出具时间"))

    class Meta:
        verbose_name = _("获奖证书")
        verbose_name_plural = _("获奖证书")
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="certificate_number_per_campaign")]

    def __str__(self) -> str:
        return self.number


class ResultNotice(models.Model):
    """The result notice (发文) of a campaign: 文号, issuing body, date and contact, and its verification code."""

    campaign = models.OneToOneField("workflows.Campaign", on_delete=models.PROTECT, related_name="result_notice")
    doc_number = models.CharField(_("文号"), max_length=100)
    issuer = models.CharField(_("发文单位"), max_length=200)
    issued_on = models.DateField(_("发文日期"))
    contact = models.CharField(_("联系人及电话"), max_length=200, blank=True)
    code = models.CharField(_("校验码"), max_length=32, unique=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("结果通知")
        verbose_name_plural = _("结果通知")

    def __str__(self) -> str:
        return self.doc_number


class CaseBook(models.Model):
    """A case book (案例集) build of a campaign: the awarded cases compiled into one PDF and one Word
    document, built in the background (``awards.casebook``). At most one build of a campaign is
    queued or building at a time; the files lie in the file store (``approvals.filestore``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        BUILDING = "building", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    RUNNING = (Status.QUEUED, Status.BUILDING)

    campaign = models.ForeignKey("workflows.Campaign", on_delete=models.PROTECT, related_name="casebooks")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已整理案例数"), default=0)
    total = models.PositiveIntegerField(_("案例总数"), default=0)
    pages = models.PositiveIntegerField(_("PDF 页数"), null=True, blank=True)
    pdf_name = models.CharField(max_length=200, blank=True)
    docx_name = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # the last sign of life of a build (progress); a build silent for long is taken over
    updated_at = models.DateTimeField(_("更新时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("案例集")
        verbose_name_plural = _("案例集")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(status__in=["queued", "building"]), name="casebook_one_running"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.pk}"
