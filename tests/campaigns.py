"""A small campaign definition for tests (the seed campaigns live in workflows/demo.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Organization, User
from accounts.roles import Role
from tests.factories import user_with_role
from workflows.models import Campaign, Quota, Stage

CASE_FORM: dict[str, Any] = {
    "fields": [
        {"key": "summary", "label": "案例简介", "type": "long_text", "required": True, "min_length": 10,
         "max_length": 500},
        {"key": "carried_out_on", "label": "实施日期", "type": "date", "required": True},
        {"key": "contact_phone", "label": "联系电话", "type": "phone", "required": True},
        {"key": "leader_id", "label": "负责人身份证号", "type": "id_number", "required": False},
        {"key": "members", "label": "团队成员", "type": "person_list", "max_count": 5, "required": False,
         "fields": [{"key": "name", "label": "姓名", "type": "text", "required": True, "max_length": 20}]},
        {"key": "photos", "label": "照片", "type": "images", "allowed_types": ["jpg", "png"], "min_count": 0,
         "max_count": 2, "max_size_mb": 1},
    ]
}  # fmt: skip

CASE_RULES: list[dict[str, Any]] = [
    {"type": "within_last_years", "field": "carried_out_on", "years": 3},
    {"type": "max_count", "field": "members", "max": 5},
]

STAGES: list[dict[str, Any]] = [
    {"key": "unit_opinion", "name": "单位意见", "role": "unit_leader", "seal": False},
    {"key": "district_review", "name": "区民政局意见", "role": "district_reviewer", "seal": True},
    {"key": "committee_review", "name": "组委会意见", "role": "committee", "seal": True},
]


def valid_case_form() -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "summary": "社区助老服务案例，覆盖三个小区。",
        "carried_out_on": (today - timedelta(days=100)).isoformat(),
        "contact_phone": "13812345678",
        "leader_id": "11010519491231002X",
        "members": [{"name": "张三"}, {"name": "李四"}],
    }


def make_campaign(host: Organization, *, status: str = Campaign.Status.OPEN, **fields: Any) -> Campaign:
    """A campaign written straight to the database (the API path is tested separately)."""
    now = timezone.now()
    defaults: dict[str, Any] = {
        "title": "测试评选活动",
        "year": now.year,
        "host_org": host,
        "kinds": ["case"],
        "forms": {"case": CASE_FORM},
        "eligibility": {"case": CASE_RULES},
        "opens_at": now - timedelta(days=1),
        "submission_deadline": now + timedelta(days=10),
        "status": status,
    }
    defaults.update(fields)
    campaign = Campaign.objects.create(**defaults)
    for i, stage in enumerate(STAGES):
        from workflows.specs import DEFAULT_SIGNER_ORG

        Stage.objects.create(campaign=campaign, position=i, signer_org=DEFAULT_SIGNER_ORG[stage["role"]], **stage)
    return campaign


def add_quota(campaign: Campaign, org: Organization, max_: int) -> Quota:
    return Quota.objects.create(campaign=campaign, org=org, max=max_)


def campaign_admin(host: Organization) -> User:
    return user_with_role(Role.CAMPAIGN_ADMIN, host, username="cadmin")
