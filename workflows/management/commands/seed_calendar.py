"""Enter chinese-calendar's holidays and make-up workdays (idempotent; admin edits are kept)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from workflows.calendar import seed_from_chinese_calendar


class Command(BaseCommand):
    help = "Seed the working-day calendar from chinese-calendar (2004–2026); later years are entered by the admin."

    def handle(self, *args: Any, **options: Any) -> None:
        count = seed_from_chinese_calendar()
        self.stdout.write(f"{count} calendar days checked")
