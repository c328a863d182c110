"""Password rules beyond Django's own, with Chinese messages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters (等保 level 3)."""

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类"), code="password_too_simple"
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule; its refusal has no Chinese in Django's own catalogue (only its help
    text has), so an administrator setting a short password read English."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 {n} 个字符").format(n=self.min_length)
