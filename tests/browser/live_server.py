"""Pages on Django's live server (the test database) for the browser tests that make their own data
(the case book, the awards pages), instead of the launched demo app that the others share."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from tests.browser.conftest import SCREENSHOTS


def page_for(
    browser: Any, live_server: Any, session: str, width: int, height: int, *, accept_dialogs: bool = False
) -> Any:
    """A page signed in with ``session`` at ``width`` × ``height``; ``accept_dialogs`` answers 确定
    to the pages' 确定…？ confirmations."""
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
    )
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    if accept_dialogs:
        page.on("dialog", lambda dialog: dialog.accept())
    page.set_default_timeout(20_000)
    return page


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
