"""The test command's steps: Chromium is set up before the tests only when browser tests are selected."""

from __future__ import annotations

import pytest

from config import launcher
from config.launcher import selects_browser_tests


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], True),
        (["-x", "-q"], True),
        (["tests"], True),
        (["tests/browser"], True),
        (["tests/browser/test_main_paths.py::test_submit"], True),
        (["-k", "login", "tests/"], True),
        (["tests/approvals"], False),
        (["-m", "slow", "tests/notifications", "tests/audit/test_anchor_task.py"], False),
        (["--ignore=tests/browser"], False),
        (["--ignore", "tests/browser"], False),
        (["-k", "tests/browser"], True),  # -k takes an expression, not a path: the whole suite runs
    ],
)
def test_browser_tests_selected(args: list[str], expected: bool) -> None:
    assert selects_browser_tests(args) is expected


def test_chromium_step_comes_before_pytest_only_when_needed() -> None:
    names = [step.name for step in launcher.test_steps([])]
    assert names.index("chromium") < names.index("pytest")
    assert "chromium" not in [step.name for step in launcher.test_steps(["tests/approvals"])]
