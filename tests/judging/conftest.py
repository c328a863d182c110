"""A campaign in review with approved entries, its committee and a pool of judges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from accounts.roles import Role
from approvals.models import Nomination
from tests.campaigns import make_campaign, valid_case_form
from tests.conftest import Tree
from tests.factories import user_with_role
from workflows.models import Campaign

RUBRIC = [
    {"key": "process", "name": "服务过程", "max": 20},
    {"key": "effect", "name": "服务效果", "max": 30},
    {"key": "show", "name": "现场表现", "max": 50},
]


def panel_round(key: str = "review", **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": "专家评审", "kinds": ["case"], "method": "panel", "weight": 100,
            "criteria": RUBRIC, "step": 1, **extra}  # fmt: skip


def entry(campaign: Campaign, unit: Any, creator: User, title: str, kind: str = "case") -> Nomination:
    return Nomination.objects.create(
        campaign=campaign, unit=unit, district=unit.parent.parent if unit.parent else None, kind=kind, title=title,
        form=valid_case_form(), status=Nomination.Status.APPROVED, created_by=creator, submitted_by=creator,
    )  # fmt: skip


@dataclass
class Scene:
    campaign: Campaign
    committee: User
    judges: list[User]
    entries: list[Nomination]


def make_scene(
    tree: Tree, submitter: User, *, rounds: list[dict[str, Any]], entries: int = 3, judges: int = 3
) -> Scene:
    campaign = make_campaign(tree.committee, status=Campaign.Status.REVIEWING, rounds=rounds)
    committee = user_with_role(Role.COMMITTEE, tree.committee)
    pool = [user_with_role(Role.JUDGE, tree.committee) for _ in range(judges)]
    units = [tree.unit, tree.other_unit]
    made = [entry(campaign, units[i % 2], submitter, f"案例{i}") for i in range(entries)]
    return Scene(campaign, committee, pool, made)


@pytest.fixture
def scene(tree: Tree, submitter: User) -> Scene:
    return make_scene(tree, submitter, rounds=[panel_round()])


def sheet(process: int, effect: int, show: int) -> dict[str, int]:
    return {"process": process, "effect": effect, "show": show}
