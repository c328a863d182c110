"""Audit events that approvals writes (registry in audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from audit.registry import register

NOMINATION_CREATED = register("nomination.created", _("创建申报"))
NOMINATION_UPDATED = register("nomination.updated", _("修改申报"))
NOMINATION_SUBMITTED = register("nomination.submitted", _("提交申报"))
ATTACHMENT_ADDED = register("attachment.added", _("上传附件"))
ATTACHMENT_REMOVED = register("attachment.removed", _("删除附件"))
IMPORT_APPLIED = register("import.applied", _("批量导入"))
NOMINATION_SIGNED_OFF = register("nomination.signed_off", _("审批通过本环节"))
NOMINATION_RETURNED = register("nomination.returned", _("退回修改"))
NOMINATION_RETURNED_TO_STAGE = register("nomination.returned_to_stage", _("退回到指定环节"))
NOMINATION_REJECTED = register("nomination.rejected", _("不同意"))
NOMINATION_APPROVED = register("nomination.approved", _("审批全部通过"))
NOMINATION_WITHDRAWN = register("nomination.withdrawn", _("撤回申报"))
NOMINATION_DELETED = register("nomination.deleted", _("删除草稿"))
TASK_TRANSFERRED = register("task.transferred", _("转交审批任务"))
SEAL_CREATED = register("seal.created", _("加盖电子印章"))
SEAL_KEY_CREATED = register("seal_key.created", _("创建印章密钥"))
SEAL_KEY_ROTATED = register("seal_key.rotated", _("更换印章密钥"))
# 公示, objections, revocation (issue 6)
PUBLICITY_STARTED = register("publicity.started", _("开始公示"))
PUBLICITY_WINDOW_ENDED = register("publicity.window_ended", _("公示期届满"))
OBJECTION_FILED = register("objection.filed", _("提出异议"))
OBJECTION_ASSIGNED = register("objection.assigned", _("指派异议调查人"))
OBJECTION_FINDING_RECORDED = register("objection.finding_recorded", _("记录调查情况"))
OBJECTION_DECIDED = register("objection.decided", _("异议处理决定"))
OBJECTION_IDENTITY_READ = register("objection.identity_read", _("查看异议人身份"))
NOMINATION_REVOKED = register("nomination.revoked", _("撤销申报或奖项"))
CAMPAIGN_FINALIZED = register("campaign.finalized", _("确定最终名单"))
# 代签 (issue 17): a stage holder lets a delegate decide for a period, and takes it back
DELEGATION_CREATED = register("delegation.created", _("设置代签"))
DELEGATION_REVOKED = register("delegation.revoked", _("撤销代签"))
# 抄送 (issue 17): a decision copied to others (they are notified and may read)
NOMINATION_COPIED = register("nomination.copied", _("抄送申报"))
# Campaign templates and supplements after submission (issue 17)
CAMPAIGN_TEMPLATE_ADDED = register("campaign_template.added", _("上传活动附件模板"))
CAMPAIGN_TEMPLATE_REMOVED = register("campaign_template.removed", _("删除活动附件模板"))
SUPPLEMENT_ADDED = register("supplement.added", _("提交补充材料"))
# Entrant lists with 顺延 (issue 17)
ENTRANT_LIST_SET = register("entrant_list.set", _("设置参赛名单"))
ENTRANT_PLACE_DECLINED = register("entrant_place.declined", _("放弃参赛名额（顺延）"))
# Revision after selection (issue 17): the committee's window, the unit's revised versions
REVISION_WINDOW_OPENED = register("revision_window.opened", _("开放修改完善期"))
REVISION_WINDOW_CLOSED = register("revision_window.closed", _("关闭修改完善期"))
NOMINATION_REVISED = register("nomination.revised", _("提交修改稿"))
# 会签 / 或签 (issue 17): one holder of a stage of several approved; the stage waits for the others
NOMINATION_COSIGNED = register("nomination.cosigned", _("会签：签署方同意，等待其他签署方"))
# 加签 (issue 17): a signer added another signer before or after themselves
SIGNER_ADDED = register("nomination.signer_added", _("加签"))
