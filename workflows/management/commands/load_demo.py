"""``manage.py load_demo``: the demo organisations, one account per role and the five seed campaigns.

Idempotent: what exists is left alone, so the launcher runs it at every start.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, describe_accounts, load_demo
from workflows.demo import demo_loaded, load_demo_campaigns


class Command(BaseCommand):
    help = "Load the demo organisations, accounts and seed campaigns; a second run adds nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        orgs, users, grants = load_demo()
        campaigns = load_demo_campaigns()
        demo_loaded.send(sender=self.__class__)
        self.stdout.write(
            f"演示数据：新建组织 {orgs} 个、用户 {users} 个、授权 {grants} 条、评选活动 {campaigns} 个"
            "（已存在的保持不变）。"
        )
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for line in describe_accounts():
            self.stdout.write(line)
