"""The verifiable lottery (抽签) and live results through the API (api.md, Lottery, Live results):
commit once, draw once, the public record recomputed by docs/verify_draw.py, publication by whole
groups, monotone, and nothing beyond what is published."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from judging import lottery
from judging.models import Assignment, Draw, Round
from tests.judging.conftest import make_scene, panel_round, sheet
from tests.judging.test_lottery import run_script

pytestmark = pytest.mark.django_db


def url(scene, action):
    return f"/api/v1/campaigns/{scene.campaign.pk}/rounds/live/{action}"


def public_scores_url(scene):
    return f"/api/v1/public/campaigns/{scene.campaign.pk}/rounds/live/scores"


@pytest.fixture
def live(tree, submitter, client_for):
    scene = make_scene(tree, submitter, rounds=[panel_round("live", order="lottery", publish_every=2)], entries=5,
                       judges=2)  # fmt: skip
    panel = client_for(scene.committee).post(url(scene, "panel"), {"judges": [j.pk for j in scene.judges]},
                                             format="json")  # fmt: skip
    assert panel.status_code == 200, panel.content
    return scene


def commit(scene, client_for):
    response = client_for(scene.committee).post(url(scene, "draw/commit"))
    assert response.status_code == 200, response.content
    return response.json()


def draw(scene, client_for, contributions=("8", "王五")):
    response = client_for(scene.committee).post(url(scene, "draw"), {"contributions": list(contributions)},
                                                format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    return response.json()


def score_all(scene, client_for, nominations, points):
    """Both judges submit the same sheet for these nominations: the entry's score is its total."""
    for judge in scene.judges:
        client = client_for(judge)
        for nomination in nominations:
            a = Assignment.objects.get(judge=judge, nomination_id=nomination)
            response = client.post(f"/api/v1/judging/assignments/{a.pk}/submit", {"scores": points[nomination]},
                                   format="json")  # fmt: skip
            assert response.status_code == 200, response.content


def test_commit_shows_only_the_commitment_publicly_then_the_draw_reveals_a_verifiable_record(live, client_for, api):
    committed = commit(live, client_for)
    assert len(committed["commitment"]) == 64

    before = api.get(f"/api/v1/public/draws/{committed['draw']}")
    assert before.status_code == 200
    body = before.json()
    assert body["commitment"] == committed["commitment"]
    assert (body["secret"], body["contributions"], body["order"], body["entries"]) == (None, None, None, None)
    assert body["presentations"] == []
    secret = Draw.objects.get(pk=committed["draw"]).secret
    assert secret not in before.content.decode()

    drawn = draw(live, client_for)
    record = api.get(f"/api/v1/public/draws/{committed['draw']}").json()
    assert record["commitment"] == committed["commitment"]  # the same as before the draw
    assert hashlib.sha256(record["secret"].encode("ascii")).hexdigest() == committed["commitment"]
    assert record["contributions"] == ["8", "王五"]
    assert sorted(record["entries"]) == sorted(e.pk for e in live.entries)
    assert record["order"] == drawn["order"]
    assert [p["nomination"] for p in record["presentations"]] == drawn["order"]
    assert record["method"] == lottery.METHOD_ZH

    # Anyone recomputes it with the offline script, which does not import sealflow.
    result = run_script(json.dumps(record, ensure_ascii=False))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"order: {json.dumps(drawn['order'])}" in result.stdout
    # The round's order of presentation is the draw's.
    from judging.actions import presentation_order

    assert presentation_order(Round.objects.get(key="live")) == drawn["order"]


def test_the_server_cannot_redraw_after_committing(live, client_for):
    committed = commit(live, client_for)
    again = client_for(live.committee).post(url(live, "draw/commit"))
    assert (again.status_code, again.json()["code"]) == (409, "draw_committed")
    assert Draw.objects.get().commitment == committed["commitment"]  # the first secret stays

    first = draw(live, client_for)
    twice = client_for(live.committee).post(url(live, "draw"), {"contributions": ["另一个值"]}, format="json")
    assert (twice.status_code, twice.json()["code"]) == (409, "already_drawn")
    recommit = client_for(live.committee).post(url(live, "draw/commit"))
    assert (recommit.status_code, recommit.json()["code"]) == (409, "already_drawn")
    stored = Draw.objects.get()
    assert stored.order == first["order"]
    # The order is fixed by the committed secret and the contributions: nothing else moves it.
    assert lottery.draw_order(stored.secret, ["8", "王五"], [e.pk for e in live.entries]) == first["order"]
    assert AuditEvent.objects.filter(action="judging.draw_performed").count() == 1


def test_draw_needs_a_commitment_and_contributions(live, client_for):
    committee = client_for(live.committee)
    early = committee.post(url(live, "draw"), {"contributions": ["1"]}, format="json")
    assert (early.status_code, early.json()["code"]) == (409, "not_committed")
    commit(live, client_for)
    empty = committee.post(url(live, "draw"), {"contributions": []}, format="json")
    assert empty.status_code == 400
    assert "contributions" in empty.json()["errors"]
    blank = committee.post(url(live, "draw"), {"contributions": ["  "]}, format="json")
    assert blank.status_code == 400
    assert Draw.objects.get().drawn_at is None


