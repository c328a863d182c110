"""Redis down, with a real redis-server that the test kills (-9) and starts again.

While it is down: sign-in, pages, the API and the public 公示 list keep answering from PostgreSQL
(the default cache fails soft, sessions are in the database); the public objection POST and the
public vote-code and vote endpoints refuse with 503 ``rate_limit_unavailable`` and save nothing
(their per-address and per-phone limits cannot be counted); once Redis answers again everything
works without a restart, the limits count again.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from approvals.models import Objection
from tests.approvals import publicity_helpers
from tests.approvals.publicity_helpers import objection_body
from tests.config.faults import ThrowawayRedis
from tests.factories import TEST_PASSWORD
from voting.models import SmsCode, Vote

pytestmark = pytest.mark.django_db
people = publicity_helpers.people
scene = publicity_helpers.scene
calendar_seeded = publicity_helpers.calendar_seeded
generous_objection_limits = publicity_helpers.generous_objection_limits

FAST = 3.0  # seconds: an answer while Redis is down must not wait for it (a dead socket fails in ~2 ms)


@pytest.fixture
def redis_server(tmp_path: Path, settings: Any) -> Any:
    """Both cache aliases on a redis-server of this test's own."""
    server = ThrowawayRedis(tmp_path)
    server.start()
    caches = {alias: {**config, "LOCATION": server.url} for alias, config in settings.CACHES.items()}
    settings.CACHES = caches  # Django drops its cache connections on this change
    yield server
    server.kill()


def timed(call: Any) -> Any:
    started = time.monotonic()
    response = call()
    elapsed = time.monotonic() - started
    assert elapsed < FAST, f"took {elapsed:.1f} s"
    return response


def test_redis_down_pages_and_api_serve_objections_refuse_503_and_all_recovers(
    redis_server: ThrowawayRedis, client_for: Any, people: Any, scene: Any
) -> None:
    committee = client_for(people.committee)
    started = committee.post(
        f"/api/v1/campaigns/{scene.campaign.pk}/publicity",
        {"starts_at": "2000-01-01T09:00:00+08:00", "ends_at": "2999-12-31"},
        format="json",
    )
    assert started.status_code == 200, started.content
    public = APIClient()
    assert public.post("/api/v1/public/objections", objection_body(scene.first), format="json").status_code == 201
    listed_before = public.get(f"/api/v1/public/campaigns/{scene.campaign.pk}/publicity").json()

    redis_server.kill()
    assert not redis_server.answers()

    # Pages and the API answer from PostgreSQL.
    web = Client(raise_request_exception=False)
    signed_in = timed(lambda: web.post("/login/", {"username": people.submitter.username, "password": TEST_PASSWORD}))
    assert signed_in.status_code == 302, signed_in.content[:300]
    home = timed(lambda: web.get("/", follow=True))
    assert home.status_code == 200
    assert "申报" in home.content.decode()
    listed = timed(lambda: public.get(f"/api/v1/public/campaigns/{scene.campaign.pk}/publicity"))
    assert listed.status_code == 200
    assert listed.json() == listed_before
    page = timed(lambda: Client().get(f"/publicity/{scene.campaign.pk}"))
    assert page.status_code == 200
    assert "陆家嘴助老服务" in page.content.decode()
    mine = timed(lambda: client_for(people.submitter).get("/api/v1/nominations"))
    assert mine.status_code == 200
    assert mine.json()["results"]

    # The public objection refuses: its limits cannot be counted. Nothing is saved.
    count = Objection.objects.count()
    refused = timed(lambda: public.post("/api/v1/public/objections", objection_body(scene.first), format="json"))
    assert refused.status_code == 503
    assert refused.json()["code"] == "rate_limit_unavailable"
    assert "稍后再试" in refused.json()["detail"]
    form = timed(
        lambda: Client().post(
            f"/publicity/{scene.campaign.pk}/objections/{scene.first.pk}",
            {k: v for k, v in objection_body(scene.first).items() if k != "nomination"},
        )
    )
    assert form.status_code == 503
    assert "系统暂时无法核对提交频率" in form.content.decode()
    assert Objection.objects.count() == count

    # Redis is back: no restart of anything, the objection is taken and counted again.
    redis_server.start()
    accepted = public.post("/api/v1/public/objections", objection_body(scene.first), format="json")
    assert accepted.status_code == 201, accepted.content
    assert Objection.objects.count() == count + 1


def test_redis_down_public_vote_code_and_vote_refuse_503_and_recover(
    redis_server: ThrowawayRedis, settings: Any, tree: Any, submitter: Any
) -> None:
    from tests.voting.conftest import code_for, make_vote_scene, open_window

    settings.SEALFLOW_VOTE_CODE_RATE_PER_PHONE = "100/h"
    settings.SEALFLOW_VOTE_CODE_RATE_PER_ADDRESS = "100000/h"
    settings.SEALFLOW_VOTE_RATE_PER_ADDRESS = "100000/h"
    vote_scene = make_vote_scene(tree, submitter)
    open_window(vote_scene)
    code = code_for("13100000001", address="127.0.0.1")
    entry = vote_scene.entries[0].pk
    public = APIClient()

    redis_server.kill()
    codes, votes = SmsCode.objects.count(), Vote.objects.count()
    asked = timed(lambda: public.post("/api/v1/public/votes/code", {"phone": "13100000002"}, format="json"))
    assert asked.status_code == 503
    assert asked.json()["code"] == "rate_limit_unavailable"
    vote = {"nomination": entry, "phone": "13100000001", "code": code}
    voted = timed(lambda: public.post("/api/v1/public/votes", vote, format="json"))
    assert voted.status_code == 503
    assert voted.json()["code"] == "rate_limit_unavailable"
    page = timed(lambda: Client().post(f"/vote/{vote_scene.campaign.pk}", {"action": "code", "phone": "13100000002"}))
    assert page.status_code == 503
    assert "系统暂时无法核对提交频率" in page.content.decode()
    assert (SmsCode.objects.count(), Vote.objects.count()) == (codes, votes)
    tally = timed(lambda: public.get(f"/api/v1/public/campaigns/{vote_scene.campaign.pk}/votes"))
    assert tally.status_code == 200

    redis_server.start()
    again = public.post("/api/v1/public/votes", vote, format="json")
    assert again.status_code == 201, again.content
    assert Vote.objects.count() == votes + 1
