"""Errors of the notifications package (stable codes, Chinese messages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config.errors import StateConflict


class AlreadyUrged(StateConflict):
    code = "already_urged"
    message = _("今天已经催办过该任务，请明天再试")
