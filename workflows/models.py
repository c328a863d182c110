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
    # At least this many nominations per unit, reported at the close of intake (never enforced).
    min_per_unit = models.PositiveIntegerField(_("每单位至少"), null=True, blank=True)
    # Awards per kind and entrants per award (1 : 1.5 [002]).
    awards: models.JSONField[Any, Any] = models.JSONField(_("奖项数"), default=dict, blank=True)
    entrants_per_award = models.DecimalField(
        _("入围与获奖比例"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # Judging (workflows/rounds.py): the rounds per kind in order, the award tiers, their floors.
    rounds: models.JSONField[Any, Any] = models.JSONField(_("评审轮次"), default=list, blank=True)
    tiers: models.JSONField[Any, Any] = models.JSONField(_("奖项等次"), default=dict, blank=True)
    tier_floors: models.JSONField[Any, Any] = models.JSONField(_("等次比例下限"), default=list, blank=True)
    # Documents a submitted nomination adds later, each by its own deadline (workflows/supplements.py).
    supplements: models.JSONField[Any, Any] = models.JSONField(_("补充材料"), default=list, blank=True)
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), null=True, blank=True)
    publicity_working_days = models.BooleanField(_("按工作日计"), default=False)
    # The publication day is day 1 of the window (民政部 and provincial practice); off: the next day is.
    publicity_counts_publication_day = models.BooleanField(_("发布当日计入公示期"), default=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # When intake was closed by hand (截止征集), possibly before the deadline; cleared on reopening.
    closed_at = models.DateTimeField(_("实际截止征集时间"), null=True, blank=True)
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
        PROVINCE = "province", _("所在省")
        HOST = "host", _("主办方（组委会）")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(_("环节标识"), max_length=40)
    name = models.CharField(_("环节名称"), max_length=100)
    role = models.CharField(_("签署角色"), max_length=32, choices=Role.choices)
    signer_org = models.CharField(_("签署组织"), max_length=16, choices=SignerOrg.choices)
    seal = models.BooleanField(_("盖章"), default=False)
    # Whose seal a sealing stage applies; blank: the signer's organisation. Only "unit" at a
    # party stage ([003]: 党组织负责人签名, 单位盖章), see workflows/specs.py.
    seal_org = models.CharField(_("盖章组织"), max_length=16, choices=SignerOrg.choices, blank=True, default="")
    # A stage ends either ``time_limit_days`` after it opens or at the end of ``due_date`` (Asia/Shanghai).
    time_limit_days = models.PositiveSmallIntegerField(_("办理时限（天）"), null=True, blank=True)
    due_date = models.DateField(_("办理截止日期"), null=True, blank=True)
    # 一肩挑: the signer of the previous stage may sign this one too (below the district only).
    same_signer_as_previous = models.BooleanField(_("可与上一环节同一人签署（一肩挑）"), default=False)
    # 抄送: roles whose holders (where each role's signer sits, seen from the unit) are copied on
    # every decision of this stage: notified, and may read the nomination (never decide).
    cc_roles: models.JSONField[Any, Any] = models.JSONField(_("抄送角色"), default=list, blank=True)
    # 会签 / 或签: a stage signed by several holders, each ``{"role", "signer_org", "department"}``
    # (``department``: the named organisation right below ``signer_org``, e.g. the district's
    # 社工部); empty for a stage of one holder (``role`` at ``signer_org``). The first holder is
    # ``role`` at ``signer_org``. ``mode`` "all" (会签): every holder approves; "any" (或签): one.
    holders: models.JSONField[Any, Any] = models.JSONField(_("会签/或签签署方"), default=list, blank=True)

    class Mode(models.TextChoices):
        ALL = "all", _("会签")
        ANY = "any", _("或签")

    mode = models.CharField(_("多方签署方式"), max_length=8, choices=Mode.choices, blank=True, default="")

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
    """At most ``max`` nominations (of ``kind``, or of every kind) from below ``org``.

    With ``field``, only the nominations of ``kind`` whose form answers ``value`` in that choice
    field count ([002]: the 受理中心组 places of a district apart from its 区运管团队组 place).

    ``stage`` names the stage (its key) whose approval takes a place; blank: the district
    bureau's sealing stage, as before stages could be named.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="quotas")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"))
    kind = models.CharField(_("类别"), max_length=16, choices=NominationKind.choices, blank=True, default="")
    field = models.CharField(_("申报表字段"), max_length=40, blank=True, default="")
    value = models.CharField(_("字段取值"), max_length=100, blank=True, default="")
    max = models.PositiveIntegerField(_("名额"))
    stage = models.CharField(_("生效环节"), max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("名额")
        verbose_name_plural = _("名额")
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "org", "kind", "field", "value"], name="quota_unique_org_kind_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_id}≤{self.max}"


class EntrantList(models.Model):
    """A kind of a campaign restricted to a ranked list of units ([002] 附件1: 24 受理中心 by a third
    party's ranking). The first ``places`` units in rank that have not declined hold a place; the
    rest are reserves, and a decline passes the place to the next in rank (顺延)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entrant_lists")
    kind = models.CharField(_("类别"), max_length=16, choices=NominationKind.choices)
    # With ``field``, the list restricts only the kind's nominations whose form answers ``value`` in
    # that choice field ([002]: the 受理中心组; the 区运管团队组 of the same kind stays open).
    field = models.CharField(_("申报表字段"), max_length=40, blank=True, default="")
    value = models.CharField(_("字段取值"), max_length=100, blank=True, default="")
    places = models.PositiveIntegerField(_("参赛名额"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("设置人")
    )
    updated_at = models.DateTimeField(_("设置时间"), auto_now=True)

    class Meta:
        verbose_name = _("参赛名单")
        verbose_name_plural = _("参赛名单")
        ordering = ["campaign", "kind"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="entrant_list_unique_kind")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.kind}"


class EntrantListEntry(models.Model):
    """One ranked unit of an entrant list; a decline is kept on the row (who, when, why)."""

    entrant_list = models.ForeignKey(EntrantList, on_delete=models.CASCADE, related_name="entries")
    rank = models.PositiveIntegerField(_("排名"))
    unit = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    declined_at = models.DateTimeField(_("放弃时间"), null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("放弃操作人")
    )
    decline_reason = models.TextField(_("放弃理由"), blank=True)

    class Meta:
        verbose_name = _("参赛名单单位")
        verbose_name_plural = _("参赛名单单位")
        ordering = ["entrant_list", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["entrant_list", "rank"], name="entrant_entry_unique_rank"),
            models.UniqueConstraint(fields=["entrant_list", "unit"], name="entrant_entry_unique_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.unit_id}"


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday rule: a statutory holiday, or a make-up workday (调休).

    Seeded from ``chinese-calendar`` (2004–2026); the system administrator adds later years
    (admin or API) once the State Council publishes them, then marks the year covered.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    source = models.CharField(_("来源"), max_length=32, default="admin")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays and make-up days are all entered: working days may be counted in it."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(_("来源"), max_length=32, default="admin")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("已录入节假日的年度")
        verbose_name_plural = _("已录入节假日的年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
