"""Audit events that voting writes (registry in audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from audit.registry import register

VOTING_OPENED = register("voting.opened", _("开启网络点赞"))
VOTE_CODE_SENT = register("voting.code_sent", _("发送点赞验证码"))
VOTE_CAST = register("voting.vote_cast", _("网络点赞投票"))
VOTES_VOIDED = register("voting.votes_voided", _("作废点赞票"))
VOTING_CLOSED = register("voting.closed", _("结束网络点赞"))
