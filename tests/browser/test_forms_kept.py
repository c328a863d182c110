"""Issue 18 in a real browser: a refused 转交 comes back with what was typed and the reason beside the
field; file fields show a Chinese 选择文件 button (never Chromium's "Choose File"), reached by the
keyboard, at 1366 px and on a 390 px phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_main_paths import new_collective_nomination

pytestmark = pytest.mark.slow

PASSWORD = "Transfer@2026x"


def _colleague_of_pudong(sessions: Any, username: str) -> str:
    """A second 浦东 district reviewer, made as the administrators do it: the system administrator
    opens the account, the security administrator grants the role. Its account page's path."""
    admin = sessions("sysadmin")
    admin.goto("/security/users/")
    admin.page.fill("#u-username", username)
    admin.page.fill("#u-name", "浦东新区民政局审核人（二）")
    admin.page.select_option("#u-org", label="浦东新区民政局")
    admin.page.fill("#u-password", PASSWORD)
    admin.page.get_by_role("button", name="新增").click()
    admin.page.wait_for_url(re.compile(r".*/security/users/\d+$"))
    account = admin.page.url.removeprefix(admin.base_url)
    security = sessions("security")
    security.goto(account)
    security.page.select_option("#g-role", value="district_reviewer")
    security.page.select_option("#g-org", label="浦东新区民政局")
    security.page.get_by_role("button", name="授予").click()
    assert "已授予角色" in security.page.locator(".messages").inner_text()
    return account


def test_a_refused_transfer_keeps_the_typed_reason_beside_the_field(sessions: Any) -> None:
    title = "转交被拒测试（浏览器）"
    unit = sessions("ljz_submitter")
    new_collective_nomination(unit, title)
    unit.page.get_by_role("button", name="提交申报").click()
    unit.page.wait_for_url(re.compile(r".*/nominations/\d+/$"))
    account = _colleague_of_pudong(sessions, "pd_reviewer_transfer")

    reviewer = sessions("pudong_reviewer")
    reviewer.goto("/tasks/")
    reviewer.page.get_by_role("link", name=title).first.click()
    page = reviewer.page
    colleague = page.locator("#to_user option", has_text="审核人（二）").get_attribute("value")
    assert colleague
    page.select_option("#to_user", value=colleague)
    reason = "本人出差一周，请同事代为办理"
    page.fill("#transfer-reason", reason)
    # Meanwhile the colleague's account is stopped: the transfer is refused.
    admin = sessions("sysadmin")
    admin.goto(account)
    admin.page.get_by_role("button", name="停用账户").click()
    assert "账户已停用" in admin.page.locator(".messages").inner_text()

    page.get_by_role("button", name="转交", exact=True).click()

    page.locator("#to-user-err").wait_for()
    assert "只能转交给本组织同一角色的其他人员" in page.inner_text("#to-user-err")
    assert page.input_value("#transfer-reason") == reason  # what was typed is still there
    assert page.get_attribute("#to_user", "aria-invalid") == "true"
    page.locator("#to-user-err").scroll_into_view_if_needed()
    page.screenshot(path=str(_shots() / "transfer-refused-kept.png"))


@pytest.mark.parametrize("width", [1366, 390])
def test_file_fields_have_a_chinese_button_reached_by_the_keyboard(sessions: Any, tmp_path: Path, width: int) -> None:
    unit = sessions("ljz_submitter", viewport={"width": width, "height": 900})
    page = unit.page
    new_collective_nomination(unit, f"选择文件按钮测试（{width}）")
    panel = page.locator("#upload-supporting_files")
    button = panel.locator("label.file-button")
    assert button.inner_text() == "选择文件"
    assert button.is_visible()
    native = panel.locator("input[type=file]")
    box = native.bounding_box()
    assert box is not None
    assert box["width"] <= 1, box  # Chromium's own "Choose File" is not shown
    assert box["height"] <= 1, box
    assert panel.locator("[data-file-chosen]").inner_text() == "未选择文件"

    # The keyboard reaches the field (Shift+Tab back from 上传) and shows where it is.
    panel.get_by_role("button", name="上传").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.type") == "file"
    assert button.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"

    picture = tmp_path / "窗口照片.png"
    Image.new("RGB", (60, 40), (30, 90, 160)).save(picture)
    native.set_input_files(str(picture))
    assert panel.locator("[data-file-chosen]").inner_text() == "窗口照片.png"
    panel.screenshot(path=str(_shots() / f"file-picker-{width}.png"))
    panel.get_by_role("button", name="上传").click()
    panel.get_by_role("link", name="窗口照片.png").wait_for()
    assert panel.locator("[data-file-chosen]").inner_text() == "未选择文件"  # ready for the next file


def _shots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
