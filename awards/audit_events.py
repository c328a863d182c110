"""Audit events that awards writes (registry in audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from audit.registry import register

AWARDS_ALLOCATED = register("awards.allocated", _("分配奖项（拟定）"))
AWARDS_CONFIRMED = register("awards.confirmed", _("确认奖项"))
AWARD_DECLINED = register("awards.declined", _("放弃奖项"))
AWARD_REVOKED = register("awards.revoked", _("撤销奖项"))
AWARD_PASSED_DOWN = register("awards.passed_down", _("奖项顺延"))
NOMINATION_NOT_SELECTED = register("awards.not_selected", _("未获奖项"))
CERTIFICATES_ISSUED = register("awards.certificates_issued", _("出具获奖证书（编号）"))
RESULT_NOTICE_SET = register("awards.result_notice_set", _("设置结果通知（文号、发文单位、日期）"))
PRIZE_PAID = register("awards.prize_paid", _("登记奖金发放"))
CASEBOOK_REQUESTED = register("awards.casebook_requested", _("申请生成案例集"))
CASEBOOK_BUILT = register("awards.casebook_built", _("案例集已生成"))
CASEBOOK_FAILED = register("awards.casebook_failed", _("案例集生成失败"))
INTAKE_BELOW_MINIMUM = register("awards.intake_below_minimum", _("截止征集时未达最低申报数"))