def test_only_the_committee_draws_and_a_round_without_lottery_refuses(live, client_for, tree, submitter):
    judge = client_for(live.judges[0])
    assert judge.post(url(live, "draw/commit")).status_code == 403
    assert not Draw.objects.exists()
    other = make_scene(tree, submitter, rounds=[panel_round("plain")], entries=1, judges=1)
    refused = client_for(other.committee).post(f"/api/v1/campaigns/{other.campaign.pk}/rounds/plain/draw/commit")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_a_lottery")
    unknown = client_for(other.committee).post(f"/api/v1/campaigns/{other.campaign.pk}/rounds/nope/draw/commit")
    assert unknown.status_code == 404


def test_unknown_draw_is_404(api, db):
    assert api.get("/api/v1/public/draws/999999").status_code == 404


def test_publish_by_whole_groups_monotone_and_nothing_beyond_through(live, client_for, api):
    commit(live, client_for)
    order = draw(live, client_for)["order"]
    committee = client_for(live.committee)
    points = {n: sheet(10 + i, 20, 30 + i) for i, n in enumerate(order)}
    refused = committee.post(url(live, "publish"), {"through": 2}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "scores_missing")
    nothing = committee.post(url(live, "publish"), {}, format="json")
    assert nothing.status_code == 400
    assert "through" in nothing.json()["errors"]
    beyond = committee.post(url(live, "publish"), {"through": 6, "partial_group": True}, format="json")
    assert beyond.status_code == 400

    score_all(live, client_for, order[:4], points)  # the fifth presentation is still being scored
    odd = committee.post(url(live, "publish"), {"through": 1}, format="json")
    assert odd.status_code == 400
    assert "through" in odd.json()["errors"]
    assert api.get(public_scores_url(live)).json()["results"] == []

    published = committee.post(url(live, "publish"), {"through": 2}, format="json")
    assert published.status_code == 200, published.content
    public = api.get(public_scores_url(live))
    assert public.status_code == 200
    body = public.json()
    assert body["published_through"] == 2
    assert body["next"] is None
    titles = {e.pk: e.title for e in live.entries}
    assert [(r["order"], r["title"]) for r in body["results"]] == [(1, titles[order[0]]), (2, titles[order[1]])]
    assert [Decimal(r["score"]) for r in body["results"]] == [Decimal(60), Decimal(62)]
    for row in body["results"]:
        assert set(row) == {"order", "title", "unit", "score"}
    text = public.content.decode()
    for hidden in order[2:]:
        assert titles[hidden] not in text  # scored but not published: absent

    back = committee.post(url(live, "publish"), {"through": 1, "partial_group": True}, format="json")
    assert (back.status_code, back.json()["code"]) == (409, "already_published")
    assert Round.objects.get(key="live").published_through == 2

    three = committee.post(url(live, "publish"), {"through": 3, "partial_group": True}, format="json")
    assert three.status_code == 200, three.content
    assert len(api.get(public_scores_url(live)).json()["results"]) == 3
    last = committee.post(url(live, "publish"), {"through": 5}, format="json")
    assert (last.status_code, last.json()["code"]) == (409, "scores_missing")
    score_all(live, client_for, order[4:], points)
    done = committee.post(url(live, "publish"), {"through": 5}, format="json")  # the last, shorter group
    assert done.status_code == 200, done.content
    assert [r["order"] for r in api.get(public_scores_url(live)).json()["results"]] == [1, 2, 3, 4, 5]
    events = AuditEvent.objects.filter(action="judging.results_published").order_by("id")
    assert [e.data["through"] for e in events] == [2, 3, 5]


def test_publish_before_the_draw_and_public_scores_of_unknown_rounds(live, client_for, api):
    refused = client_for(live.committee).post(url(live, "publish"), {"through": 2}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_drawn")
    assert client_for(live.judges[0]).post(url(live, "publish"), {"through": 2}, format="json").status_code == 403
    assert api.get(public_scores_url(live)).json()["results"] == []
    assert api.get(f"/api/v1/public/campaigns/{live.campaign.pk}/rounds/nope/scores").status_code == 404
    assert api.get("/api/v1/public/campaigns/999999/rounds/live/scores").status_code == 404


def test_schema_names_the_lottery_and_live_paths(api, db):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/campaigns/{id}/rounds/{key}/draw/commit", "/api/v1/campaigns/{id}/rounds/{key}/draw",
                 "/api/v1/campaigns/{id}/rounds/{key}/publish", "/api/v1/public/draws/{id}",
                 "/api/v1/public/campaigns/{id}/rounds/{key}/scores"):  # fmt: skip
        assert path in schema["paths"], path
    assert "401" not in schema["paths"]["/api/v1/public/draws/{id}"]["get"]["responses"]
