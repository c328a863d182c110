"""The bootstrap commands' shared body (api.md, Bootstrap): ``create_security_admin`` and
``create_system_admin`` differ only in the action they call and the title they print.

The password comes from the environment variable ADMIN_PASSWORD, never from the command line
(it would show in the process list and the shell history).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from config.errors import SealflowError


class BootstrapAdminCommand(BaseCommand):
    title: ClassVar[str]  # 安全管理员 / 系统管理员
    bootstrap: ClassVar[Callable[..., User]]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--display-name", default="")

    def handle(self, *args: Any, username: str, display_name: str, **options: Any) -> None:
        password = os.environ.get("ADMIN_PASSWORD", "")
        if not password:
            raise CommandError(f"请先设置环境变量 ADMIN_PASSWORD（{self.title}的初始密码）。")
        try:
            user = type(self).bootstrap(username=username, password=password, display_name=display_name)
        except SealflowError as exc:
            details = "；".join(m for messages in getattr(exc, "errors", {}).values() for m in messages)
            raise CommandError(f"{exc.detail}{'：' + details if details else ''}") from None
        self.stdout.write(self.style.SUCCESS(f"已创建{self.title} {user.username}（全系统范围）。"))
