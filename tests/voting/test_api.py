"""The voting API end to end: the committee opens (201) and only the committee; the public asks a
code, votes (201) and reads the tally; the committee reads anomalies, voids and closes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from notifications.models import OutboxMessage
from tests.factories import user_with_role
from voting.models import VotingWindow

pytestmark = pytest.mark.django_db


def _open(client, scene, **extra):
    now = timezone.now()
    body = {"round": "likes", "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=7)).isoformat(), "per_phone_per_day": 3, **extra}  # fmt: skip
    return client.post(f"/api/v1/campaigns/{scene.campaign.pk}/voting", body, format="json")


def test_only_the_committee_opens_a_vote_round(scene, client_for, tree):
    other = user_with_role(Role.DISTRICT_REVIEWER, tree.district)
    assert _open(client_for(other), scene).status_code in (403, 404)
    assert _open(client_for(scene.committee), scene, round="review").json()["code"] == "wrong_method"
    bad = _open(client_for(scene.committee), scene, per_phone_per_day=0)
    assert bad.status_code == 400
    assert "per_phone_per_day" in bad.json()["errors"]

    rounds = [*scene.campaign.rounds, {"key": "weighted", "name": "计分点赞", "kinds": ["case"], "method": "vote",
                                       "weight": "10.0"}]  # fmt: skip
    type(scene.campaign).objects.filter(pk=scene.campaign.pk).update(rounds=rounds)
    weighted = _open(client_for(scene.committee), scene, round="weighted")
    assert weighted.status_code == 400
    assert "round" in weighted.json()["errors"]

    opened = _open(client_for(scene.committee), scene)
    assert opened.status_code == 201, opened.content
    assert opened.json()["entries"] == sorted(e.pk for e in scene.entries)
    listed = client_for(scene.committee).get(f"/api/v1/campaigns/{scene.campaign.pk}/voting").json()
    assert [w["id"] for w in listed["results"]] == [opened.json()["id"]]
    assert listed["next"] is None
    again = _open(client_for(scene.committee), scene)
    assert again.status_code == 409
    assert again.json()["code"] == "voting_exists"


def test_the_public_votes_and_reads_the_tally(scene, client_for, api):
    window_id = _open(client_for(scene.committee), scene).json()["id"]
    assert api.post("/api/v1/public/votes/code", {"phone": "+86 131 0000 0001"}, format="json").status_code == 200
    code = OutboxMessage.objects.get(kind="vote_code").payload["code"]
    voted = api.post("/api/v1/public/votes", {"nomination": scene.entries[1].pk, "phone": "13100000001",
                                               "code": code}, format="json")  # fmt: skip
    assert voted.status_code == 201, voted.content

    tally = api.get(f"/api/v1/public/campaigns/{scene.campaign.pk}/votes").json()
    assert set(tally) >= {"results", "next"}
    assert tally["results"][0] == {"nomination": scene.entries[1].pk, "title": scene.entries[1].title,
                                   "kind": "case", "votes": 1, "rank": 1}  # fmt: skip
    assert [r["rank"] for r in tally["results"]] == [1, 2, 2, 2]
    assert tally["open"] is True
    assert api.get("/api/v1/public/campaigns/999999/votes").status_code == 404

    committee = client_for(scene.committee)
    report = committee.get(f"/api/v1/voting/{window_id}/anomalies?burst=1").json()
    assert report["total"] == 1
    assert report["phone_prefixes"][0]["prefix"] == "1310000"
    assert api.get(f"/api/v1/voting/{window_id}/anomalies").status_code == 401
    voided = committee.post(f"/api/v1/voting/{window_id}/void", {"reason": "核实为刷票", "phone_prefix": "1310000"},
                            format="json")  # fmt: skip
    assert voided.status_code == 200
    assert len(voided.json()["voided"]) == 1
    assert api.get(f"/api/v1/public/campaigns/{scene.campaign.pk}/votes").json()["results"][0]["votes"] == 0

    early = committee.post(f"/api/v1/voting/{window_id}/close")
    assert early.status_code == 409
    VotingWindow.objects.filter(pk=window_id).update(ends_at=timezone.now() - timedelta(minutes=1))
    closed = committee.post(f"/api/v1/voting/{window_id}/close")
    assert closed.status_code == 200, closed.content
    assert closed.json()["closed_at"]
