"""A campaign made through the API for a browser test of the chain, with one nomination submitted
by 陆家嘴 and approved by its leader, so that it waits at the campaign's second stage."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.test_live_path import Api

FORM = {"fields": [{"key": "summary", "label": "案例简介", "type": "long_text", "required": True, "min_length": 10,
                    "max_length": 500}]}  # fmt: skip


def campaign_with_a_submission(s: Any, *, campaign_title: str, title: str, stages: list[Any]) -> dict[str, Any]:
    """The campaign as created (the API's answer); the nomination ``title`` is past the unit's stage."""
    admin, submitter, leader = Api(s, "campaign_admin"), Api(s, "ljz_submitter"), Api(s, "ljz_leader")
    host = next(c["host_org"] for c in admin.get("/api/v1/campaigns")["results"])
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    campaign: dict[str, Any] = admin.post(
        "/api/v1/campaigns",
        {"title": campaign_title, "host_org": host, "forms": {"case": FORM}, "stages": stages,
         "opens_at": (today - timedelta(days=1)).isoformat(),
         "submission_deadline": (today + timedelta(days=30)).isoformat()},
    )  # fmt: skip
    admin.post(f"/api/v1/campaigns/{campaign['id']}/open")
    unit = submitter.get("/api/v1/me")["org"]
    created = submitter.post(
        "/api/v1/nominations",
        {"campaign": campaign["id"], "unit": unit, "kind": "case", "title": title,
         "form": {"summary": "社区助老服务案例，覆盖三个小区。"}},
    )  # fmt: skip
    submitter.post(f"/api/v1/nominations/{created['id']}/submit")
    task = next(t for t in leader.get("/api/v1/tasks")["results"] if t["title"] == title)
    leader.post(f"/api/v1/tasks/{task['id']}/approve", {"opinion": "同意"})
    return campaign
