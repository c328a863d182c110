"""A vote round's own prize list (网络点赞奖, api.md: a ``vote`` round of weight 0 may carry its
own ``tiers``): validated like the campaign's tiers, allocated by votes with the tie rule,
confirmed apart from the main list, and a nomination may hold a main award and one of these."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from accounts.models import User
from accounts.roles import Role
from approvals.models import Nomination
from audit.models import AuditEvent
from awards import actions, ledger
from awards.exceptions import RoundsOpen, TieUnresolved
from awards.models import Allocation, Award
from config.errors import InvalidInput
from judging import actions as judging
from tests.awards.conftest import SCORE_ROUND, tiers
from tests.campaigns import make_campaign
from tests.conftest import Tree
from tests.factories import user_with_role
from tests.judging.conftest import entry
from workflows.demo import GIFT, SEED_JUDGING
from workflows.models import Campaign
from workflows.rounds import check_rounds

pytestmark = pytest.mark.django_db

LIKE_TIERS = [
    {"key": "like_first", "name": "网络点赞一等奖", "count": 1, "prize": GIFT},
    {"key": "like_second", "name": "网络点赞二等奖", "count": 2, "prize": 0},
]
LIKES = {"key": "likes", "name": "网络点赞", "kinds": ["case"], "method": "vote", "weight": 0,
         "tiers": {"case": LIKE_TIERS}}  # fmt: skip


def _scene(tree: Tree, submitter: User, scores: list[int]) -> tuple[Campaign, User, list[Nomination]]:
    campaign = make_campaign(
        tree.committee, status=Campaign.Status.REVIEWING, rounds=[SCORE_ROUND, LIKES],
        tiers={"case": tiers(1, 1, prizes=(2000, 1000))},
    )  # fmt: skip
    committee = user_with_role(Role.COMMITTEE, tree.committee)
    units = [tree.unit, tree.other_unit]
    made = [entry(campaign, units[i % 2], submitter, f"案例{i}") for i in range(len(scores))]
    rows: list[tuple[str, object, object]] = [
        (f"r{i}", n.pk, s) for i, (n, s) in enumerate(zip(made, scores, strict=True))
    ]
    judging.import_scores(campaign.pk, "score", actor=committee, rows=rows, sha256=hashlib.sha256(b"x").hexdigest())
    judging.close_round(campaign.pk, "score", actor=committee)
    return campaign, committee, made


def _close_likes(campaign: Campaign, committee: User, votes: dict[int, int]) -> None:
    """What voting.close_voting writes: the round's results by the counted votes."""
    judging.record_vote_results(campaign.pk, "likes", actor=committee, votes=votes)


def test_a_vote_rounds_tiers_are_checked_like_the_campaigns():
    assert check_rounds([SCORE_ROUND, LIKES], ["case"]) == {}
    bad_level: dict[str, Any] = {"key": "x", "name": "", "count": 0, "prize": -1, "colour": "red"}
    bad = {**LIKES, "tiers": {"case": [bad_level], "team": []}}
    errors = check_rounds([SCORE_ROUND, bad], ["case"])
    assert set(errors) == {
        "rounds[1].tiers.case[0].name", "rounds[1].tiers.case[0].count", "rounds[1].tiers.case[0].prize",
        "rounds[1].tiers.case[0].colour", "rounds[1].tiers.team",
    }  # fmt: skip
    on_a_scored_round = check_rounds([{**SCORE_ROUND, "tiers": {"case": LIKE_TIERS}}], ["case"])
    assert "rounds[0].tiers" in on_a_scored_round
    assert "rounds[0].tiers.case[0].prize" not in on_a_scored_round  # a gift's text is a prize here


def test_the_dehua_seed_carries_its_like_prizes():
    likes = next(r for r in SEED_JUDGING["000"]["rounds"] if r["method"] == "vote")
    assert (likes["weight"], [(t["name"], t["count"]) for t in likes["tiers"]["case"]]) == (
        0, [("网络点赞一等奖", 2), ("网络点赞二等奖", 3), ("网络点赞三等奖", 5)],
    )  # fmt: skip
    assert check_rounds(SEED_JUDGING["000"]["rounds"], ["case"]) == {}


