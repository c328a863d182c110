"""修改完善 in a real browser (issue 17), at 1366 px and on a 390 px phone: the committee opens a
revision window for a chosen nomination, the unit submits a revised version, and a reviewer reads
the versions with the changed field marked. The sealed original still verifies.

Runs before test_publicity_path.py (file order): that closes the Shanghai campaign [002], which
the submission here needs open. 花木 submits, in the open 区运管团队组: 陆家嘴's three nominations
(the campaign's per-unit limit) belong to the other paths.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_main_paths import CAMPAIGN, approve_from_inbox, new_collective_nomination

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
SHANGHAI = ZoneInfo("Asia/Shanghai")
ADDED = "（经专家辅导补充：服务群众满意率98%）"


def _fits(s: Any) -> None:
    width = s.page.evaluate("window.innerWidth")
    assert s.page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_committee_opens_a_window_the_unit_revises_and_the_difference_shows(sessions: Any) -> None:
    # Unique per run: a second run against the same running app finds its own nomination.
    title = f"修改完善测试集体申报（浏览器{datetime.now(SHANGHAI):%H%M%S}）"
    unit = sessions("hm_submitter")
    new_collective_nomination(unit, title, group="区运管团队组")
    unit.page.get_by_role("button", name="提交申报").click()
    unit.page.wait_for_url(re.compile(r".*/nominations/\d+/$"))
    nomination_url = unit.page.url
    for username in ("pudong_reviewer", "city_reviewer", "committee"):
        approve_from_inbox(sessions(username), title, "同意")

    committee = sessions("committee", **DESKTOP)
    committee.goto("/campaigns/")
    committee.page.get_by_role("row").filter(has_text=CAMPAIGN).get_by_role("link", name="活动看板").click()
    committee.page.get_by_role("link", name="修改完善期").click()
    committee.page.wait_for_url(re.compile(r".*/revision-windows/$"))
    committee.page.get_by_label(re.compile(re.escape(title))).check()
    ends = (datetime.now(SHANGHAI) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    committee.page.fill("#rw-end", ends)
    committee.page.fill("#rw-note", "请按专家辅导意见补充服务成效")
    committee.page.get_by_role("button", name="开放修改完善期").click()
    committee.page.wait_for_url(re.compile(r".*/revision-windows/$"))
    assert "已开放修改完善期" in committee.page.locator(".messages").inner_text()
    assert title in committee.page.inner_text(".revision-window")
    _fits(committee)
    committee.shot("revision17-windows-desktop", full_page=True)

    for name, args in (("desktop", DESKTOP), ("phone", PHONE)):
        submitter = sessions("hm_submitter", **args)
        submitter.page.goto(nomination_url)
        assert "修改完善期至" in submitter.page.inner_text("#revision")
        submitter.page.get_by_role("link", name="提交修改稿").click()
        submitter.page.wait_for_url(re.compile(r".*/revise$"))
        _fits(submitter)
        submitter.shot(f"revision17-revise-{name}", full_page=True)
    field = submitter.page.locator("#revision-form textarea").first
    field.fill(field.input_value() + ADDED)
    submitter.page.get_by_role("button", name="提交修改稿").click()
    submitter.page.wait_for_url(re.compile(r".*/versions/$"))
    assert "已提交第2版修改稿" in submitter.page.locator(".messages").inner_text()

    for name, args in (("desktop", DESKTOP), ("phone", PHONE)):
        reviewer = sessions("pudong_reviewer", **args)
        reviewer.page.goto(nomination_url + "versions/")
        main = reviewer.page.inner_text("main")
        assert "逐项对比：第1版 → 第2版" in main
        assert "第1版（原申报表，审批盖章）" in main
        changed = reviewer.page.locator(".revision-diff tr.changed")
        assert changed.count() == 1
        assert ADDED in changed.inner_text()
        _fits(reviewer)
        reviewer.shot(f"revision17-versions-{name}", full_page=True)

    # the original's seals and the revision's addendum seal verify on the nomination page
    reviewer.page.goto(nomination_url)
    assert "印章校验通过" in reviewer.page.inner_text("#seal-badge")
    assert "当前为第2版（修改稿）" in reviewer.page.inner_text("#revision")
