"""Browser tests: Playwright driving Debian's Chromium against the product started as the README starts it.

One launcher (``python -m config.launcher run``, what ``python3 bin/sealflow run`` execs) runs on
a temporary data folder and a free port, with the embedded servers and the demo data; the tests
sign in as the demo accounts. ``SEALFLOW_BROWSER_URL=http://127.0.0.1:8123`` runs them against
an app that is already running instead (its demo data must be fresh).

Chromium: ``/usr/bin/chromium`` (Debian's package ``chromium``), installed by the test command's
setup step (``bin/install-chromium``), never from inside a test; without it the tests fail with
what to do. Playwright never downloads a browser here.

Every request any page makes is recorded; ``offsite_requests`` fails a test whose pages asked for
anything that is not on the server (an intranet has no internet).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.config.test_launcher import Run, clean_up, free_port, launch

CHROMIUM = "/usr/bin/chromium"
BASE_DIR = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = Path(os.environ.get("SEALFLOW_SCREENSHOTS", BASE_DIR / "docs" / "screenshots"))
PASSWORD = "Sealflow@2026"


def _chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"the browser tests need Debian's chromium at {CHROMIUM}: `python3 bin/sealflow test` installs it "
            "(bin/install-chromium, as root), or install it with `apt-get install chromium`"
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("SEALFLOW_BROWSER_URL")
    if given:
        yield given.rstrip("/")
        return
    data_dir = tmp_path_factory.mktemp("browser-data")
    run: Run = launch(data_dir, free_port(), data_dir.parent / "browser-run.log")
    try:
        run.wait_up()
        yield run.url
    finally:
        clean_up(data_dir, [run])


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


class Session:
    """One signed-in browser context, recording every request its pages make."""

    def __init__(self, browser: Any, base_url: str, **context_args: Any) -> None:
        self.base_url = base_url
        self.context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context_args)
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())  # the "确定提交吗？" confirmations
        self.page.set_default_timeout(15_000)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def login(self, username: str) -> Session:
        self.goto("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base_url + "/")
        return self

    def shot(self, name: str, *, full_page: bool = False) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.evaluate("window.scrollTo(0, 0)")
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    def offsite(self) -> list[str]:
        return [u for u in self.requests if not u.startswith((self.base_url + "/", "data:"))]

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="session")
def orm_beside_playwright(browser: Any) -> Iterator[Any]:
    """The browser, with the ORM allowed in this thread, for tests on Django's live server:
    Playwright's sync API keeps an event loop running here from now on, and Django would take every
    plain query for one from async code."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield browser
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def sessions(browser: Any, base_url: str) -> Iterator[Any]:
    """``sessions(username=None, **context_args)`` opens a context; at the end none may have gone off the server."""
    opened: list[Session] = []

    def open_session(username: str | None = None, **context_args: Any) -> Session:
        session = Session(browser, base_url, **context_args)
        opened.append(session)
        return session.login(username) if username else session

    yield open_session
    offsite = [u for s in opened for u in s.offsite()]
    for s in opened:
        s.close()
    assert offsite == [], f"pages requested something off the server: {offsite}"
