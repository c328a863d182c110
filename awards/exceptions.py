"""Errors of awards, each with its stable code (style.md §4)."""

from django.utils.translation import gettext_lazy as _

from config.errors import NotVisible, StateConflict


class RoundsOpen(StateConflict):
    code = "rounds_open"
    message = _("该类别仍有评审轮次未结束（或晋级同分未裁定），不能分配奖项")


class FloorUnreachable(StateConflict):
    code = "floor_unreachable"
    message = _("无法满足等次比例下限")


class NoTiers(StateConflict):
    code = "no_tiers"
    message = _("本活动未设置奖项等次")


class AwardsConfirmed(StateConflict):
    code = "awards_confirmed"
    message = _("奖项已确认，不能重新分配")


class NothingToConfirm(StateConflict):
    code = "no_proposal"
    message = _("没有待确认的奖项分配")


class TieUnresolved(StateConflict):
    code = "tie_unresolved"
    message = _("奖项分界处有并列，须由组委会裁定先后后重新分配")


class AwardNotActive(StateConflict):
    code = "award_not_active"
    message = _("该奖项当前状态不允许此操作")


class CampaignFinished(StateConflict):
    code = "campaign_finished"
    message = _("最终名单已确定，不能再顺延")


class NoSuccessor(StateConflict):
    code = "no_successor"
    message = _("该类别已没有可顺延的申报")


class AwardNotValid(StateConflict):
    code = "award_not_valid"
    message = _("该奖项已撤销、放弃或尚未确认，不能出具证书")


class NoResultNotice(StateConflict):
    code = "no_result_notice"
    message = _("尚未设置结果通知的文号、发文单位和日期")


class AlreadyPaid(StateConflict):
    code = "already_paid"
    message = _("该奖项的奖金已登记发放")


class NoPrize(StateConflict):
    code = "no_prize"
    message = _("该奖项没有奖金")


class CaseBookEmpty(StateConflict):
    code = "casebook_empty"
    message = _("本活动没有已确认获奖的案例，无法生成案例集")


class CaseBookMissing(NotVisible):
    code = "casebook_missing"
    message = _("尚未生成案例集")
