"""Errors of a nomination's life, each with its stable code (style.md §4)."""

from django.utils.translation import gettext_lazy as _

from config.errors import InvalidInput, NotPermitted, StateConflict


class NominationNotEditable(StateConflict):
    code = "nomination_not_editable"
    message = _("只有草稿或退回修改的申报可以修改或提交")


class NominationNotDeletable(StateConflict):
    code = "nomination_not_deletable"
    message = _("只有从未提交过的草稿可以删除；已提交过的申报可以撤回")


class NominationInvalid(InvalidInput):
    code = "nomination_invalid"
    message = _("申报表填写不完整或有误，请按提示修改")


class NotEligible(InvalidInput):
    code = "not_eligible"
    message = _("不符合申报条件")


class AttachmentLimit(InvalidInput):
    code = "attachment_limit"
    message = _("附件数量已达上限")


class TaskAlreadyDecided(StateConflict):
    code = "task_already_decided"
    message = _("该审批任务已经办理，不能重复办理")


class AlreadySignedStage(StateConflict):
    code = "already_signed_stage"
    message = _("您已在本环节签署过意见，同一环节每人只能签署一次")


class SeatNotOpenYet(StateConflict):
    code = "seat_not_open_yet"
    message = _("请等待加签人（或加签您的签署人）先办理后再签署")


class SelfApprovalForbidden(NotPermitted):
    code = "self_approval_forbidden"
    message = _("不能审批本人提交的申报")


class ConsecutiveSignOffForbidden(NotPermitted):
    code = "consecutive_sign_off_forbidden"
    message = _("同一人不能连续签署两个审批环节，请由本组织其他人员办理")


class OpinionRequired(InvalidInput):
    code = "opinion_required"
    message = _("退回修改或不同意时必须填写意见")


class WithdrawNotAllowed(StateConflict):
    code = "withdraw_not_allowed"
    message = _("申报已有审批意见，不能撤回")


class PublicityClosed(StateConflict):
    code = "publicity_closed"
    message = _("不在公示期内，不能提出异议")


class PublicityNotAllowed(StateConflict):
    code = "publicity_not_allowed"
    message = _("评选活动当前状态不能开始公示")


class NothingToPublicise(StateConflict):
    code = "nothing_to_publicise"
    message = _("没有审批通过、待公示的申报")


class PublicityTooShort(InvalidInput):
    code = "publicity_too_short"
    message = _("指定的公示结束时间早于活动规定的公示期，请填写缩短公示期的理由")


class AnonymousObjection(InvalidInput):
    code = "objection_anonymous"
    message = _("公示异议须实名提出：请填写真实姓名（单位须填写单位名称和联系人）及联系电话；匿名异议不予受理")


class ObjectionAlreadyDecided(StateConflict):
    code = "objection_already_decided"
    message = _("该异议已处理完毕")


class NotRevocable(StateConflict):
    code = "nomination_not_revocable"
    message = _("只有审批通过、公示中或已确定的申报可以撤销")


class PublicityRunning(StateConflict):
    code = "publicity_running"
    message = _("公示期尚未结束，不能确定最终名单")


class ObjectionsOpen(StateConflict):
    code = "objections_open"
    message = _("还有未处理完毕的异议，不能确定最终名单")


class SubmissionBarred(StateConflict):
    code = "submission_barred"
    message = _("该单位或人员因奖项被撤销，在限制期内不得申报")


class SupplementNotSubmitted(StateConflict):
    code = "supplement_before_submission"
    message = _("申报提交后才能补充材料")


class SupplementDeadlinePassed(StateConflict):
    code = "supplement_deadline_passed"
    message = _("已超过该补充材料的截止时间，不能再提交")


class SupplementAlreadyAdded(StateConflict):
    code = "supplement_already_added"
    message = _("该补充材料已提交并盖章，不能更改")


class NotOnEntrantList(InvalidInput):
    code = "unit_not_on_entrant_list"
    message = _("本类别只接受参赛名单上持有参赛名额的单位申报")


class EntrantListLocked(StateConflict):
    code = "entrant_list_locked"
    message = _("参赛名单只能在活动开始征集前设置或更换")


class EntrantPlaceAlreadyDeclined(StateConflict):
    code = "entrant_place_already_declined"
    message = _("该单位已放弃参赛名额")


class EntrantPlaceInUse(StateConflict):
    code = "entrant_place_in_use"
    message = _("该单位已提交本类别的申报，须先撤回申报才能放弃参赛名额")


class EntrantDeclineClosed(StateConflict):
    code = "entrant_decline_closed"
    message = _("活动已截止征集，不能再放弃参赛名额")


# Revision after selection (修改完善, issue 17)
class RevisionNotChosen(StateConflict):
    code = "revision_not_chosen"
    message = _("只有已入围（审批通过、公示中或已确定）的申报可以修改完善")


class RevisionWindowClosed(StateConflict):
    code = "revision_window_closed"
    message = _("修改完善期未开始、已截止或已关闭，不能提交修改稿")


class RevisionNotSubmitter(NotPermitted):
    code = "revision_not_unit_submitter"
    message = _("只有申报单位的经办人可以提交修改稿")


class RevisionUnchanged(InvalidInput):
    code = "revision_unchanged"
    message = _("修改稿与当前版本相同，没有需要提交的修改")
