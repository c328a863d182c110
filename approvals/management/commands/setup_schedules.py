"""``manage.py setup_schedules``: make sure beat's periodic tasks exist (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.schedules import schedules


class Command(BaseCommand):
    help = "Create the periodic tasks of config/schedules.py that do not exist yet."

    def handle(self, *args: Any, **options: Any) -> None:
        created = 0
        with transaction.atomic():
            for schedule in schedules():
                if PeriodicTask.objects.filter(name=schedule.name).exists():
                    continue
                interval, _ = IntervalSchedule.objects.get_or_create(
                    every=schedule.every_seconds, period=IntervalSchedule.SECONDS
                )
                PeriodicTask.objects.create(
                    name=schedule.name, task=schedule.task, interval=interval, description=schedule.description
                )
                created += 1
        self.stdout.write(f"periodic tasks: {created} created, {len(schedules()) - created} already there")
