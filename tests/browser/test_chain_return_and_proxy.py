"""退回到指定环节 and 代签 in a real browser (issue 17), at 1366 px and on a 390 px phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_main_paths import approve_from_inbox, new_collective_nomination

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def test_the_city_returns_to_the_district_which_signs_again(sessions: Any) -> None:
    title = "退回到区环节测试（浏览器）"
    unit = sessions("ljz_submitter")
    new_collective_nomination(unit, title)
    unit.page.get_by_role("button", name="提交申报").click()
    unit.page.wait_for_url(re.compile(r".*/nominations/\d+/$"))
    approve_from_inbox(sessions("pudong_reviewer"), title, "同意推荐")

    for name, args in (("desktop", DESKTOP), ("phone", PHONE)):
        city = sessions("city_reviewer", **args)
        city.goto("/tasks/")
        city.page.get_by_role("link", name=title).first.click()
        options = city.page.locator("#to_stage option").all_inner_texts()
        assert options[0] == "申报单位（修改后重新提交）"
        assert len(options) >= 2
        city.page.locator("#decide-h").scroll_into_view_if_needed()
        city.page.screenshot(path=str(_shots() / f"chain17-return-select-{name}.png"))
    city.page.fill("#opinion", "请区民政局核实窗口服务数据")
    city.page.select_option("#to_stage", index=1)
    city.page.get_by_role("button", name="退回修改").click()
    city.page.wait_for_url(re.compile(r".*/tasks/$"))
    assert "已办理" in city.page.locator(".messages").inner_text()

    district = sessions("pudong_reviewer")
    district.goto("/tasks/")
    district.page.get_by_role("link", name=title).first.click()
    timeline = district.page.inner_text(".timeline")
    assert re.search(r"退回至“[^”]+”", timeline)
    assert "请区民政局核实窗口服务数据" in timeline
    district.shot("chain17-returned-to-district", full_page=True)
    district.page.fill("#opinion", "已核实，同意推荐")
    district.page.get_by_role("button", name="同意", exact=True).click()
    district.page.wait_for_url(re.compile(r".*/tasks/$"))
    approve_from_inbox(sessions("city_reviewer"), title, "同意")


def test_the_delegation_page_on_desktop_and_phone(sessions: Any) -> None:
    for name, args in (("desktop", DESKTOP), ("phone", PHONE)):
        reviewer = sessions("pudong_reviewer", **args)
        reviewer.goto("/delegations/")
        main = reviewer.page.inner_text("main")
        assert "设置代签" in main
        assert "请联系安全管理员" in main or reviewer.page.locator("#delegate option").count() >= 1
        assert "尚未委托代签" in main or "我委托的代签" in main
        reviewer.shot(f"chain17-delegations-{name}", full_page=True)


def _shots() -> Any:
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
