"""A campaign with a panel round and a ``vote`` round of weight 0, its committee, and helpers to
get a phone's SMS code the way the public gets it (from the notification outbox)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from notifications.models import OutboxMessage
from tests.judging.conftest import Scene, make_scene, panel_round
from voting import actions
from voting.models import VotingWindow


def vote_round(key: str = "likes", **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": "网络点赞", "kinds": ["case"], "method": "vote", "weight": 0, **extra}


@pytest.fixture(autouse=True)
def _fresh_limits(settings: Any) -> None:
    """Each test starts with empty rate-limit counters (the worktree's own Redis) and roomy limits."""
    cache.clear()
    settings.SEALFLOW_VOTE_CODE_RATE_PER_PHONE = "100/h"
    settings.SEALFLOW_VOTE_CODE_RATE_PER_ADDRESS = "100000/h"
    settings.SEALFLOW_VOTE_RATE_PER_ADDRESS = "100000/h"


def make_vote_scene(tree: Any, submitter: Any, *, entries: int = 4) -> Scene:
    return make_scene(tree, submitter, rounds=[panel_round(), vote_round()], entries=entries, judges=1)


@pytest.fixture
def scene(tree: Any, submitter: Any) -> Scene:
    return make_vote_scene(tree, submitter)


def open_window(scene: Scene, *, per_day: int = 3, starts: timedelta = timedelta(hours=-1),
                ends: timedelta = timedelta(days=7)) -> VotingWindow:  # fmt: skip
    now = timezone.now()
    return actions.open_voting(
        scene.campaign.pk, "likes", actor=scene.committee, starts_at=now + starts, ends_at=now + ends,
        per_phone_per_day=per_day,
    )  # fmt: skip


def code_for(phone: str, address: str = "10.0.0.1") -> str:
    """Ask for a code as the public does and read it back from the SMS outbox."""
    sms = actions.send_vote_code(phone, address=address)
    message = OutboxMessage.objects.get(kind="vote_code", dedupe_key=f"vote_code:code:{sms.pk}")
    return str(message.payload["code"])
