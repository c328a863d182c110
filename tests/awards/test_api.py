"""The awards API: allocate, confirm, list, decline, pass-down and the intake report (committee
only), 409 rounds_open / floor_unreachable, and seed 002's 80 % floor end to end (definition →
rounds closed → allocate)."""

from __future__ import annotations

import copy

import pytest

from accounts.roles import Role
from approvals.models import Nomination
from awards.models import Award
from judging.models import Assignment
from tests.awards.conftest import make_ranked, tiers
from tests.campaigns import campaign_admin
from tests.factories import user_with_role
from tests.workflows.test_campaigns_api import body
from workflows.demo import SEED_JUDGING
from workflows.models import Campaign
from workflows.seed_forms import SEED_002_INDIVIDUAL_FORM

pytestmark = pytest.mark.django_db


def url(campaign, action=""):
    return f"/api/v1/campaigns/{campaign.pk}/awards{action}"


def test_allocate_confirm_list_and_decline(ranked, client_for):
    committee = client_for(ranked.committee)
    e = ranked.entries

    proposal = committee.post(url(ranked.campaign, "/allocate"), {}, format="json")

    assert proposal.status_code == 200, proposal.content
    data = proposal.json()
    fields = ("nomination", "kind", "tier", "tier_name", "rank", "prize")
    assert [tuple(a[f] for f in fields) for a in data["awards"]] == [
        (e[0].pk, "case", "first", "一等奖", 1, 2000), (e[1].pk, "case", "second", "二等奖", 2, 1000),
        (e[2].pk, "case", "second", "二等奖", 3, 1000),
    ]  # fmt: skip
    assert data["notes"] == []
    assert data["awards"][0]["score"] == 90
    assert committee.get(url(ranked.campaign)).json()["results"] == []  # nothing confirmed yet

    assert committee.post(url(ranked.campaign, "/confirm")).status_code == 200

    listed = committee.get(url(ranked.campaign)).json()
    assert listed["next"] is None
    assert {(a["nomination"], a["status"]) for a in listed["results"]} == {
        (e[0].pk, "confirmed"), (e[1].pk, "confirmed"), (e[2].pk, "confirmed"),
    }  # fmt: skip
    award = next(a for a in listed["results"] if a["nomination"] == e[0].pk)
    declined = committee.post(f"/api/v1/awards/{award['id']}/decline", {"reason": "本人放弃"}, format="json")
    assert declined.status_code == 200, declined.content
    assert (declined.json()["nomination"], declined.json()["tier_name"]) == (e[3].pk, "一等奖")
    assert committee.post(url(ranked.campaign, "/confirm")).json()["code"] == "no_proposal"
    again = committee.post(f"/api/v1/awards/{award['id']}/decline", {"reason": "x"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "award_not_active")
    assert committee.post(f"/api/v1/awards/{award['id']}/decline", {}, format="json").status_code == 400


def test_others_are_refused_or_do_not_see(ranked, client_for, tree):
    reviewer = client_for(user_with_role(Role.DISTRICT_REVIEWER, tree.district))
    submitter = client_for(user_with_role(Role.SUBMITTER, tree.other_unit))

    for client in (reviewer, submitter):
        status = client.post(url(ranked.campaign, "/allocate"), {}, format="json").status_code
        assert status in (403, 404)
    assert not Award.objects.exists()
    assert (
        client_for(ranked.committee).post("/api/v1/awards/999999/decline", {"reason": "x"}, format="json").status_code
        == 404
    )


def test_rounds_open_is_a_409(tree, submitter, client_for):
    scene = make_ranked(tree, submitter, [90, 80], levels=tiers(1), close=False)

    response = client_for(scene.committee).post(url(scene.campaign, "/allocate"), {}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "rounds_open")


def test_intake_report_gives_the_ratio_and_the_townships_without_a_nomination(ranked, client_for, tree):
    Campaign.objects.filter(pk=ranked.campaign.pk).update(entrants_per_award="1.5", min_per_township=1)
    # every entrant from one township: the other has none
    Nomination.objects.filter(campaign=ranked.campaign, unit=tree.other_unit).update(unit=tree.unit)

    report = client_for(ranked.committee).get(url(ranked.campaign, "/intake")).json()

    # 5 entrants for 3 awards: 1 : 1.5 asks for 5
    assert report["kinds"] == [
        {"kind": "case", "entrants": 5, "awards": 3, "entrants_per_award": "1.50", "ratio": "1.67",
         "required_entrants": 5, "meets": True}
    ]  # fmt: skip
    assert tree.other_township.name in [t["name"] for t in report["townships_short"]]
    assert tree.township.name not in [t["name"] for t in report["townships_short"]]


FRONT_LINE = "综合窗口一线工作人员"


def test_seed_002_individuals_meet_the_80_percent_floor_end_to_end(tree, client_for):
    # given: 002's individual definition through the API, with its floor
    rounds = [copy.deepcopy(r) for r in SEED_JUDGING["002"]["rounds"] if "individual" in r["kinds"]]
    levels = SEED_JUDGING["002"]["tiers"]["individual"]
    floor = {"kind": "individual", "field": "post_category", "values": [FRONT_LINE], "min_share": 0.8}
    created = client_for(campaign_admin(tree.committee)).post(
        "/api/v1/campaigns",
        body(tree, kinds=["individual"], forms={"individual": copy.deepcopy(SEED_002_INDIVIDUAL_FORM)},
             eligibility={}, quotas=[], total_max=None, rounds=rounds, tiers={"individual": levels},
             tier_floors=[floor], entrants_per_award="1.5"),
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    campaign = Campaign.objects.get(pk=created.json()["id"])
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.REVIEWING)
    creator = user_with_role(Role.SUBMITTER, tree.unit)
    # 85 entrants: the 35 best are back-office, then 50 front-line; every round scores 100 - i
    entrants = [
        Nomination.objects.create(
            campaign=campaign, unit=tree.unit, district=tree.district, kind="individual", title=f"个人{i:02d}",
            form={"post_category": "后台人员" if i < 35 else FRONT_LINE}, status=Nomination.Status.APPROVED,
            created_by=creator, submitted_by=creator,
        )
        for i in range(85)
    ]  # fmt: skip
    committee_user = user_with_role(Role.COMMITTEE, tree.committee)
    judge_user = user_with_role(Role.JUDGE, tree.committee)
    committee, judge = client_for(committee_user), client_for(judge_user)
    rounds_url = f"/api/v1/campaigns/{campaign.pk}/rounds"
    blocked = committee.post(url(campaign, "/allocate"), {}, format="json")
    assert (blocked.status_code, blocked.json()["code"]) == (409, "rounds_open")
    for key in ("knowledge", "simulation"):
        rows = {"scores": [{"nomination": n.pk, "score": 100 - i} for i, n in enumerate(entrants)]}
        assert committee.post(f"{rounds_url}/{key}/scores", rows, format="json").status_code == 200
        assert committee.post(f"{rounds_url}/{key}/close").status_code == 200
    assert (
        committee.post(f"{rounds_url}/practical/panel", {"judges": [judge_user.pk]}, format="json").status_code == 200
    )
    for i, n in enumerate(entrants):
        a_id = Assignment.objects.get(round__key="practical", nomination=n).pk
        response = judge.post(f"/api/v1/judging/assignments/{a_id}/submit", {"scores": {"practical": 100 - i}},
                              format="json")  # fmt: skip
        assert response.status_code == 200, response.content
    assert committee.post(f"{rounds_url}/practical/close").status_code == 200

    # when
    response = committee.post(url(campaign, "/allocate"), {}, format="json")

    # then: 55 awards (5 / 15 / 35), at least 44 front-line; the 24 lowest back-office awards
    # (ranks 12–35) gave way to the best 24 front-line entries outside (ranks 56–79)
    assert response.status_code == 200, response.content
    data = response.json()
    awards = data["awards"]
    assert len(awards) == 55
    assert [sum(a["tier"] == t for a in awards) for t in ("first", "second", "third")] == [5, 15, 35]
    front = {n.pk for n in entrants[35:]}
    assert sum(a["nomination"] in front for a in awards) == 44
    assert sorted(a["rank"] for a in awards) == [*range(1, 12), *range(36, 80)]
    assert len(data["notes"]) == 24
    assert "“个人34”（第35名）让位于“个人55”（第56名）" in data["notes"][0]
    assert data["intake"]["kinds"][0]["required_entrants"] == 83
    assert data["intake"]["kinds"][0]["meets"]
    assert committee.post(url(campaign, "/confirm")).status_code == 200
    assert Nomination.objects.filter(campaign=campaign, status="not_selected").count() == 30


def test_an_unreachable_floor_is_a_409_naming_it(tree, submitter, client_for):
    floor = {"kind": "case", "field": "category", "values": ["一线"], "min_share": 1}
    scene = make_ranked(tree, submitter, [90, 80, 70], levels=tiers(2), floors=[floor], categories=["一线", "x", "x"])

    response = client_for(scene.committee).post(url(scene.campaign, "/allocate"), {}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "floor_unreachable")
    assert "tier_floors[0]" in response.json()["detail"]


def test_pass_down_through_the_api_after_a_revocation(ranked, client_for):
    committee = client_for(ranked.committee)
    committee.post(url(ranked.campaign, "/allocate"), {}, format="json")
    committee.post(url(ranked.campaign, "/confirm"))
    e = ranked.entries
    award = Award.objects.get(nomination=e[2])
    assert committee.post(f"/api/v1/awards/{award.pk}/pass-down").json()["code"] == "award_not_active"
    revoked = committee.post(f"/api/v1/nominations/{e[2].pk}/revoke", {"reason": "材料不实"}, format="json")
    assert revoked.status_code == 200, revoked.content

    response = committee.post(f"/api/v1/awards/{award.pk}/pass-down")

    assert response.status_code == 200, response.content
    assert (response.json()["nomination"], response.json()["passed_from"]) == (e[3].pk, award.pk)
