"""After commit, ask the worker to drain the outbox now, without ever making the request wait.

The request only sets an event (``Nudger.poke``); one daemon thread per process publishes the
drain task, with no retry and a short connection timeout, at most every ``MIN_INTERVAL``
seconds. A broker outage therefore costs the request nothing: the publish fails in the thread,
is logged, and beat's periodic drain (``config/schedules.py``) delivers the backlog once the
broker is back. Publishing from a request thread could hang on a dead broker (celery #4296).
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

MIN_INTERVAL = 0.2
DRAIN_TASK = "notifications.drain_outbox"
# A queued drain older than this is dropped: the next nudge or poll does its work.
DRAIN_EXPIRES = 120


class Nudger:
    _instance: Nudger | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.wanted = threading.Event()
        self.published = 0
        self.failed = 0
        self.thread = threading.Thread(target=self._run, name="outbox-nudger", daemon=True)
        self.thread.start()

    @classmethod
    def get(cls) -> Nudger:
        """The process's nudger (a new one after a fork: threads do not survive it)."""
        instance = cls._instance
        if instance is None or instance.pid != os.getpid():
            with cls._lock:
                instance = cls._instance
                if instance is None or instance.pid != os.getpid():
                    instance = cls._instance = cls()
        return instance

    def poke(self) -> None:
        self.wanted.set()

    def _run(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            try:
                publish_drain()
                self.published += 1
            except Exception as exc:  # noqa: BLE001 - any broker error: beat's poll catches up
                self.failed += 1
                logger.warning("outbox nudge not published (beat's poll will drain): %s", exc)
            threading.Event().wait(MIN_INTERVAL)


def publish_drain() -> None:
    """Publish one drain task now: one attempt, short timeouts; raises on any broker error."""
    from config.celery_app import app

    # Broker and queue read from the settings at each call (the reliability tests switch them).
    with app.connection_for_write(url=settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        app.send_task(
            DRAIN_TASK,
            connection=conn,
            retry=False,
            queue=settings.CELERY_TASK_DEFAULT_QUEUE,
            expires=DRAIN_EXPIRES,
        )


def nudge_after_commit() -> None:
    """Called by every event: nudge the drain once the current transaction commits."""
    if settings.SEALFLOW_OUTBOX_NUDGE:
        transaction.on_commit(lambda: Nudger.get().poke())
