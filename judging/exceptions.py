"""Errors of judging, each with its stable code (style.md §4)."""

from django.utils.translation import gettext_lazy as _

from config.errors import StateConflict


class AlreadySubmitted(StateConflict):
    code = "already_submitted"
    message = _("评分已提交，不能再修改")


class RoundClosed(StateConflict):
    code = "round_closed"
    message = _("本轮评审已结束")


class RoundOpen(StateConflict):
    code = "round_open"
    message = _("本轮评审尚未结束")


class ScoresMissing(StateConflict):
    code = "scores_missing"
    message = _("仍有评审任务未提交评分，不能结束本轮")


class PanelExists(StateConflict):
    code = "panel_exists"
    message = _("本轮已组建评审专家组")


class WrongMethod(StateConflict):
    code = "wrong_method"
    message = _("本轮的评审方式不支持此操作")


class PreviousRoundOpen(StateConflict):
    code = "previous_round_open"
    message = _("上一轮评审尚未结束或同分晋级尚未裁定")


class NoTie(StateConflict):
    code = "no_tie"
    message = _("本轮没有待裁定的同分")


class Recused(StateConflict):
    code = "recused"
    message = _("已回避，不能评分")


class NotALottery(StateConflict):
    code = "not_a_lottery"
    message = _("本轮的出场顺序不是抽签决定的")


class DrawCommitted(StateConflict):
    code = "draw_committed"
    message = _("本轮已公布抽签承诺值，不能重新生成")


class NotCommitted(StateConflict):
    code = "not_committed"
    message = _("本轮尚未公布抽签承诺值")


class AlreadyDrawn(StateConflict):
    code = "already_drawn"
    message = _("本轮已经抽签，抽签只能进行一次")


class NoEntries(StateConflict):
    code = "no_entries"
    message = _("本轮没有参评申报")


class NotDrawn(StateConflict):
    code = "not_drawn"
    message = _("本轮尚未抽签，没有出场顺序")


class AlreadyPublished(StateConflict):
    code = "already_published"
    message = _("已公布的成绩不能撤回，只能继续公布后面的出场")
