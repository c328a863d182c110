"""Uploads as a submitter meets them with the page's script on: a refusal and a success are shown
next to the field, and an upload never reloads the page (a reload of the page that answered a
failed submit would post that form again and put back what the user had since corrected)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_main_paths import new_collective_nomination

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("width", [1366, 390])
def test_upload_answers_beside_the_field_and_never_replays_the_form(sessions: Any, tmp_path: Path, width: int) -> None:
    unit = sessions("ljz_submitter", viewport={"width": width, "height": 900})
    page = unit.page
    title = f"上传测试集体申报（{width}）"
    edit_url = new_collective_nomination(unit, title)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    # A fake picture: refused, and the reason is next to the field.
    fake = tmp_path / "假图片.jpg"
    fake.write_bytes(b"this is not a picture at all")
    panel = page.locator("#upload-supporting_files")
    panel.locator("input[type=file]").set_input_files(str(fake))
    panel.get_by_role("button", name="上传").click()
    status = panel.locator("[data-upload-status].error")
    status.wait_for()
    assert "文件" in status.inner_text()
    assert page.url == edit_url
    assert panel.locator("[data-attachments] li").count() == 0

    # A failed submit: the title emptied. The page that answers is the answer to a POST.
    page.fill("#f-title", "")
    page.get_by_role("button", name="提交申报").click()
    page.locator(".messages .error, .message.error").first.wait_for()
    page.fill("#f-title", title + "（已改正）")
    edits_before = sum(1 for u in posts if u.endswith("/edit"))

    # Now a real picture: listed at once with the message, and nothing else was posted again.
    picture = tmp_path / "窗口照片.png"
    Image.new("RGB", (60, 40), (30, 90, 160)).save(picture)
    panel = page.locator("#upload-supporting_files")
    panel.locator("input[type=file]").set_input_files(str(picture))
    panel.get_by_role("button", name="上传").click()
    panel.get_by_role("link", name="窗口照片.png").wait_for()
    ok = panel.locator("[data-upload-status]")
    assert "已上传“窗口照片.png”" in ok.inner_text()
    assert "error" not in (ok.get_attribute("class") or "")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    panel.screenshot(path=str(SCREENSHOTS / f"upload-beside-field-{width}.png"))
    assert page.input_value("#f-title") == title + "（已改正）"
    assert sum(1 for u in posts if u.endswith("/edit")) == edits_before
    assert any(u.endswith("/attachments") for u in posts)
