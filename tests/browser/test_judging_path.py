"""Judging in a real browser on the Shanghai campaign [002]: the committee imports the first round's
scores from Excel and closes it, sets up the panel of the collective presentation; the demo judge
scores with the keyboard only (live total, autosave, submit with confirmation); the committee closes
the round and sees the ranking. At 1366 px and on a 390 px phone.

Runs first of the browser files (file order): it approves its own collective nomination.
"""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest

from tests.browser.test_main_paths import CAMPAIGN, approve_from_inbox, new_collective_nomination

pytestmark = pytest.mark.slow

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _no_overflow(s: Any) -> None:
    width = s.page.evaluate("document.documentElement.scrollWidth")
    assert width <= s.page.viewport_size["width"] + 1, f"page wider than the screen: {width}px"


def _open_round(s: Any, name: str) -> None:
    s.goto("/campaigns/")
    s.page.get_by_role("row").filter(has_text=CAMPAIGN).get_by_role("link", name="活动看板").click()
    s.page.get_by_role("link", name="评审", exact=True).click()
    s.page.wait_for_url(re.compile(r".*/campaigns/\d+/judging/$"))
    s.page.get_by_role("row").filter(has_text=name).get_by_role("link").click()
    s.page.wait_for_url(re.compile(r".*/judging/[a-z_]+/$"))


def _scores_workbook(ids: list[str]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append(["申报编号", "分数"])
    for i, pk in enumerate(ids):
        sheet.append([int(pk), 80 + i])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_judge_scores_with_the_keyboard_and_the_committee_closes_the_round(sessions: Any) -> None:
    title = "评审路径测试集体申报（浏览器）"
    unit = sessions("ljz_submitter")
    new_collective_nomination(unit, title)
    unit.page.get_by_role("button", name="提交申报").click()
    unit.page.wait_for_url(re.compile(r".*/nominations/\d+/$"))
    for username in ("pudong_reviewer", "city_reviewer", "committee"):
        approve_from_inbox(sessions(username), title, "同意")

    committee = sessions("committee", **DESKTOP)
    _open_round(committee, "日常服务数据")
    page = committee.page
    page.get_by_text("本轮参评申报的编号").click()
    ids = page.locator("table.import-entries tbody tr td:first-child").all_inner_texts()
    assert ids
    page.set_input_files(
        "#import-file",
        files=[{"name": "成绩.xlsx", "mimeType": "application/octet-stream", "buffer": _scores_workbook(ids)}],
    )
    page.get_by_role("button", name="上传并导入").click()
    assert f"已导入 {len(ids)} 条成绩" in page.locator(".messages").inner_text()
    page.get_by_role("button", name="结束评审并计算排名").click()
    assert "本轮评审已结束" in page.locator(".messages").inner_text()

    _open_round(committee, "集体展示")
    page.get_by_role("checkbox", name=re.compile("政务服务")).check()
    committee.shot("judging-01-panel-setup")
    page.get_by_role("button", name="组建并通知专家").click()
    assert "已组建评审专家组" in page.locator(".messages").inner_text()
    round_url = page.url
    page.get_by_role("button", name="结束评审并计算排名").click()
    assert "仍有评审任务未提交评分" in page.locator(".messages").inner_text()  # the 409, said plainly
    page.get_by_role("button", name="催评").click()
    assert "已提醒 1 位" in page.locator(".messages").inner_text()
    committee.shot("judging-02-round-progress", full_page=True)
    _no_overflow(committee)

    phone_judge = sessions("judge", **PHONE)
    phone_judge.goto("/judging/")
    phone_judge.page.get_by_role("link", name="继续评分").first.click()
    phone_judge.page.wait_for_url(re.compile(r".*/judging/assignments/\d+/$"))
    phone_judge.shot("judging-03-sheet-phone", full_page=True)
    _no_overflow(phone_judge)

    judge = sessions("judge", **DESKTOP)
    judge.page.get_by_role("link", name="评审任务", exact=True).click()
    judge.page.get_by_role("link", name="继续评分").first.click()
    scored = 0
    while judge.page.locator("input[data-criterion]").count():
        p = judge.page
        p.locator("input[data-criterion]").first.focus()
        with p.expect_response(lambda r: r.url.endswith("/autosave") and r.request.method == "POST") as saved:
            p.keyboard.type(str(90 - scored))
            assert p.locator("[data-total]").inner_text() == str(90 - scored)  # live total
            p.keyboard.press("Tab")
            p.keyboard.type("表达清楚，材料翔实")
        assert saved.value.ok, saved.value.text()
        p.locator("[data-autosave-status]").filter(has_text=re.compile(r"已暂存 \d\d:\d\d")).wait_for()
        if not scored:
            judge.shot("judging-04-sheet-desktop")
            _no_overflow(judge)
        p.keyboard.press("Tab")  # 暂存
        p.keyboard.press("Tab")  # 提交评分
        assert p.evaluate("document.activeElement.textContent.trim()") == "提交评分"
        with p.expect_navigation():
            p.keyboard.press("Enter")  # the confirmation is accepted by the session
        assert "已提交评分" in p.locator(".messages").inner_text()
        scored += 1
    assert scored >= 1
    assert "已提交" in judge.page.inner_text("main")
    judge.shot("judging-05-my-tasks")

    committee.page.goto(round_url)
    committee.page.get_by_role("button", name="结束评审并计算排名").click()
    assert "本轮评审已结束" in committee.page.locator(".messages").inner_text()
    assert title in committee.page.locator("section[aria-labelledby=results-h] table").inner_text()
    committee.shot("judging-06-results", full_page=True)

    phone_committee = sessions("committee", **PHONE)
    phone_committee.goto(round_url.removeprefix(phone_committee.base_url))
    assert "评审结果" in phone_committee.page.inner_text("main")
    phone_committee.shot("judging-07-results-phone", full_page=True)
    _no_overflow(phone_committee)
