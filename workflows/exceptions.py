"""Errors of campaigns and intake, each with its stable code."""

from django.utils.translation import gettext_lazy as _

from config.errors import StateConflict


class CampaignNotEditable(StateConflict):
    code = "campaign_not_editable"
    message = _("只有草稿状态的评选活动可以修改")


class SupplementsLocked(CampaignNotEditable):
    """Supplement definitions are fixed once intake has opened or a nomination has added one."""

    code = "supplements_locked"
    message = _("补充材料的设置在活动开始征集后（或已有申报提交补充材料后）不能再修改")


class CampaignTransitionNotAllowed(StateConflict):
    code = "campaign_transition_not_allowed"
    message = _("评选活动当前状态不允许此操作")


class DeadlinePassed(StateConflict):
    code = "deadline_passed"
    message = _("已超过申报截止时间，不能再提交")


class NotOpenYet(StateConflict):
    code = "campaign_not_open"
    message = _("评选活动尚未开始征集或已停止征集")


class QuotaExceeded(StateConflict):
    code = "quota_exceeded"
    message = _("名额已满")
