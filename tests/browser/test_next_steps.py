"""A next step for everyone (issue 18), in a real browser at 1366 px and on a 390 px phone: the
campaign administrator closes and reopens intake from the dashboard's status panel, the committee
reads why 公示 cannot start while intake is open, a reviewer's 已办 list (after deciding a new
Shanghai nomination at the district stage, which stays in review), 我的核查 and the
notification preferences. Screenshots go to ``SEALFLOW_SCREENSHOTS``.

It closes the Pingshan campaign and reopens it, leaving it as the demo made it; no other browser
test uses that campaign.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_main_paths import approve_from_inbox, new_collective_nomination

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PINGSHAN = "2023年坪山区社会组织参与基层社会治理案例征集"
SHANGHAI = "2024年上海市“一网通办”业务技能竞赛"
ENGLISH = re.compile(r"\b(?:None|True|False|error|Error|closed|open|reviewing)\b")


def _dashboard(s: Any, title: str) -> str:
    s.goto("/campaigns/")
    s.page.get_by_role("row").filter(has_text=title).get_by_role("link", name="活动看板").click()
    s.page.wait_for_url(re.compile(r".*/campaigns/\d+/dashboard$"))
    return s.page.url


def _no_english(s: Any) -> None:
    text = s.page.locator("main").inner_text()
    assert not ENGLISH.search(text), ENGLISH.search(text)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_campaign_admin_closes_and_reopens_intake_on_the_dashboard(sessions: Any, size: str) -> None:
    s = sessions("pingshan_admin", **(DESKTOP if size == "desktop" else PHONE))
    url = _dashboard(s, PINGSHAN)
    panel = s.page.locator("#status-panel")
    assert "截止征集后，各单位不能再新建或首次提交申报" in panel.inner_text()
    assert s.page.get_by_role("button", name="重新开放征集").is_disabled()
    assert "只有“征集结束”的活动可以重新开放征集" in panel.inner_text()
    s.shot(f"18-dashboard-status-open-{size}", full_page=True)

    s.page.get_by_role("button", name="截止征集").click()  # the confirmation is accepted
    s.page.wait_for_url(url)
    assert "已截止征集" in s.page.locator(".messages").inner_text()
    assert re.search(r"已于 \d{4}年\d+月\d+日.* 截止征集（原定申报截止 \d{4}年", s.page.locator("main").inner_text())
    assert s.page.get_by_role("button", name="截止征集").is_disabled()
    _no_english(s)
    s.shot(f"18-dashboard-status-closed-{size}", full_page=True)

    s.page.get_by_role("button", name="重新开放征集").click()
    s.page.wait_for_url(url)
    assert "已重新开放征集" in s.page.locator(".messages").inner_text()
    assert s.page.get_by_role("button", name="重新开放征集").is_disabled()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_committee_is_told_why_publicity_waits_and_everyone_finds_the_new_lists(sessions: Any, size: str) -> None:
    view = DESKTOP if size == "desktop" else PHONE
    committee = sessions("committee", **view)
    _dashboard(committee, SHANGHAI)
    text = committee.page.locator("main").inner_text()
    assert "活动仍在征集中，不能开始公示：须先截止征集。" in text
    assert committee.page.locator("#status-panel form").count() == 0
    committee.shot(f"18-dashboard-committee-{size}", full_page=True)

    title = f"已办列表测试申报（{'电脑' if size == 'desktop' else '手机'}）"
    unit = sessions("ljz_submitter")
    new_collective_nomination(unit, title)
    unit.page.get_by_role("button", name="提交申报").click()
    unit.page.wait_for_url(re.compile(r".*/nominations/\d+/$"))
    reviewer = sessions("pudong_reviewer", **view)
    approve_from_inbox(reviewer, title, "同意推荐")
    reviewer.page.get_by_role("link", name="已办", exact=True).click()
    reviewer.page.wait_for_url(re.compile(r".*/tasks/done/$"))
    assert reviewer.page.get_by_role("heading", name="已办审批").is_visible()
    first = reviewer.page.locator(".done-list > li").first
    assert title in first.inner_text()
    assert "同意推荐" in first.inner_text()
    _no_english(reviewer)
    reviewer.shot(f"18-done-{size}", full_page=True)

    reviewer.goto("/objections/mine/")
    assert "目前没有指定您核查的异议" in reviewer.page.locator("main").inner_text()
    reviewer.shot(f"18-investigations-{size}", full_page=True)

    reviewer.goto("/notifications/")
    reviewer.page.get_by_role("link", name="通知设置（邮件、短信）").click()
    reviewer.page.wait_for_url(re.compile(r".*/notifications/preferences$"))
    reviewer.page.get_by_label("短信通知").check()
    with reviewer.page.expect_navigation():
        reviewer.page.get_by_role("button", name="保存").click()
    assert "通知设置已保存" in reviewer.page.locator(".messages").inner_text()
    assert reviewer.page.get_by_label("短信通知").is_checked()
    _no_english(reviewer)
    reviewer.shot(f"18-preferences-{size}", full_page=True)
