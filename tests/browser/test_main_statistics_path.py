"""The committee's statistics in a real browser, at 1366 px and on a 390 px phone: from the dashboard
to the statistics page, its SVG charts and tables, the Excel export.

Runs after test_main_paths.py and before test_publicity_path.py (file order), while the Shanghai
campaign [002] is still open: two more units submit first, so the charts have several districts
and townships. Screenshots: ``SEALFLOW_SCREENSHOTS`` (default docs/screenshots/).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.browser.test_main_paths import CAMPAIGN, new_collective_nomination

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def _no_english(text: str) -> None:
    words = set(re.findall(r"[A-Za-z]{3,}", text)) - {"PDF", "ZIP", "Excel"}
    assert not words, f"English on the page: {words}"


def _fits(s: Any) -> None:
    """Nothing but a table's own scroller is wider than the screen."""
    overflow = s.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the screen"


def test_statistics_from_the_dashboard_on_a_desktop_and_a_phone(sessions: Any) -> None:
    for username, title in (
        ("hm_submitter", "花木中心集体申报（统计）"),
        ("njd_submitter", "南京东路中心集体申报（统计）"),
    ):
        unit = sessions(username)
        # The open group: 受理中心组 takes only the entrant list's places (南京东路 declines its own in
        # test_entrant_list.py), 区运管团队组 any unit.
        new_collective_nomination(unit, title, group="区运管团队组")
        unit.page.get_by_role("button", name="提交申报").click()
        unit.page.wait_for_url(re.compile(r".*/nominations/\d+/$"))

    committee = sessions("committee", **DESKTOP)
    committee.goto("/campaigns/")
    committee.page.get_by_role("row").filter(has_text=CAMPAIGN).get_by_role("link", name="活动看板").click()
    committee.page.wait_for_url(re.compile(r".*/campaigns/\d+/dashboard$"))
    assert committee.page.get_by_role("link", name="下载全部证书（ZIP，每个奖项一个 PDF）").count() == 1
    committee.page.get_by_role("link", name="统计", exact=True).click()
    committee.page.wait_for_url(re.compile(r".*/campaigns/\d+/statistics$"))
    path = committee.page.url.removeprefix(committee.base_url)

    page = committee.page
    assert page.locator("h1").inner_text().startswith("统计")
    assert page.locator("svg[role=img]").count() == 6
    district_chart = page.locator("svg[role=img]").first
    assert district_chart.locator("title").text_content() == "各区县申报数"
    labels = district_chart.locator("text.chart-label").all_text_contents()
    assert {"浦东新区民政局", "黄浦区民政局"} <= set(labels)
    towns = page.locator("section[aria-labelledby=s-township] tbody th").all_inner_texts()
    assert {"花木街道", "南京东路街道"} <= set(towns)
    main = page.inner_text("main")
    _no_english(main)
    assert "还没有已确认的奖项" in main  # the next step, before the awards are confirmed
    _fits(committee)
    committee.shot("20-statistics-desktop")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith("统计.xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(workbook["按区县统计"].iter_rows(min_row=3, values_only=True))
    shown = [
        tuple(r.locator("th, td").all_inner_texts())
        for r in page.locator("section[aria-labelledby=s-district] tbody tr").all()
    ]
    assert [(name, str(n), str(a)) for name, n, a in rows] == shown

    phone = sessions("committee", **PHONE)
    phone.goto(path)
    assert phone.page.locator("svg[role=img]").count() == 6
    _fits(phone)
    first_bar = phone.page.locator("svg[role=img] rect.chart-bar").first.bounding_box()
    assert first_bar is not None
    assert first_bar["x"] + first_bar["width"] <= 390
    phone.shot("21-statistics-phone")
