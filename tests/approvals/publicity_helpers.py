"""Shared set-up of the 公示 tests: a campaign in review with approved nominations, and its people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from accounts.models import User
from accounts.roles import Role
from approvals.actions.publicity import PUBLIC_CACHE_KEY
from approvals.models import Nomination
from tests.campaigns import make_campaign, valid_case_form
from tests.conftest import Tree
from tests.factories import user_with_role
from workflows.models import Campaign

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


@dataclass
class People:
    committee: User
    campaign_admin: User
    judge: User
    submitter: User
    unit_leader: User
    district_reviewer: User
    other_district_reviewer: User
    other_committee: User
    auditor: User


@pytest.fixture
def people(tree: Tree, auditor: User, submitter: User, district_reviewer: User) -> People:
    from tests.factories import OrganizationFactory

    other_host = OrganizationFactory.create(name="另一组委会", code="T-CMT2", kind="committee", parent=tree.city)
    return People(
        committee=user_with_role(Role.COMMITTEE, tree.committee, username="cmt"),
        campaign_admin=user_with_role(Role.CAMPAIGN_ADMIN, tree.committee, username="cadm"),
        judge=user_with_role(Role.JUDGE, tree.committee, username="judge"),
        submitter=submitter,
        unit_leader=user_with_role(Role.UNIT_LEADER, tree.unit, username="leader"),
        district_reviewer=district_reviewer,
        other_district_reviewer=user_with_role(Role.DISTRICT_REVIEWER, tree.other_district, username="rev_hp"),
        other_committee=user_with_role(Role.COMMITTEE, other_host, username="cmt2"),
        auditor=auditor,
    )


def approved(campaign: Campaign, unit: Any, district: Any, creator: User, title: str, **form: Any) -> Nomination:
    """A nomination that has passed the whole chain (the chain itself is tested in test_sign_off*)."""
    return Nomination.objects.create(
        campaign=campaign,
        unit=unit,
        district=district,
        kind="case",
        title=title,
        form={**valid_case_form(), **form},
        status=Nomination.Status.APPROVED,
        created_by=creator,
        submitted_by=creator,
    )


@dataclass
class Scene:
    campaign: Campaign
    first: Nomination
    second: Nomination
    other: Nomination


@pytest.fixture
def calendar_seeded(db: None) -> None:
    """The migration's calendar rows are gone after any test that truncates tables (transaction=True)."""
    from workflows.calendar import seed_from_chinese_calendar

    seed_from_chinese_calendar()


@pytest.fixture
def scene(tree: Tree, people: People, calendar_seeded: None) -> Scene:
    campaign = make_campaign(
        tree.committee, status=Campaign.Status.REVIEWING, publicity_days=5, publicity_working_days=True
    )
    first = approved(
        campaign, tree.unit, tree.district, people.submitter, "陆家嘴助老服务",
        summary="为独居老人王某某（身份证 11010519491231002X，电话 13812345678）提供上门服务。",
    )  # fmt: skip
    second = approved(campaign, tree.unit, tree.district, people.submitter, "陆家嘴便民服务")
    other = approved(campaign, tree.other_unit, tree.other_district, people.submitter, "南京东路案例")
    # Ids repeat across runs of a recreated test database; the cache (Redis) outlives them.
    cache.delete_many(
        [
            f"{PUBLIC_CACHE_KEY.format(campaign_id=campaign.pk)}:{v}"
            for v in ("stamp", "json", "html", "json.gz", "html.gz")
        ]
    )
    return Scene(campaign, first, second, other)


@pytest.fixture(autouse=True)
def generous_objection_limits(settings: Any) -> None:
    """Counts live in Redis across tests and runs: tests other than the limit's own do not meet it."""
    settings.SEALFLOW_OBJECTION_RATE_PER_ADDRESS = "100000/h"
    settings.SEALFLOW_OBJECTION_RATE_PER_PHONE = "100000/d"


def objection_body(nomination: Nomination, **extra: Any) -> dict[str, Any]:
    body = {
        "nomination": nomination.pk,
        "objector_kind": "person",
        "name": "赵异议",
        "phone": "13900001111",
        "content": "该案例的服务对象数量与实际不符，请核实。",
    }
    body.update(extra)
    return body
