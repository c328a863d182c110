"""The entrant list with 顺延 [002] in a real browser: a listed centre declines its place with a
reason and the reserve moves up; the committee reads who declined and why, at 1366 and 390 px.

Runs before test_publicity_path.py (file order). It declines 南京东路's place (rank 3 of the demo
list), which no other browser test uses; 陆家嘴 (rank 1), the units of the other tests, keeps its.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_main_paths import CAMPAIGN

pytestmark = pytest.mark.slow

REASON = "本中心今年承担区级试点任务，自愿放弃参赛名额"


def _standing(row: Any) -> str:
    return str(row.locator("td").nth(2).inner_text()).strip()


def _entrants_of_new_nomination(s: Any) -> None:
    page = s.page
    s.goto("/campaigns/")
    page.get_by_role("row").filter(has_text=CAMPAIGN).get_by_role("link", name="申报").click()
    note = page.locator("#entrant-note")
    assert "只接受参赛名单上持有参赛名额的单位申报" in note.inner_text()
    note.get_by_role("link", name="查看参赛名单与本单位的名额").click()
    page.get_by_role("heading", name="参赛名单", exact=True).wait_for()


def test_a_centre_declines_its_place_and_the_reserve_moves_up(sessions: Any) -> None:
    unit = sessions("njd_submitter", viewport={"width": 1366, "height": 900})
    page = unit.page
    _entrants_of_new_nomination(unit)
    own = page.locator("tr").filter(has_text="南京东路街道社区事务受理服务中心")
    assert _standing(own) == "参赛名额"
    assert "本单位" in own.inner_text()
    assert _standing(page.locator("tr").filter(has_text="花木社区事务受理服务中心")) == "候补"
    # only its own row may be declined by the unit
    assert page.get_by_text("放弃参赛名额", exact=True).count() == 1
    unit.shot("entrants-unit-1366", full_page=True)

    own.get_by_text("放弃参赛名额", exact=True).click()
    own.locator("textarea").fill(REASON)
    own.get_by_role("button", name="确认放弃").click()
    page.locator(".messages").filter(has_text="放弃参赛名额").wait_for()

    own = page.locator("tr").filter(has_text="南京东路街道社区事务受理服务中心")
    assert _standing(own) == "已放弃"
    assert _standing(page.locator("tr").filter(has_text="花木社区事务受理服务中心")) == "参赛名额"
    # the unit does not read who declined and why; the next step is its nominations
    assert REASON not in page.content()
    assert page.get_by_role("link", name="查看我的申报").is_visible()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_committee_reads_places_reserves_and_declines(sessions: Any, width: int) -> None:
    committee = sessions("committee", viewport={"width": width, "height": 900})
    page = committee.page
    committee.goto("/campaigns/")
    page.get_by_role("row").filter(has_text=CAMPAIGN).get_by_role("link", name="活动看板").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    page.get_by_role("link", name="查看参赛名单").click()
    page.get_by_role("heading", name="参赛名单", exact=True).wait_for()

    declined = page.locator("tr").filter(has_text="南京东路街道社区事务受理服务中心")
    assert _standing(declined) == "已放弃"
    # who declined (the demo unit's submitter), when (as officials write dates) and why
    assert re.search(r"办理，\d{4}年\d{1,2}月\d{1,2}日.*：" + REASON, declined.locator("td").nth(3).inner_text())
    assert _standing(page.locator("tr").filter(has_text="花木社区事务受理服务中心")) == "参赛名额"
    assert "参赛名额 3 个：持有 3 个，候补 0 个，已放弃 1 个。" in page.content()
    assert page.get_by_role("link", name="返回活动看板").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    committee.shot(f"entrants-committee-{width}", full_page=True)
