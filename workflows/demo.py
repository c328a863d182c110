"""The five seed campaigns as demo data: their real forms, chains, rules and figures.

Created and opened through the audited actions by each campaign's demo administrator, so
the demo trail verifies like a real one. The submission windows are moved into the present
(opened 30 days ago, closing 60 days from the first load) so that the demo is live; the
rules keep their real dates (e.g. the 2013–2014 window of [003]).
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.dispatch import Signal
from django.utils import timezone

from accounts.demo import SHANGHAI_DISTRICTS
from accounts.models import Organization, User
from accounts.roles import Role
from workflows import actions
from workflows.models import Campaign
from workflows.seed_forms import SEED_CAMPAIGNS

# [002] 各区个人入围名额 (individual entrants per district); total 85.
SHANGHAI_INDIVIDUAL_QUOTAS = {
    "PD": 14, "HP": 4, "XH": 5, "CN": 4, "JA": 5, "PT": 4, "HK": 3, "YP": 5,
    "MH": 5, "BS": 5, "JD": 5, "JS": 4, "SJ": 6, "QP": 4, "FX": 5, "CM": 7,
}  # fmt: skip
# [002] 附件1: the 24 受理中心 entrants by district (the third party's ranking), a collective quota
# of the 受理中心组 only; each district may add its own 区运管团队 (one place per district).
SHANGHAI_CENTRE_QUOTAS = {"PD": 6, "HP": 3, "JA": 4, "XH": 2, "YP": 1, "MH": 1, "JD": 1, "JS": 1, "QP": 5}
CENTRE_GROUP = {"field": "group", "value": "受理中心组"}
DISTRICT_TEAM_GROUP = {"field": "group", "value": "区运管团队组"}
# [002] The districts report to the city by 8月9日, about a week after the units' material is in:
# in the demo, the district stage is due this many days after the (moved) submission deadline.
SHANGHAI_DISTRICT_DUE_DAYS = 7


# [000] 现场路演评分细则 (= 100).
DEHUA_RUBRIC: list[dict[str, Any]] = [
    {"key": "process", "name": "服务过程", "max": 20},
    {"key": "method", "name": "服务手法", "max": 15},
    {"key": "effect", "name": "服务效果", "max": 30},
    {"key": "social", "name": "社会效益", "max": 15},
    {"key": "sustainability", "name": "可持续性", "max": 10},
    {"key": "presentation", "name": "现场表现", "max": 10},
]
# An expert-review rubric for the case campaigns whose notices give none (= 100).
CASE_RUBRIC: list[dict[str, Any]] = [
    {"key": "innovation", "name": "创新性", "max": 30},
    {"key": "effect", "name": "实际成效", "max": 30},
    {"key": "replicability", "name": "可复制推广", "max": 20},
    {"key": "material", "name": "材料质量", "max": 20},
]


def _panel(key: str, name: str, kinds: list[str], weight: int, **extra: Any) -> dict[str, Any]:
    return {"key": key, "name": name, "kinds": kinds, "method": "panel", "weight": weight,
            "criteria": extra.pop("criteria", CASE_RUBRIC), "step": 1, "trim": False, **extra}  # fmt: skip


def _import(key: str, name: str, kinds: list[str], weight: int) -> dict[str, Any]:
    return {"key": key, "name": name, "kinds": kinds, "method": "import", "weight": weight, "criteria": []}


def _tiers(*levels: tuple[str, str, int, int | str | None]) -> list[dict[str, Any]]:
    return [
        {"key": key, "name": name, "count": count, **({"prize": prize} if prize is not None else {})}
        for key, name, count, prize in levels
    ]


# A gift whose content is still to be decided [000] (a vote round's prize may be a text).
GIFT = "微服务点赞礼品（具体内容待定）"

# The judging of each seed (issue 14): its rounds, in order, and its award tiers per kind.
SEED_JUDGING: dict[str, dict[str, Any]] = {
    "000": {
        "rounds": [
            _panel(
                "roadshow",
                "现场路演",
                ["case"],
                100,
                criteria=DEHUA_RUBRIC,
                order="lottery",
                publish_every=5,
                tiebreak="effect",
            ),
            # 网络点赞 after the roadshow [000]: its own prize list by votes, gifts to be decided.
            {
                "key": "likes",
                "name": "网络点赞",
                "kinds": ["case"],
                "method": "vote",
                "weight": 0,
                "tiers": {
                    "case": _tiers(
                        ("like_first", "网络点赞一等奖", 2, GIFT),
                        ("like_second", "网络点赞二等奖", 3, GIFT),
                        ("like_third", "网络点赞三等奖", 5, GIFT),
                    )
                },
            },
        ],  # fmt: skip
        "tiers": {
            "case": _tiers(
                ("first", "一等奖", 2, 2000),
                ("second", "二等奖", 3, 1000),
                ("third", "三等奖", 5, 600),
                ("excellent", "优秀奖", 10, None),
            )
        },  # fmt: skip
    },
    "002": {
        "rounds": [
            _import("service_data", "日常服务数据（第三方评估）", ["collective"], 70),
            _panel(
                "collective_presentation",
                "集体展示",
                ["collective"],
                30,
                criteria=[{"key": "presentation", "name": "展示评分", "max": 100}],
            ),
            _import("knowledge", "知识测试", ["individual"], 30),
            _import("simulation", "模拟操作", ["individual"], 30),
            _panel(
                "practical",
                "实务操作",
                ["individual"],
                40,
                criteria=[{"key": "practical", "name": "实务操作", "max": 100}],
            ),
        ],  # fmt: skip
        "tiers": {
            kind: _tiers(
                ("first", "一等奖", first, None), ("second", "二等奖", second, None), ("third", "三等奖", third, None)
            )
            for kind, (first, second, third) in {"collective": (2, 4, 10), "individual": (5, 15, 35)}.items()
        },  # fmt: skip
        # At least 80 % of each kind's awards to 受理中心 teams and to front-line window staff [002].
        "tier_floors": [
            {"kind": "collective", "field": "group", "values": ["受理中心组"], "min_share": 0.8},
            {"kind": "individual", "field": "post_category", "values": ["综合窗口一线工作人员"], "min_share": 0.8},
        ],
    },
    "001": {
        "rounds": [
            _panel("finalists", "专家评审（入围）", ["case"], 0, advance=20),
            _panel("top_ten", "专家评审（十佳）", ["case"], 100),
        ],
        "tiers": {"case": _tiers(("top_ten", "十佳", 10, None))},
    },
    "004": {"rounds": [_panel("expert_review", "专家评审", ["case"], 100)]},
    "003": {"rounds": [_panel("expert_review", "专家评审", ["case"], 100)]},
}


def _stage(
    key: str, name: str, role: Role, *, seal: bool = False, days: int | None = None, **options: Any
) -> dict[str, Any]:
    """A stage definition; ``options``: ``seal_org``, ``same_signer_as_previous``, and
    ``due_days_after_deadline`` (the stage's fixed date, moved into the present with the window)."""
    return {"key": key, "name": name, "role": role, "seal": seal, "time_limit_days": days, **options}


def demo_definitions() -> list[dict[str, Any]]:
    """The definitions, by seed; ``admin`` is the demo account that creates each one."""
    return [
        {
            "seed": "002",
            "admin": "campaign_admin",
            "host": "SH-YWTB",
            "title": "2024年上海市“一网通办”业务技能竞赛",
            "bodies": {"guiding": ["上海市民政局"], "host": ["上海市“一网通办”业务技能竞赛组委会"]},
            "stages": [
                # 各区……于 8 月 9 日前报送市民政局: the districts' stage ends on a date.
                _stage(
                    "district_review",
                    "区民政局意见",
                    Role.DISTRICT_REVIEWER,
                    seal=True,
                    due_days_after_deadline=SHANGHAI_DISTRICT_DUE_DAYS,
                ),  # fmt: skip
                _stage("city_review", "市民政局意见", Role.CITY_REVIEWER, seal=True, days=10),
                _stage("committee_review", "组委会意见", Role.COMMITTEE, seal=True, days=10),
            ],
            "quotas": [
                *[("SH-" + code, n, "individual", {}) for code, n in SHANGHAI_INDIVIDUAL_QUOTAS.items()],
                *[("SH-" + code, n, "collective", CENTRE_GROUP) for code, n in SHANGHAI_CENTRE_QUOTAS.items()],
                *[("SH-" + code, 1, "collective", DISTRICT_TEAM_GROUP) for code, _name in SHANGHAI_DISTRICTS],
            ],
            # 24 受理中心 + up to 16 区运管团队 (one per district, 自愿申报) + 85 individuals.
            "total_max": sum(SHANGHAI_CENTRE_QUOTAS.values()) + len(SHANGHAI_DISTRICTS) + 85,
            "awards": {"collective": 16, "individual": 55},
            "entrants_per_award": Decimal("1.5"),
            "publicity_days": 3,
            "publicity_working_days": True,
        },
        {
            "seed": "003",
            "admin": "taishan_admin",
            "host": "JM-TS-CMT",
            "title": "2014年台山市党员义工创新服务项目与创新工作案例申报",
            "bodies": {"host": ["市委组织部", "市委宣传部", "市直机关工委", "团市委", "市义工联"]},
            "stages": [
                _stage("unit_opinion", "单位意见", Role.UNIT_LEADER, seal=True),
                # 党组织负责人签名, 单位盖章: signed by the party secretary, who may be the unit
                # leader who signed before (一肩挑), and sealed with the unit's seal.
                _stage(
                    "party_opinion",
                    "申报单位党组织意见",
                    Role.PARTY_SECRETARY,
                    seal=True,
                    seal_org="unit",
                    same_signer_as_previous=True,
                ),  # fmt: skip
                _stage("committee_review", "专家评审", Role.COMMITTEE),
            ],
            "per_unit_max": 3,
            "publicity_days": 7,
            "publicity_working_days": False,
            # 申报表 by 10月30日, the ~1500-character 总结材料 by 12月30日: two months after the form.
            "supplements": [
                {
                    "key": "summary",
                    "label": "项目（案例）总结材料",
                    "type": "long_text",
                    "max_length": 2000,
                    "deadline_days_after_deadline": 61,
                },
            ],  # fmt: skip
        },
        {
            "seed": "000",
            "admin": "dehua_admin",
            "host": "QZ-DH-CMT",
            "title": "德化首届民政领域微服务案例评选比赛",
            "bodies": {
                "guiding": ["泉州市民政局"],
                "host": ["中共德化县委县直机关工作委员会", "中共德化县政府综合系统委员会", "德化县民政局"],
                "organiser": ["德化县社会工作专业人才基地", "德化县致和社工事务所"],
            },
            "stages": [_stage("host_audit", "主办单位资格审核", Role.COMMITTEE, days=5)],
            "min_per_township": 1,
            "awards": {"case": 20},
        },
        {
            "seed": "001",
            "admin": "pingshan_admin",
            "host": "SZ-PS-CMT",
            "title": "2023年坪山区社会组织参与基层社会治理案例征集",
            "bodies": {
                "host": ["坪山区委基层治理领导小组办公室", "坪山区委政法委", "坪山区民政局"],
                "organiser": ["深圳市坪山区社会组织总会"],
            },
            "stages": [_stage("expert_review", "专家评审", Role.COMMITTEE)],
            "awards": {"case": 20},
        },
        {
            "seed": "004",
            "admin": "shandong_admin",
            "host": "SD-CMT",
            "title": "2020年度全省民政工作创新案例",
            "bodies": {"host": ["山东省民政厅"]},
            # 县民政局 → 市民政局 (济宁市) → 省民政厅 初审筛选 → 专家评审
            "stages": [
                _stage("county_review", "县民政局推荐", Role.DISTRICT_REVIEWER, seal=True),
                _stage("city_review", "市民政局推荐", Role.CITY_REVIEWER, seal=True),
                _stage("first_screening", "省民政厅初审筛选", Role.PROVINCE_REVIEWER),
                _stage("expert_review", "专家评审", Role.COMMITTEE),
            ],
            "awards": {"case": 26 + 8},
            "publicity_days": 5,
        },
    ]


def _stages_for(stages: list[dict[str, Any]], deadline: datetime) -> list[dict[str, Any]]:
    """The stage definitions with their fixed dates placed after ``deadline`` (Asia/Shanghai)."""
    placed = []
    for stage in stages:
        stage = dict(stage)
        after = stage.pop("due_days_after_deadline", None)
        if after is not None:
            stage["due_date"] = timezone.localdate(deadline) + timedelta(days=after)
        placed.append(stage)
    return placed


def _supplement_for(supplement: dict[str, Any], deadline: datetime) -> dict[str, Any]:
    """A supplement definition with its date placed after ``deadline`` (Asia/Shanghai)."""
    placed = dict(supplement)
    after = placed.pop("deadline_days_after_deadline", None)
    if after is not None:
        placed["deadline"] = (timezone.localdate(deadline) + timedelta(days=after)).isoformat()
    return placed


def campaign_spec(
    definition: dict[str, Any],
    orgs: dict[str, Organization],
    *,
    opens_at: datetime | None = None,
    submission_deadline: datetime | None = None,
) -> dict[str, Any]:
    """The create_campaign spec of one demo definition, its window moved into the present
    (or set to ``opens_at`` / ``submission_deadline``), the stages' fixed dates with it."""
    seed = SEED_CAMPAIGNS[definition["seed"]]
    now = timezone.now()
    deadline = submission_deadline or (now + timedelta(days=60)).replace(hour=15, minute=59, second=59, microsecond=0)
    spec: dict[str, Any] = {
        "title": definition["title"],
        "host_org": orgs[definition["host"]],
        "bodies": definition.get("bodies", {}),
        "kinds": list(seed["forms"]),
        "forms": copy.deepcopy(seed["forms"]),
        "eligibility": copy.deepcopy(seed["eligibility"]),
        "opens_at": opens_at or now - timedelta(days=30),
        "submission_deadline": deadline,
        "stages": _stages_for(definition["stages"], deadline),
        "quotas": [
            {"org": orgs[code], "max": n, "kind": kind, **where}
            for code, n, kind, where in definition.get("quotas", [])
        ],
    }
    spec.update(copy.deepcopy(SEED_JUDGING.get(definition["seed"], {})))
    spec["supplements"] = [_supplement_for(s, deadline) for s in definition.get("supplements", [])]
    for name in ("per_unit_max", "total_max", "min_per_township", "awards", "entrants_per_award",
                 "publicity_days", "publicity_working_days"):  # fmt: skip
        if name in definition:
            spec[name] = definition[name]
    return spec


# Sent by ``manage.py load_demo`` once the accounts and campaigns are in: the apps above workflows
# add their own demo data (judging: the judges' expert profiles).
demo_loaded = Signal()
# Sent between creating a seed campaign and opening it (``campaign``, ``seed``): what may only be
# set before intake opens (approvals: [002]'s entrant list) is added then, through its action.
demo_campaign_drafted = Signal()


def load_demo_campaigns() -> int:
    """Create and open the seed campaigns that do not exist yet (by title); returns how many."""
    orgs = {o.code: o for o in Organization.objects.all()}
    created = 0
    for definition in demo_definitions():
        if Campaign.objects.filter(title=definition["title"]).exists():
            continue
        admin = User.objects.get(username=definition["admin"])
        campaign = actions.create_campaign(actor=admin, spec=campaign_spec(definition, orgs))
        demo_campaign_drafted.send(sender=Campaign, campaign=campaign, seed=definition["seed"])
        actions.change_campaign_status(campaign.pk, actor=admin, transition="open")
        created += 1
    return created


__all__ = ["demo_campaign_drafted", "demo_loaded", "load_demo_campaigns"]
