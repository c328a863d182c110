"""Who may do what is decided in ``accounts/`` only: no module outside it names members of ``Role``
(a role list or a role check), apart from the short list below, each with its reason."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("approvals", "audit", "workflows", "notifications", "portal", "config", "templates")
ROLE_MEMBER = re.compile(r"\bRole\.[A-Z][A-Z_]+\b")

# file → why it may name roles (none of them decides a permission)
ALLOWED = {
    "workflows/demo.py": "demo data: the stages of the demonstration campaigns",
    "workflows/specs.py": "workflow specification: which organisation signs for a stage's role",
    "notifications/events.py": "recipients: who is told of an event, not who may act",
    "portal/campaign_setup.py": "campaign data: the starter stage a new campaign's chain begins with",
    "portal/setup_editors.py": "campaign data: the role a stage editor row writes into the chain",
}


def _sources() -> list[Path]:
    files: list[Path] = []
    for app in APPS:
        base = ROOT / app
        if base.exists():
            files += [p for p in base.rglob("*") if p.suffix in {".py", ".html"} and "migrations" not in p.parts]
    return files


def test_no_role_members_outside_accounts() -> None:
    offenders = {
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _sources()
        if str(path.relative_to(ROOT)) not in ALLOWED
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROLE_MEMBER.search(line)
    }
    assert not offenders, "ask a capability of accounts.permissions instead:\n" + "\n".join(sorted(offenders))


def test_the_allow_list_is_still_needed() -> None:
    for name in ALLOWED:
        assert ROLE_MEMBER.search((ROOT / name).read_text(encoding="utf-8")), f"{name} no longer names roles"
