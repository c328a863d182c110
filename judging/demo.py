"""Demo data of judging: an expert profile for each demo judge (``manage.py load_demo``)."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.roles import Role
from judging.models import JudgeProfile

# username → (field of expertise, code of the organisation the expert works at, or "" for none).
DEMO_PROFILES: dict[str, tuple[str, str]] = {
    "judge": ("政务服务与“一网通办”", ""),
    "judge2": ("社会工作与基层治理", "SH-PD"),
    "dehua_judge": ("社会工作（微服务项目评估）", ""),
    "taishan_judge": ("志愿服务与党建", ""),
    "pingshan_judge": ("社会组织与基层社会治理", ""),
    "shandong_judge": ("民政政策研究", ""),
}


def add_judge_profiles(**_kwargs: Any) -> int:
    """Give each demo judge without one an expert profile; returns how many were added."""
    from accounts.models import Organization

    users = User.objects.filter(username__in=DEMO_PROFILES, grants__role=Role.JUDGE, judge_profile__isnull=True)
    orgs = {o.code: o for o in Organization.objects.filter(code__in={c for _e, c in DEMO_PROFILES.values() if c})}
    added = 0
    for user in users.distinct():
        expertise, org_code = DEMO_PROFILES[user.username]
        JudgeProfile.objects.create(user=user, expertise=expertise, affiliation=orgs.get(org_code))
        added += 1
    return added
