"""The committee's 网络点赞管理 of seed 000 in a real browser, at 1366 and a phone's 390: from the
dashboard's link, open the likes round's window with the form, read the live counts and the
anomaly report, try voiding (nothing matches: said so, in Chinese); closing is offered only once
the window has ended (tests/voting/test_committee_pages.py closes). Screenshots 15-voting-… in
SEALFLOW_SCREENSHOTS (docs/screenshots by default)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_live_path import DEHUA, LAPTOP, LATIN_WORD, PHONE, Api
from workflows.seed_forms import SEED_SAMPLES

pytestmark = pytest.mark.slow
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _one_approved_entry(s: Any) -> int:
    """An approved case of [000] (made through the API); the campaign's id."""
    submitter, committee = Api(s, "dehua_submitter"), Api(s, "dehua_committee")
    campaign = next(c["id"] for c in committee.get("/api/v1/campaigns")["results"] if c["title"] == DEHUA)
    form = {
        **SEED_SAMPLES["000"]["case"],
        "carried_out_on": (datetime.now(SHANGHAI) - timedelta(days=200)).date().isoformat(),
    }
    created = submitter.post(
        "/api/v1/nominations",
        {"campaign": campaign, "unit": submitter.get("/api/v1/me")["org"], "kind": "case",
         "title": "点赞案例（浏览器）", "form": form},
    )  # fmt: skip
    submitter.post(f"/api/v1/nominations/{created['id']}/submit")
    for task in committee.get("/api/v1/tasks")["results"]:
        committee.post(f"/api/v1/tasks/{task['id']}/approve", {"opinion": "同意"})
    return int(campaign)


def _no_english(s: Any) -> None:
    text = s.page.inner_text("main")
    assert LATIN_WORD.findall(text) == [], text


def test_the_committee_opens_watches_and_voids_from_the_dashboard(sessions: Any) -> None:
    s = sessions("dehua_committee", **LAPTOP)
    campaign = _one_approved_entry(s)
    page = s.page
    s.goto(f"/campaigns/{campaign}/dashboard")
    page.get_by_role("link", name="网络点赞", exact=True).click()
    page.wait_for_url(f"**/campaigns/{campaign}/voting")
    assert "尚未开启" in page.inner_text("main")
    now = datetime.now(SHANGHAI)
    page.fill("#v-start", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#v-end", (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#v-day", "3")
    _no_english(s)
    s.shot("15-voting-open-1366", full_page=True)
    page.get_by_role("button", name="开启网络点赞").click()
    page.wait_for_url(f"**/campaigns/{campaign}/voting/*")
    assert "已开启网络点赞" in page.locator(".messages").inner_text()
    main = page.inner_text("main")
    assert "点赞案例（浏览器）" in main
    assert "点赞进行中" in main
    assert "异常监测" in main
    _no_english(s)
    s.shot("15-voting-window-1366", full_page=True)
    window_url = page.url

    page.fill("#v-reason", "同一地址短时间内大量点赞")
    page.fill("#v-address", "10.9.9.9")
    page.get_by_role("button", name="作废", exact=True).click()
    assert "没有符合条件的有效票" in page.locator(".messages").inner_text()
    assert "结束统计并计入结果" not in page.inner_text("main")  # not before the end
    s.shot("15-voting-void-1366")

    phone = sessions("dehua_committee", **PHONE)
    phone.page.goto(window_url)
    assert "实时票数" in phone.page.inner_text("main")
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    phone.shot("15-voting-window-390", full_page=True)
    phone.goto(f"/campaigns/{campaign}/voting")
    assert "实时票数与异常监测" in phone.page.inner_text("main")
    phone.shot("15-voting-list-390", full_page=True)
