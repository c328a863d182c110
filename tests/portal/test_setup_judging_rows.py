"""The judging and supplement rows (portal/setup_judging_rows.py): every seed's rounds, tiers and
floors come back unchanged through the editor, and rubric lines are read or named by line."""

from __future__ import annotations

import pytest

from portal import setup_judging_rows as jr
from portal.setup_judging import _weight_sums
from workflows.demo import SEED_JUDGING
from workflows.models import Campaign


@pytest.mark.parametrize("seed", sorted(SEED_JUDGING))
def test_every_seed_s_judging_round_trips_through_the_editors(seed):
    judging = SEED_JUDGING[seed]
    kinds = sorted({k for r in judging["rounds"] for k in r["kinds"]} | set(judging.get("tiers", {})))

    rounds, errors = jr.rounds_from_rows(jr.round_rows(judging["rounds"], kinds), kinds)
    tiers, _where = jr.tiers_from_rows(jr.tier_rows(judging.get("tiers", {}), kinds))
    floors, floor_errors = jr.floors_from_rows(jr.floor_rows(judging.get("tier_floors", [])))

    assert errors == {}
    assert floor_errors == {}
    assert rounds == [{"step": 1, "trim": False, **r} for r in judging["rounds"]]
    assert tiers == judging.get("tiers", {})
    assert floors == judging.get("tier_floors", [])


def test_rubric_lines_take_a_key_or_are_given_one_and_bad_lines_are_named():
    criteria, errors = jr.parse_criteria("服务过程 20 process\n\n社会 效益 15\n现场表现 7.5 c1\n只有名称\n效果 三十")

    assert criteria == [
        {"key": "process", "name": "服务过程", "max": 20},
        {"key": "c2", "name": "社会 效益", "max": 15},
        {"key": "c1", "name": "现场表现", "max": 7.5},
    ]
    assert errors == ["第 5 行：请写成“名称 满分 标识”，如“服务过程 20 process”", "第 6 行：满分“三十”不是数字"]


def test_a_supplement_keeps_only_the_limits_of_its_type():
    rows = jr.supplement_rows([{"key": "files", "label": "附件", "type": "files", "deadline": "2027-12-30",
                                "allowed_types": ["pdf", "docx"], "max_count": 3}])  # fmt: skip
    assert rows[0]["allowed_types"] == "pdf、docx"
    rows[0] |= {"type": "long_text", "max_length": "800"}

    (item,) = jr.supplements_from_rows(rows)

    assert item == {"key": "files", "label": "附件", "type": "long_text", "deadline": "2027-12-30", "max_length": 800}
    assert jr.official_day("2027-12-30") == "2027年12月30日"


def test_decimal_weights_add_up_as_the_definition_check_adds_them():
    campaign = Campaign(kinds=["case"])
    rounds = [{"name": n, "kinds": ["case"], "weight": w} for n, w in (("甲", 33.3), ("乙", 33.3), ("丙", 33.4))]
    (case,) = _weight_sums(rounds, campaign)
    assert case["ok"]
    assert str(case["total"]) == "100.0"
