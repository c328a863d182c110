"""Audit events that judging writes (registry in audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from audit.registry import register

PANEL_SET_UP = register("judging.panel_set_up", _("组建评审专家组"))
SCORE_SAVED = register("judging.score_saved", _("保存评分"))
SCORE_SUBMITTED = register("judging.score_submitted", _("提交评分"))
CONFLICT_DECLARED = register("judging.conflict_declared", _("申明回避"))
SCORES_IMPORTED = register("judging.scores_imported", _("导入成绩"))
ROUND_CLOSED = register("judging.round_closed", _("结束评审轮次"))
TIE_RESOLVED = register("judging.tie_resolved", _("组委会裁定同分晋级"))
SCORE_CORRECTED = register("judging.score_corrected", _("更正评分"))
JUDGES_URGED = register("judging.judges_urged", _("催评"))
DRAW_COMMITTED = register("judging.draw_committed", _("公布抽签承诺值"))
DRAW_PERFORMED = register("judging.draw_performed", _("现场抽签"))
RESULTS_PUBLISHED = register("judging.results_published", _("公布现场成绩"))