def test_allocation_by_votes_with_a_tie_at_the_line_then_confirmed_beside_the_main_list(tree, submitter):
    campaign, committee, e = _scene(tree, submitter, [90, 80, 70, 60, 50])
    with pytest.raises(RoundsOpen):
        actions.allocate_awards(campaign.pk, actor=committee, round_key="likes")
    with pytest.raises(InvalidInput):
        actions.allocate_awards(campaign.pk, actor=committee, round_key="score")

    # the main list first: 案例0 一等奖, 案例1 二等奖, the rest not selected
    actions.allocate_awards(campaign.pk, actor=committee)
    actions.confirm_awards(campaign.pk, actor=committee)
    assert Nomination.objects.get(pk=e[3].pk).status == Nomination.Status.NOT_SELECTED

    # likes: 案例0 9 votes; 案例3, 案例4 and 案例2 tie on 5 for the last two places
    _close_likes(campaign, committee, {e[0].pk: 9, e[1].pk: 1, e[2].pk: 5, e[3].pk: 5, e[4].pk: 5})
    actions.allocate_awards(campaign.pk, actor=committee, round_key="likes")
    proposal = Allocation.objects.get(campaign=campaign, round_key="likes")
    assert proposal.ties == {"case": [sorted([e[2].pk, e[3].pk, e[4].pk])]}
    with pytest.raises(TieUnresolved):
        actions.confirm_awards(campaign.pk, actor=committee, round_key="likes")

    actions.allocate_awards(campaign.pk, actor=committee, round_key="likes", tie_order=[e[4].pk, e[3].pk, e[2].pk])
    confirmed = actions.confirm_awards(campaign.pk, actor=committee, round_key="likes")
    assert {(a.nomination_id, a.tier, int(a.score)) for a in confirmed} == {
        (e[0].pk, "like_first", 9), (e[4].pk, "like_second", 5), (e[3].pk, "like_second", 5),
    }  # fmt: skip
    first = next(a for a in confirmed if a.tier == "like_first")
    assert (first.prize, first.prize_text, first.round_key) == (None, GIFT, "likes")

    # both lists stand: 案例0 holds its 一等奖 and its 网络点赞一等奖; statuses are the main list's
    assert set(Award.objects.filter(nomination=e[0], status="confirmed").values_list("round_key", "tier")) == {
        ("", "first"), ("likes", "like_first"),
    }  # fmt: skip
    assert Nomination.objects.get(pk=e[2].pk).status == Nomination.Status.NOT_SELECTED
    assert Nomination.objects.get(pk=e[0].pk).status == Nomination.Status.APPROVED
    assert Award.objects.filter(round_key="").count() == 2
    event = AuditEvent.objects.filter(action="awards.confirmed").order_by("-id").first()
    assert event is not None
    assert (event.data["round"], event.data["not_selected"]) == ("likes", [])

    # certificates number the main list first; the ledger writes the gift as text
    certificates = actions.issue_certificates(campaign.pk, actor=committee)
    assert [c.award.round_key for c in certificates] == ["", "", "likes", "likes", "likes"]
    sheet = load_workbook(io.BytesIO(ledger.render_ledger_xlsx(campaign))).worksheets[0]
    assert GIFT in [row[6] for row in sheet.iter_rows(values_only=True)]


def test_declining_a_like_prize_passes_it_down_by_votes_only(tree, submitter):
    campaign, committee, e = _scene(tree, submitter, [90, 80, 70, 60])
    actions.allocate_awards(campaign.pk, actor=committee)
    actions.confirm_awards(campaign.pk, actor=committee)
    _close_likes(campaign, committee, {e[0].pk: 1, e[1].pk: 9, e[2].pk: 7, e[3].pk: 6})
    actions.allocate_awards(campaign.pk, actor=committee, round_key="likes")
    actions.confirm_awards(campaign.pk, actor=committee, round_key="likes")
    award = Award.objects.get(round_key="likes", nomination=e[1])
    successor = actions.decline_award(award.pk, actor=committee, reason="放弃礼品")
    assert (successor.nomination_id, successor.tier, successor.round_key) == (e[0].pk, "like_first", "likes")
    # the main list is untouched: 案例1 keeps its 二等奖 and its status
    assert Award.objects.get(round_key="", nomination=e[1]).status == Award.Status.CONFIRMED
    assert Nomination.objects.get(pk=e[1].pk).status == Nomination.Status.APPROVED


def test_the_api_takes_an_optional_round(tree, submitter, client_for):
    campaign, committee, e = _scene(tree, submitter, [90, 80, 70])
    client = client_for(committee)
    base = f"/api/v1/campaigns/{campaign.pk}/awards"
    _close_likes(campaign, committee, {e[0].pk: 3, e[1].pk: 2, e[2].pk: 1})
    unknown = client.post(f"{base}/allocate", {"round": "nope"}, format="json")
    assert unknown.status_code == 400
    assert "round" in unknown.json()["errors"]

    proposed = client.post(f"{base}/allocate", {"round": "likes"}, format="json")
    assert proposed.status_code == 200
    body = proposed.json()
    assert body["round"] == "likes"
    assert [(a["nomination"], a["tier"], a["round"], a["prize_text"]) for a in body["awards"]] == [
        (e[0].pk, "like_first", "likes", GIFT), (e[1].pk, "like_second", "likes", ""),
        (e[2].pk, "like_second", "likes", ""),
    ]  # fmt: skip
    assert client.get(f"{base}/proposal").json()["awards"] == []  # the main list has no proposal
    assert client.post(f"{base}/confirm", {"round": "likes"}, format="json").status_code == 200
    main = client.post(f"{base}/allocate", {}, format="json")
    assert [a["round"] for a in main.json()["awards"]] == ["", ""]
    assert client.post(f"{base}/confirm").status_code == 200
    listed = client.get(base).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert sorted(a["round"] for a in rows) == ["", "", "likes", "likes", "likes"]
    only = client.get(base, {"round": "likes"}).json()
    only_rows = only["results"] if isinstance(only, dict) else only
    assert {a["round"] for a in only_rows} == {"likes"}


def test_a_likes_round_weighted_as_a_decimal_string_is_its_own_prize_list_and_ranks_nothing():
    # The rounds' check reads "0.00" as 0 (workflows.rounds.decimal_of); so does every reader.
    written = {**LIKES, "weight": "0.00"}
    assert check_rounds([SCORE_ROUND, written], ["case"]) == {}
    campaign = Campaign(rounds=[SCORE_ROUND, written])
    assert [r["key"] for r in actions.prize_list_rounds(campaign)] == ["likes"]
    assert [r["key"] for r in actions.ranking_rounds(campaign, "case")] == ["score"]
    weighted = Campaign(rounds=[SCORE_ROUND, {**LIKES, "weight": "10"}])
    assert actions.prize_list_rounds(weighted) == []
