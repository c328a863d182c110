"""The roadshow of seed 000 in a real browser: the committee commits, enters the representatives'
values, draws and publishes; the public draw page and the big-screen scoreboard at 1366, 1920 and
a phone's 390. The entries, the panel and the judge's sheets are made through the API first.

Screenshots go to SEALFLOW_SCREENSHOTS (docs/screenshots by default), named 40-… .
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import PASSWORD
from workflows.seed_forms import SEED_SAMPLES

pytestmark = pytest.mark.slow

DEHUA = "德化首届民政领域微服务案例评选比赛"
ROUND = "roadshow"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
BIG_SCREEN = {"viewport": {"width": 1920, "height": 1080}}
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


class Api:
    """One demo account's token requests through a browser context."""

    def __init__(self, s: Any, username: str) -> None:
        self.s = s
        response = s.context.request.post(
            s.base_url + "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert response.ok, response.text()
        self.headers = {"Authorization": f"Token {response.json()['token']}"}

    def get(self, path: str) -> Any:
        response = self.s.context.request.get(self.s.base_url + path, headers=self.headers)
        assert response.ok, f"{path}: {response.text()}"
        return response.json()

    def post(self, path: str, data: Any = None) -> Any:
        response = self.s.context.request.post(self.s.base_url + path, headers=self.headers, data=data)
        assert response.ok, f"{path}: {response.text()}"
        return response.json()


def _set_up_round(s: Any) -> tuple[int, list[str]]:
    """Three approved entries of [000] and dehua_judge's submitted sheets; (campaign id, titles)."""
    submitter, committee, judge = Api(s, "dehua_submitter"), Api(s, "dehua_committee"), Api(s, "dehua_judge")
    campaigns = committee.get("/api/v1/campaigns")["results"]
    campaign = next(c["id"] for c in campaigns if c["title"] == DEHUA)
    unit = submitter.get("/api/v1/me")["org"]
    titles = [f"路演案例{n}（浏览器）" for n in ("一", "二", "三")]
    # Within the seed's "carried out in the last 3 years", whatever today is.
    form = {
        **SEED_SAMPLES["000"]["case"],
        "carried_out_on": (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=200)).date().isoformat(),
    }
    for title in titles:
        created = submitter.post(
            "/api/v1/nominations",
            {"campaign": campaign, "unit": unit, "kind": "case", "title": title, "form": form},
        )
        submitter.post(f"/api/v1/nominations/{created['id']}/submit")
    for task in committee.get("/api/v1/tasks")["results"]:
        committee.post(f"/api/v1/tasks/{task['id']}/approve", {"opinion": "同意"})
    judge_id = judge.get("/api/v1/me")["id"]
    committee.post(f"/api/v1/campaigns/{campaign}/rounds/{ROUND}/panel", {"judges": [judge_id]})
    sheet = {"process": 18, "method": 12, "effect": 25, "social": 12, "sustainability": 8, "presentation": 9}
    for n, assignment in enumerate(judge.get("/api/v1/judging/assignments")["results"]):
        scores = {**sheet, "effect": 20 + n}
        judge.post(f"/api/v1/judging/assignments/{assignment['id']}/submit", {"scores": scores})
    return campaign, titles


def _no_english(s: Any) -> None:
    text = s.page.inner_text("body")
    assert LATIN_WORD.findall(text) == [], text


def _fits(s: Any) -> None:
    """Nothing wider than the viewport (no horizontal scrolling)."""
    overflow = s.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def test_committee_draws_and_publishes_then_the_scoreboard_shows_it(sessions: Any) -> None:
    committee = sessions("dehua_committee", **LAPTOP)
    campaign, titles = _set_up_round(committee)
    page = committee.page
    committee.goto(f"/campaigns/{campaign}/rounds/{ROUND}/live")
    assert "生成并公布承诺值" in page.inner_text("main")
    page.get_by_role("button", name="生成并公布承诺值").click()
    assert "已生成并公布抽签承诺值" in page.locator(".messages").inner_text()
    commitment = page.locator("#commitment").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", commitment)

    page.get_by_role("link", name="抽签公开页").click()
    assert "尚未抽签" in page.inner_text("main")
    draw_url = page.url
    page.go_back()

    page.fill("#contributions", "8\n王五\n2026")
    page.get_by_role("button", name="抽签", exact=True).click()
    assert "抽签完成，共 3 个出场" in page.locator(".messages").inner_text()
    committee.shot("40-live-committee-drawn", full_page=True)
    page.get_by_role("button", name="公布至第 3 个出场").click()
    assert "已公布前 3 个出场的成绩" in page.locator(".messages").inner_text()
    _fits(committee)

    public = sessions(None, **PHONE)
    public.page.goto(draw_url)
    main = public.page.inner_text("main")
    assert commitment in main
    assert "王五" in main
    assert "docs/verify_draw.py" in main
    order = [public.page.locator("#order tbody tr").nth(i).locator("td").nth(2).inner_text() for i in range(3)]
    assert sorted(order) == sorted(titles)
    _fits(public)
    public.shot("41-live-draw-phone", full_page=True)

    for name, size in (("42-live-scoreboard-1366", LAPTOP), ("43-live-scoreboard-1920", BIG_SCREEN),
                       ("44-live-scoreboard-phone", PHONE)):  # fmt: skip
        screen = sessions(None, **size)
        screen.goto(f"/live/{campaign}/{ROUND}")
        rows = screen.page.locator("#scores tbody tr")
        assert rows.count() == 3
        assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)] == order
        assert screen.page.locator('meta[http-equiv="refresh"]').count() == 1
        _no_english(screen)
        _fits(screen)
        screen.shot(name)
