"""``manage.py load_demo``: the demo organisation tree and one account per role (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, describe_accounts, load_demo


class Command(BaseCommand):
    help = "Load the demo organisations and accounts from the seed notices; a second run adds nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        orgs, users, grants = load_demo()
        self.stdout.write(f"演示数据：新建组织 {orgs} 个、用户 {users} 个、授权 {grants} 条（已存在的保持不变）。")
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for line in describe_accounts():
            self.stdout.write(line)
