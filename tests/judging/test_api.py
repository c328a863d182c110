"""The judging API end to end: a judge's own assignments, masked content, scores, close, results,
and seed 002's weighted import + panel rounds combined."""

from __future__ import annotations

from decimal import Decimal

import pytest

from judging.models import Assignment
from notifications.models import OutboxMessage
from tests.judging.conftest import entry, make_scene, sheet
from workflows.demo import SEED_JUDGING
from workflows.models import Campaign

pytestmark = pytest.mark.django_db


def rounds_url(scene, key, action):
    return f"/api/v1/campaigns/{scene.campaign.pk}/rounds/{key}/{action}"


@pytest.fixture
def panel(scene, client_for):
    response = client_for(scene.committee).post(
        rounds_url(scene, "review", "panel"), {"judges": [j.pk for j in scene.judges]}, format="json"
    )
    assert response.status_code == 200, response.content
    return scene


def test_panel_answers_assignments_and_recused_and_notifies_the_judges(panel):
    assert Assignment.objects.count() == 9
    assert OutboxMessage.objects.filter(kind="judge_assigned").count() == 3


def test_a_judge_lists_reads_scores_and_submits_their_own(panel, client_for):
    judge = client_for(panel.judges[0])
    listed = judge.get("/api/v1/judging/assignments").json()
    assert set(listed) >= {"results", "next"}
    assert len(listed["results"]) == 3
    assert {r["status"] for r in listed["results"]} == {"pending"}
    first = listed["results"][0]["id"]

    detail = judge.get(f"/api/v1/judging/assignments/{first}").json()
    assert detail["content"]["contact_phone"] == "138****5678"
    assert [c["key"] for c in detail["criteria"]] == ["process", "effect", "show"]

    bad = judge.put(f"/api/v1/judging/assignments/{first}/score", {"scores": {"process": 99}}, format="json")
    assert bad.status_code == 400
    assert {"scores.process", "scores.effect", "scores.show"} <= set(bad.json()["errors"])

    saved = judge.put(f"/api/v1/judging/assignments/{first}/score", {"scores": sheet(10, 20, 30)}, format="json")
    assert saved.status_code == 200, saved.content
    assert judge.post(f"/api/v1/judging/assignments/{first}/submit", {}, format="json").status_code == 200
    again = judge.post(f"/api/v1/judging/assignments/{first}/submit", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_submitted")


def test_before_close_a_judge_sees_no_other_judges_scores(panel, client_for):
    others = Assignment.objects.filter(judge=panel.judges[1]).earliest("id")
    judge = client_for(panel.judges[0])

    assert judge.get(f"/api/v1/judging/assignments/{others.pk}").status_code == 404
    assert judge.put(f"/api/v1/judging/assignments/{others.pk}/score", {"scores": sheet(1, 1, 1)},
                     format="json").status_code == 404  # fmt: skip
    assert judge.get(rounds_url(panel, "review", "results")).status_code == 404
    assert judge.get(rounds_url(panel, "review", "progress")).status_code == 403


def test_close_refused_then_done_and_results_for_the_committee_and_the_judges(panel, client_for):
    committee = client_for(panel.committee)
    refused = committee.post(rounds_url(panel, "review", "close"))
    assert (refused.status_code, refused.json()["code"]) == (409, "scores_missing")
    progress = committee.get(rounds_url(panel, "review", "progress")).json()
    assert [p["pending"] for p in progress] == [3, 3, 3]

    for judge in panel.judges:
        client = client_for(judge)
        for a in Assignment.objects.filter(judge=judge).order_by("nomination_id"):
            index = [e.pk for e in panel.entries].index(a.nomination_id)
            response = client.post(f"/api/v1/judging/assignments/{a.pk}/submit",
                                   {"scores": sheet(10 + index, 20, 30)}, format="json")  # fmt: skip
            assert response.status_code == 200, response.content
    closed = committee.post(rounds_url(panel, "review", "close"))

    assert closed.status_code == 200, closed.content
    results = closed.json()["results"]
    assert [(r["nomination"], r["rank"]) for r in results] == [(e.pk, 3 - i) for i, e in enumerate(panel.entries)][
        ::-1
    ]
    assert Decimal(results[0]["score"]) == Decimal(62)
    assert client_for(panel.judges[0]).get(rounds_url(panel, "review", "results")).json()["results"] == results
    assert OutboxMessage.objects.filter(kind="judging_round_closed").count() == 1
    first = Assignment.objects.filter(judge=panel.judges[0]).earliest("id")
    late = client_for(panel.judges[0]).put(
        f"/api/v1/judging/assignments/{first.pk}/score", {"scores": sheet(1, 1, 1)}, format="json"
    )
    assert (late.status_code, late.json()["code"]) == (409, "round_closed")


def test_recuse_and_urge_through_the_api(panel, client_for):
    mine = Assignment.objects.filter(judge=panel.judges[0]).earliest("id")
    recused = client_for(panel.judges[0]).post(f"/api/v1/judging/assignments/{mine.pk}/recuse",
                                               {"reason": "曾任该单位顾问"}, format="json")  # fmt: skip
    urged = client_for(panel.committee).post(rounds_url(panel, "review", "urge"))

    assert recused.json()["status"] == "recused"
    assert urged.json()["judges"] == sorted(j.pk for j in panel.judges)
    assert OutboxMessage.objects.filter(kind="judges_urged").count() == 3


def test_seed_002_weights_combine_import_and_panel_rounds(tree, submitter, client_for):
    scene = make_scene(tree, submitter, rounds=SEED_JUDGING["002"]["rounds"], entries=0, judges=1)
    Campaign.objects.filter(pk=scene.campaign.pk).update(kinds=["collective", "individual"])
    a, b = (entry(scene.campaign, tree.unit, submitter, f"集体{i}", kind="collective") for i in range(2))
    x, y = (entry(scene.campaign, tree.other_unit, submitter, f"个人{i}", kind="individual") for i in range(2))
    committee, judge = client_for(scene.committee), client_for(scene.judges[0])

    def imported(key, rows):
        body = {"scores": [{"nomination": n.pk, "score": s} for n, s in rows]}
        response = committee.post(rounds_url(scene, key, "scores"), body, format="json")
        assert response.status_code == 200, response.content
        assert committee.post(rounds_url(scene, key, "close")).status_code == 200

    def panelled(key, criterion, rows):
        assert committee.post(rounds_url(scene, key, "panel"), {"judges": [scene.judges[0].pk]},
                              format="json").status_code == 200  # fmt: skip
        for nomination, score in rows:
            a_id = Assignment.objects.get(round__key=key, nomination=nomination).pk
            response = judge.post(f"/api/v1/judging/assignments/{a_id}/submit", {"scores": {criterion: score}},
                                  format="json")  # fmt: skip
            assert response.status_code == 200, response.content
        return committee.post(rounds_url(scene, key, "close")).json()["results"]

    imported("service_data", [(a, 80), (b, 90)])
    collectives = panelled("collective_presentation", "presentation", [(a, 90), (b, 60)])
    imported("knowledge", [(x, 90), (y, 60)])
    imported("simulation", [(x, 80), (y, 100)])
    individuals = panelled("practical", "practical", [(x, 70), (y, 85)])

    # 70 % x 80 + 30 % x 90 = 83; 70 % x 90 + 30 % x 60 = 81
    assert [(r["nomination"], Decimal(r["score"]), r["rank"]) for r in collectives] == [
        (a.pk, Decimal(83), 1), (b.pk, Decimal(81), 2),
    ]  # fmt: skip
    # 30 % x 90 + 30 % x 80 + 40 % x 70 = 79; 30 % x 60 + 30 % x 100 + 40 % x 85 = 82
    assert [(r["nomination"], Decimal(r["score"]), r["rank"]) for r in individuals] == [
        (y.pk, Decimal(82), 1), (x.pk, Decimal(79), 2),
    ]  # fmt: skip
