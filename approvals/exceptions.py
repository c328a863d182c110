"""Errors of a nomination's life, each with its stable code (style.md §4)."""

from django.utils.translation import gettext_lazy as _

from config.errors import InvalidInput, StateConflict


class NominationNotEditable(StateConflict):
    code = "nomination_not_editable"
    message = _("只有草稿或退回修改的申报可以修改或提交")


class NominationInvalid(InvalidInput):
    code = "nomination_invalid"
    message = _("申报表填写不完整或有误，请按提示修改")


class NotEligible(InvalidInput):
    code = "not_eligible"
    message = _("不符合申报条件")


class AttachmentLimit(InvalidInput):
    code = "attachment_limit"
    message = _("附件数量已达上限")
