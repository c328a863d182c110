"""The Celery application; tasks live in each app's ``tasks.py``.

Worker and beat are started by the launcher (``bin/sealflow run``), which hands them the
embedded servers through the environment (config/embedded.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("sealflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
