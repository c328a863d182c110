"""Campaign definitions: the chain of stages, forms, rules, quotas and windows (all data, no code)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.roles import Role


class NominationKind(models.TextChoices):
    CASE = "case", _("案例")
    COLLECTIVE = "collective", _("集体")
    INDIVIDUAL = "individual", _("个人")


class Campaign(models.Model):
    """One award or nomination campaign (评选活动) of a host organisation."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("征集中")
        CLOSED = "closed", _("征集结束")
        REVIEWING = "reviewing", _("评审中")
        PUBLICITY = "publicity", _("公示中")
        FINISHED = "finished", _("已结束")

    title = models.CharField(_("活动名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    host_org = models.ForeignKey(
        Organization, verbose_name=_("主办（组委会）"), on_delete=models.PROTECT, related_name="hosted_campaigns"
    )
    # 指导单位, 主办单位, 承办单位, 组委会: names as printed on the notice.
    bodies: models.JSONField[Any, Any] = models.JSONField(_("活动单位"), default=dict, blank=True)
    description = models.TextField(_("说明"), blank=True)
    kinds: models.JSONField[Any, Any] = models.JSONField(_("申报类别"), default=list)
    # kind → form definition (workflows/forms.py) and kind → eligibility rules (workflows/eligibility.py)
    forms: models.JSONField[Any, Any] = models.JSONField(_("申报表"), default=dict)
    eligibility: models.JSONField[Any, Any] = models.JSONField(_("申报条件"), default=dict, blank=True)
    opens_at = models.DateTimeField(_("开始征集"))
    submission_deadline = models.DateTimeField(_("截止时间"))
    per_unit_max = models.PositiveIntegerField(_("每单位限报"), null=True, blank=True)
    total_max = models.PositiveIntegerField(_("总名额"), null=True, blank=True)
    min_per_township = models.PositiveIntegerField(_("每乡镇（街道）至少"), null=True, blank=True)
    # Awards per kind and entrants per award (1 : 1.5 [002]).
    awards: models.JSONField[Any, Any] = models.JSONField(_("奖项数"), default=dict, blank=True)
    entrants_per_award = models.DecimalField(
        _("入围与获奖比例"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), null=True, blank=True)
    publicity_working_days = models.BooleanField(_("按工作日计"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("评选活动")
        verbose_name_plural = _("评选活动")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "id"], name="campaign_status_idx")]

    def __str__(self) -> str:
        return self.title


class Stage(models.Model):
    """One step of a campaign's sign-off chain, in order."""

    class SignerOrg(models.TextChoices):
        """Where the signer sits, found from the nomination's unit."""

        UNIT = "unit", _("申报单位")
        PARTY = "party", _("申报单位党组织")
        TOWNSHIP = "township", _("所在乡镇（街道）")
        DISTRICT = "district", _("所在区（县）")
        CITY = "city", _("所在市")
        HOST = "host", _("主办方（组委会）")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(_("环节标识"), max_length=40)
    name = models.CharField(_("环节名称"), max_length=100)
    role = models.CharField(_("签署角色"), max_length=32, choices=Role.choices)
    signer_org = models.CharField(_("签署组织"), max_length=16, choices=SignerOrg.choices)
    seal = models.BooleanField(_("盖章"), default=False)
    time_limit_days = models.PositiveSmallIntegerField(_("办理时限（天）"), null=True, blank=True)

    class Meta:
        verbose_name = _("审批环节")
        verbose_name_plural = _("审批环节")
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="stage_unique_key"),
            models.UniqueConstraint(fields=["campaign", "position"], name="stage_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.key}"


class Quota(models.Model):
    """At most ``max`` nominations (of ``kind``, or of every kind) from below ``org``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="quotas")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    kind = models.CharField(_("类别"), max_length=16, choices=NominationKind.choices, blank=True, default="")
    max = models.PositiveIntegerField(_("名额"))

    class Meta:
        verbose_name = _("名额")
        verbose_name_plural = _("名额")
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "org", "kind"], name="quota_unique_org_kind")]

    def __str__(self) -> str:
        return f"{self.org_id}≤{self.max}"
