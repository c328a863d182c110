"""The Celery application; tasks live in each app's ``tasks.py``.

Worker and beat are started by the launcher (``bin/sealflow run``), which hands them the
embedded servers through the environment (config/embedded.py). Each marks in the launcher's
folder (``SEALFLOW_READY_DIR``) when it is up, so that the launcher prints its banner after
their start lines.
"""

import contextlib
import os
from pathlib import Path
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

READY_DIR_ENV = "SEALFLOW_READY_DIR"  # config.launcher.READY_DIR_ENV (not imported: the launcher is no library)

app = Celery("sealflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _mark_ready(name: str) -> None:
    folder = os.environ.get(READY_DIR_ENV)
    if folder:
        with contextlib.suppress(OSError):
            (Path(folder) / f"{name}.ready").touch()


@signals.worker_ready.connect
def _worker_ready(**_kwargs: Any) -> None:
    _mark_ready("worker")


@signals.beat_init.connect
def _beat_ready(**_kwargs: Any) -> None:
    _mark_ready("beat")
