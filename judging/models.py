"""Judging (评审): rounds of a campaign, judges' assignments and scores, imports, results, draws.

A round's definition (criteria, weight, advance, ...) lives in the campaign's ``rounds`` JSON
(workflows/rounds.py); ``Round`` holds its state. Submitted scores never change: a correction
is a new ``ScoreCorrection`` row by the committee, with its reason.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Round(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("评审中")
        CLOSED = "closed", _("已结束")

    campaign = models.ForeignKey("workflows.Campaign", on_delete=models.PROTECT, related_name="judging_rounds")
    key = models.CharField(_("轮次标识"), max_length=40)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateTimeField(_("评分截止"), null=True, blank=True)
    # Live results: the scores of the first n presentations (in drawn order) are public.
    published_through = models.PositiveIntegerField(_("已公布至第几个"), default=0)
    # kind → entries tied across the advance boundary, waiting for the committee (resolve_tie).
    boundary_tie: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("评审轮次")
        verbose_name_plural = _("评审轮次")
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="round_unique_key")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.key}"


class JudgeProfile(models.Model):
    """An expert of the pool: field of expertise and the organisation they belong to (recusal)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judge_profile")
    expertise = models.CharField(_("专业领域"), max_length=200, blank=True)
    affiliation = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("所在单位"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("评审专家档案")
        verbose_name_plural = _("评审专家档案")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.expertise}"


class Assignment(models.Model):
    """One judge and one entry of a panel round; a recusal is an assignment with its reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待评分")
        SUBMITTED = "submitted", _("已提交")
        RECUSED = "recused", _("已回避")

    class RecusalKind(models.TextChoices):
        AUTO = "auto", _("自动回避")
        DECLARED = "declared", _("本人申明回避")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="assignments")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nomination = models.ForeignKey("approvals.Nomination", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    recusal_kind = models.CharField(_("回避方式"), max_length=16, choices=RecusalKind.choices, blank=True)
    recusal_reason = models.CharField(_("回避原因"), max_length=500, blank=True)
    # criterion key → points, as strings of exact decimals ("12.5").
    scores: models.JSONField[Any, Any] = models.JSONField(_("评分"), default=dict, blank=True)
    comment = models.TextField(_("评语"), blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "judge", "nomination"], name="assignment_unique"),
        ]
        indexes = [models.Index(fields=["judge", "id"], name="assignment_judge_idx")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.judge_id}:{self.nomination_id}"


class ScoreCorrection(models.Model):
    """The committee's correction of a submitted score: a new entry, the old one stays."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="corrections")
    committee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("更正原因"))
    old: models.JSONField[Any, Any] = models.JSONField()
    new: models.JSONField[Any, Any] = models.JSONField()
    created_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评分更正")
        verbose_name_plural = _("评分更正")
        ordering = ["assignment", "id"]

    def __str__(self) -> str:
        return f"{self.assignment_id}#{self.pk}"


class ImportBatch(models.Model):
    """One import of an ``import`` round's scores (Excel or API): all rows or none."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="import_batches")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=200, blank=True)
    row_count = models.PositiveIntegerField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("成绩导入")
        verbose_name_plural = _("成绩导入")
        ordering = ["round", "id"]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.sha256[:12]}"


class ImportedScore(models.Model):
    """An entry's score from outside (0–100); a later batch replaces the round's scores."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="imported_scores")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="scores")
    nomination = models.ForeignKey("approvals.Nomination", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=9, decimal_places=4)

    class Meta:
        verbose_name = _("导入成绩")
        verbose_name_plural = _("导入成绩")
        constraints = [models.UniqueConstraint(fields=["round", "nomination"], name="imported_score_unique")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.nomination_id}={self.score}"


class RoundResult(models.Model):
    """An entry's result when its round closed: the ranked score (running weighted total), rank."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="results")
    nomination = models.ForeignKey("approvals.Nomination", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16)
    round_score = models.DecimalField(max_digits=9, decimal_places=4)
    score = models.DecimalField(max_digits=9, decimal_places=4)
    rank = models.PositiveIntegerField()
    tied = models.BooleanField(default=False)
    advanced = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("轮次成绩")
        verbose_name_plural = _("轮次成绩")
        ordering = ["round", "kind", "rank", "nomination"]
        constraints = [models.UniqueConstraint(fields=["round", "nomination"], name="round_result_unique")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.nomination_id}#{self.rank}"


class Draw(models.Model):
    """The verifiable lottery (抽签) of a round's order: committed once, drawn once."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="draw")
    commitment = models.CharField(max_length=64)
    secret = models.CharField(max_length=64)
    contributions: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    entries: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    order: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    committed_at = models.DateTimeField()
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("抽签")
        verbose_name_plural = _("抽签")

    def __str__(self) -> str:
        return f"{self.round_id}:{self.commitment[:12]}"
