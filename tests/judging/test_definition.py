"""A campaign's rounds, tiers and tier floors: accepted whole through the API or refused per field."""

from __future__ import annotations

import copy

import pytest

from tests.campaigns import campaign_admin
from tests.workflows.test_campaigns_api import body
from workflows.demo import SEED_JUDGING
from workflows.models import Campaign

pytestmark = pytest.mark.django_db

RUBRIC = [{"key": "process", "name": "服务过程", "max": 20}, {"key": "effect", "name": "服务效果", "max": 30}]


def panel(**overrides):
    data = {"key": "review", "name": "专家评审", "kinds": ["case"], "method": "panel", "weight": 100,
            "criteria": copy.deepcopy(RUBRIC), "step": 1}  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(tree, client_for):
    return client_for(campaign_admin(tree.committee))


def test_rounds_tiers_and_floors_are_saved_and_shown(tree, admin_client):
    final = panel(key="final", order="lottery", publish_every=5, tiebreak="effect", normalize="zscore", step=0.5)
    rounds = [panel(key="cut", weight=0, advance=20), final]
    tiers = {"case": [{"key": "first", "name": "一等奖", "count": 2, "prize": 2000}]}
    floors = [{"kind": "case", "field": "summary", "values": ["一线"], "min_share": 0.8}]

    response = admin_client.post(
        "/api/v1/campaigns", body(tree, rounds=rounds, tiers=tiers, tier_floors=floors), format="json"
    )

    assert response.status_code == 201, response.content
    campaign = Campaign.objects.get()
    assert [r["key"] for r in campaign.rounds] == ["cut", "final"]
    assert campaign.tiers == tiers
    shown = admin_client.get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert shown["rounds"][1]["tiebreak"] == "effect"
    assert shown["tier_floors"] == floors


@pytest.mark.parametrize(
    ("rounds", "field"),
    [
        ([panel(), panel()], "rounds[1].key"),
        ([panel(kinds=["individual"])], "rounds[0].kinds"),
        ([panel(method="jury")], "rounds[0].method"),
        ([panel(weight=60)], "rounds"),
        ([panel(criteria=[])], "rounds[0].criteria"),
        ([panel(criteria=[*RUBRIC, {"key": "effect", "name": "重复", "max": 10}])], "rounds[0].criteria[2].key"),
        ([panel(criteria=[{"key": "a", "name": "甲", "max": 0}])], "rounds[0].criteria[0].max"),
        ([panel(step=0)], "rounds[0].step"),
        ([panel(step=3)], "rounds[0].criteria[0].max"),
        ([panel(advance=0)], "rounds[0].advance"),
        ([panel(tiebreak="nonexistent")], "rounds[0].tiebreak"),
        ([panel(normalize="minmax")], "rounds[0].normalize"),
        ([panel(order="alphabetical")], "rounds[0].order"),
        ([panel(deadline="soon")], "rounds[0].deadline"),
        ([panel(colour="red")], "rounds[0].colour"),
    ],
)
def test_a_bad_round_is_refused_naming_its_field(tree, admin_client, rounds, field):
    response = admin_client.post("/api/v1/campaigns", body(tree, rounds=rounds), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("tiers", "floors", "field"),
    [
        ({"case": [{"key": "a", "name": "一等奖", "count": 0}]}, [], "tiers.case[0].count"),
        ({"case": [{"key": "a", "name": "甲", "count": 1}, {"key": "a", "name": "乙", "count": 1}]}, [],
         "tiers.case[1].key"),
        ({"individual": [{"key": "a", "name": "甲", "count": 1}]}, [], "tiers.individual"),
        ({}, [{"kind": "case", "field": "nope", "values": ["x"], "min_share": 0.5}], "tier_floors[0].field"),
        ({}, [{"kind": "case", "field": "summary", "values": ["x"], "min_share": 1.5}], "tier_floors[0].min_share"),
        ({}, [{"kind": "case", "field": "summary", "values": ["x"], "min_share": 0}], "tier_floors[0].min_share"),
    ],
)  # fmt: skip
def test_bad_tiers_and_floors_are_refused_naming_their_field(tree, admin_client, tiers, floors, field):
    response = admin_client.post("/api/v1/campaigns", body(tree, tiers=tiers, tier_floors=floors), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()


def test_rounds_are_changed_with_patch_while_a_draft(tree, admin_client):
    campaign_id = admin_client.post("/api/v1/campaigns", body(tree), format="json").json()["id"]

    ok = admin_client.patch(f"/api/v1/campaigns/{campaign_id}", {"rounds": [panel()]}, format="json")
    bad = admin_client.patch(f"/api/v1/campaigns/{campaign_id}", {"rounds": [panel(weight=50)]}, format="json")

    assert ok.status_code == 200, ok.content
    assert ok.json()["rounds"][0]["key"] == "review"
    assert bad.status_code == 400
    assert Campaign.objects.get().rounds[0]["weight"] == 100


def test_seed_judging_definitions_match_the_notices():
    dehua = SEED_JUDGING["000"]["rounds"][0]
    assert sum(c["max"] for c in dehua["criteria"]) == 100
    assert [c["name"] for c in dehua["criteria"]] == [
        "服务过程",
        "服务手法",
        "服务效果",
        "社会效益",
        "可持续性",
        "现场表现",
    ]
    assert (dehua["order"], dehua["publish_every"]) == ("lottery", 5)
    assert [(t["name"], t["count"], t.get("prize")) for t in SEED_JUDGING["000"]["tiers"]["case"]] == [
        ("一等奖", 2, 2000), ("二等奖", 3, 1000), ("三等奖", 5, 600), ("优秀奖", 10, None),
    ]  # fmt: skip
    shanghai = {r["key"]: (r["kinds"], r["method"], r["weight"]) for r in SEED_JUDGING["002"]["rounds"]}
    assert shanghai == {
        "service_data": (["collective"], "import", 70),
        "collective_presentation": (["collective"], "panel", 30),
        "knowledge": (["individual"], "import", 30),
        "simulation": (["individual"], "import", 30),
        "practical": (["individual"], "panel", 40),
    }
    assert [r.get("advance") for r in SEED_JUDGING["001"]["rounds"]] == [20, None]
    # [002]: at least 80 % of each kind's awards to 受理中心 teams and to front-line window staff
    assert {
        (f["kind"], f["field"], tuple(f["values"]), f["min_share"]) for f in SEED_JUDGING["002"]["tier_floors"]
    } == {
        ("collective", "group", ("受理中心组",), 0.8),
        ("individual", "post_category", ("综合窗口一线工作人员",), 0.8),
    }


def test_load_demo_gives_the_demo_judges_expert_profiles():
    from django.core.management import call_command

    from judging.models import JudgeProfile

    call_command("load_demo")
    call_command("load_demo")

    profiles = dict(JudgeProfile.objects.values_list("user__username", "expertise"))
    assert set(profiles) == {"judge", "judge2", "dehua_judge", "taishan_judge", "pingshan_judge", "shandong_judge"}
    affiliation = JudgeProfile.objects.get(user__username="judge2").affiliation
    assert affiliation is not None
    assert affiliation.code == "SH-PD"
    dehua = Campaign.objects.get(title__contains="德化")
    assert dehua.rounds[0]["order"] == "lottery"
    assert len(Campaign.objects.get(title__contains="一网通办").tier_floors) == 2
