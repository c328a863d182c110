"""``manage.py create_system_admin USERNAME``: the first system administrator (api.md, Bootstrap).

The password comes from the environment variable ADMIN_PASSWORD, never from the command line
(it would show in the process list and the shell history).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.actions import bootstrap_system_admin
from config.errors import SealflowError


class Command(BaseCommand):
    help = "Create a system-wide system administrator; the password is read from ADMIN_PASSWORD."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--display-name", default="")

    def handle(self, *args: Any, username: str, display_name: str, **options: Any) -> None:
        password = os.environ.get("ADMIN_PASSWORD", "")
        if not password:
            raise CommandError("请先设置环境变量 ADMIN_PASSWORD（系统管理员的初始密码）。")
        try:
            user = bootstrap_system_admin(username=username, password=password, display_name=display_name)
        except SealflowError as exc:
            details = "；".join(m for messages in getattr(exc, "errors", {}).values() for m in messages)
            raise CommandError(f"{exc.detail}{'：' + details if details else ''}") from None
        self.stdout.write(self.style.SUCCESS(f"已创建系统管理员 {user.username}（全系统范围）。"))
