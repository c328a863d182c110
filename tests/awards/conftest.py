"""A campaign whose one ``import`` round is closed with given scores, its committee, and its tiers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from accounts.roles import Role
from approvals.models import Nomination
from judging import actions as judging
from tests.campaigns import make_campaign
from tests.conftest import Tree
from tests.factories import user_with_role
from tests.judging.conftest import entry
from workflows.models import Campaign

SCORE_ROUND = {"key": "score", "name": "评审", "kinds": ["case"], "method": "import", "weight": 100, "criteria": []}
FRONT = "一线"
FLOOR = {"kind": "case", "field": "category", "values": [FRONT], "min_share": 0.6}


def tiers(*counts: int, prizes: tuple[int | None, ...] = ()) -> list[dict[str, Any]]:
    names = ["一等奖", "二等奖", "三等奖", "优秀奖"]
    keys = ["first", "second", "third", "excellent"]
    out = []
    for i, count in enumerate(counts):
        level: dict[str, Any] = {"key": keys[i], "name": names[i], "count": count}
        if i < len(prizes) and prizes[i] is not None:
            level["prize"] = prizes[i]
        out.append(level)
    return out


@dataclass
class Ranked:
    campaign: Campaign
    committee: User
    entries: list[Nomination]


def make_ranked(
    tree: Tree,
    submitter: User,
    scores: list[int],
    *,
    levels: list[dict[str, Any]],
    categories: list[str] | None = None,
    floors: list[dict[str, Any]] | None = None,
    close: bool = True,
) -> Ranked:
    """Entries ``案例i`` scored ``scores[i]`` (category ``categories[i]``), the round closed."""
    campaign = make_campaign(
        tree.committee, status=Campaign.Status.REVIEWING, rounds=[SCORE_ROUND], tiers={"case": levels},
        tier_floors=floors or [],
    )  # fmt: skip
    committee = user_with_role(Role.COMMITTEE, tree.committee)
    units = [tree.unit, tree.other_unit]
    made = []
    for i, _score in enumerate(scores):
        nomination = entry(campaign, units[i % 2], submitter, f"案例{i}")
        if categories:
            nomination.form = {**nomination.form, "category": categories[i]}
            nomination.save(update_fields=["form"])
        made.append(nomination)
    rows: list[tuple[str, object, object]] = [
        (f"r{i}", n.pk, s) for i, (n, s) in enumerate(zip(made, scores, strict=True))
    ]
    judging.import_scores(campaign.pk, "score", actor=committee, rows=rows, sha256=hashlib.sha256(b"x").hexdigest())
    if close:
        judging.close_round(campaign.pk, "score", actor=committee)
    return Ranked(campaign, committee, made)


@pytest.fixture
def ranked(tree: Tree, submitter: User) -> Ranked:
    """Five entries ranked 1..5; tiers 一等奖 1 (2000 元), 二等奖 2 (1000 元)."""
    return make_ranked(tree, submitter, [90, 80, 70, 60, 50], levels=tiers(1, 2, prizes=(2000, 1000)))
