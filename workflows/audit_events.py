"""Audit events that workflows writes (registry in audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from audit.registry import register

CAMPAIGN_CREATED = register("campaign.created", _("创建评选活动"))
CAMPAIGN_UPDATED = register("campaign.updated", _("修改评选活动"))
CAMPAIGN_STATUS_CHANGED = register("campaign.status_changed", _("评选活动状态变更"))
CALENDAR_DAY_SET = register("calendar.day_set", _("录入节假日或调休"))
CALENDAR_DAY_REMOVED = register("calendar.day_removed", _("删除节假日或调休"))
CALENDAR_YEAR_SET = register("calendar.year_set", _("设置节假日已录入年度"))
