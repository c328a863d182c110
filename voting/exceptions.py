"""Errors of voting, each with its stable code (style.md §4)."""

from django.utils.translation import gettext_lazy as _

from config.errors import InvalidInput, RateLimited, StateConflict


class VotingExists(StateConflict):
    code = "voting_exists"
    message = _("本轮已开启网络点赞")


class VotingNotOpen(StateConflict):
    code = "voting_not_open"
    message = _("当前不在点赞时间内")


class VotingClosed(StateConflict):
    code = "voting_closed"
    message = _("本轮网络点赞已结束")


class AlreadyVoted(StateConflict):
    code = "already_voted"
    message = _("今天已为该作品点过赞，请明天再来")


class WrongCode(InvalidInput):
    code = "wrong_code"
    message = _("验证码错误或已失效，请重新获取")


class VoteLimit(RateLimited):
    code = "vote_limit"
    message = _("今天的点赞次数已用完，请明天再来")


class TooManyRequests(RateLimited):
    code = "rate_limited"
    message = _("操作过于频繁，请稍后再试")
