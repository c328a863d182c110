"""Input and output shapes of the campaigns API (api.md, Campaigns)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.roles import Role
from config.api.serializers import IdField, StrictSerializer
from workflows.models import Campaign, NominationKind, Stage


class DeadlineField(serializers.Field):
    """An instant: ISO datetime (local time when no offset), or a date meaning 23:59:59 local that day."""

    default_error_messages = {"invalid": _("请使用日期（2024-09-18）或带时区的时间（2024-09-18T17:00:00+08:00）")}

    def to_internal_value(self, value: Any) -> datetime:
        if not isinstance(value, str):
            self.fail("invalid")
        parsed_dt = parse_datetime(value) if "T" in value or " " in value else None
        if parsed_dt is not None:
            if timezone.is_naive(parsed_dt):
                parsed_dt = timezone.make_aware(parsed_dt)
            return parsed_dt
        try:
            parsed_date = parse_date(value)
        except ValueError:
            parsed_date = None
        if parsed_date is None:
            self.fail("invalid")
        return end_of_day(parsed_date)

    def to_representation(self, value: datetime) -> str:
        return timezone.localtime(value).isoformat()


def end_of_day(day: date) -> datetime:
    """23:59:59 of ``day`` in the project's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class HolderIn(StrictSerializer):
    """One holder of a 会签 / 或签 stage: a role, where it sits, and optionally the department
    (the organisation of that name right below it, e.g. the district's 社工部)."""

    role = serializers.ChoiceField(choices=Role.choices)
    signer_org = serializers.ChoiceField(choices=Stage.SignerOrg.choices, required=False)
    department = serializers.CharField(max_length=100, required=False, allow_blank=True)


class StageIn(StrictSerializer):
    key = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=Role.choices)
    seal = serializers.BooleanField(default=False)
    signer_org = serializers.ChoiceField(choices=Stage.SignerOrg.choices, required=False)
    time_limit_days = serializers.IntegerField(min_value=1, max_value=365, required=False, allow_null=True)
    # The stage ends at 23:59:59 (Asia/Shanghai) of this date instead of after N days ([002]: 8月9日前).
    due_date = serializers.DateField(required=False, allow_null=True)
    # 一肩挑: the previous stage's signer may sign this one too (unit, party and township stages only).
    same_signer_as_previous = serializers.BooleanField(required=False, default=False)
    # 抄送: roles copied on every decision of this stage (notified, may read, never decide).
    cc_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False, default=list, max_length=10
    )
    # A sealing party stage may apply its unit's seal ("unit"); blank: the signer's organisation.
    seal_org = serializers.ChoiceField(choices=Stage.SignerOrg.choices, required=False, allow_blank=True)
    # 会签 / 或签: every holder of the stage, the first being ``role`` at ``signer_org``; ``mode``
    # "all" (会签: each approves) or "any" (或签: one approval decides). Checked in workflows/specs.py.
    holders = HolderIn(many=True, required=False)  # at most 10, checked with the spec
    mode = serializers.ChoiceField(choices=Stage.Mode.choices, required=False, allow_blank=True)


class QuotaIn(StrictSerializer):
    org = IdField()
    max = serializers.IntegerField(min_value=0, max_value=1_000_000)
    kind = serializers.ChoiceField(choices=NominationKind.choices, required=False, allow_blank=True)
    # Only the nominations of ``kind`` whose form answers ``value`` in the choice field ``field`` count.
    field = serializers.CharField(max_length=40, required=False, allow_blank=True)
    value = serializers.CharField(max_length=100, required=False, allow_blank=True)
    # The key of the stage whose approval takes a place; blank: the district bureau's sealing stage.
    stage = serializers.CharField(max_length=40, required=False, allow_blank=True)


class CampaignIn(StrictSerializer):
    title = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    host_org = IdField()
    bodies = serializers.DictField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=NominationKind.choices), required=False)
    forms = serializers.DictField(child=serializers.JSONField())
    eligibility = serializers.DictField(child=serializers.JSONField(), required=False)
    opens_at = DeadlineField(required=False)
    submission_deadline = DeadlineField()
    stages = StageIn(many=True)
    quotas = QuotaIn(many=True, required=False)
    per_unit_max = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    total_max = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    min_per_township = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    min_per_unit = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    awards = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False)
    entrants_per_award = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    publicity_days = serializers.IntegerField(min_value=1, max_value=60, required=False, allow_null=True)
    publicity_working_days = serializers.BooleanField(required=False)
    publicity_counts_publication_day = serializers.BooleanField(required=False)
    # Checked as a whole with the rest of the definition (workflows/rounds.py).
    rounds = serializers.ListField(child=serializers.JSONField(), required=False)
    tiers = serializers.DictField(child=serializers.JSONField(), required=False)
    tier_floors = serializers.ListField(child=serializers.JSONField(), required=False)
    # Checked with the rest of the definition (workflows/supplements.py).
    supplements = serializers.ListField(child=serializers.JSONField(), required=False)


class StageOut(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = [
            "key", "name", "role", "signer_org", "seal", "time_limit_days", "due_date", "same_signer_as_previous",
            "seal_org", "cc_roles", "holders", "mode",
        ]  # fmt: skip


class CampaignOutBase(serializers.ModelSerializer):
    """A campaign as the API shows it, less what is counted from nominations.

    The quota usage (``quotas``) is added above workflows, by the campaign views of approvals
    (``approvals.api.campaigns.CampaignOut``): the places are used by nominations.
    """

    stages = StageOut(many=True, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    submission_deadline = DeadlineField()
    opens_at = DeadlineField()

    class Meta:
        model = Campaign
        fields = [
            "id", "title", "year", "host_org", "bodies", "description", "kinds", "forms", "eligibility",
            "opens_at", "submission_deadline", "stages", "per_unit_max", "total_max",
            "min_per_township", "min_per_unit", "awards", "entrants_per_award", "publicity_days",
            "publicity_working_days",
            "publicity_counts_publication_day", "rounds", "tiers", "tier_floors", "supplements", "status",
            "status_label",
            "version", "created_at",
        ]  # fmt: skip


class CampaignBrief(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    submission_deadline = DeadlineField()

    class Meta:
        model = Campaign
        fields = ["id", "title", "year", "host_org", "kinds", "submission_deadline", "status", "status_label"]
