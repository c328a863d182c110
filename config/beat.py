"""Celery beat's scheduler: django-celery-beat's database schedule, robust to a stale connection.

Beat builds its scheduler lazily; when it is stopped (SIGTERM) before the first tick, the
scheduler is created inside the shutdown handler, on a database connection that the server may
already have closed, and beat died with a traceback (seen in the launcher's kill -9 test, about
one run in four). A connection that is no longer usable is dropped first, so Django opens a new one.
"""

from __future__ import annotations

from django.db import close_old_connections
from django_celery_beat.schedulers import DatabaseScheduler


class Scheduler(DatabaseScheduler):
    def setup_schedule(self) -> None:
        close_old_connections()
        super().setup_schedule()
