"""The auditor reads events in Chinese: every content key an action writes has a label, objects
are named by their model, values are readable (no Python dicts, no English keys)."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from audit.labels import FIELD_LABELS, object_label, readable_data, readable_text

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "accounts",
    "approvals",
    "audit",
    "awards",
    "config",
    "judging",
    "notifications",
    "portal",
    "voting",
    "workflows",
)
WRITERS = {"record_event", "record_events"}


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _keys_of(node: ast.AST) -> set[str]:
    return {
        key.value
        for sub in ast.walk(node)
        if isinstance(sub, ast.Dict)
        for key in sub.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def written_keys() -> dict[str, str]:
    """Content keys of every audit write: dict literals inside a record_event(s) call, and those
    bound to a name that such a call (or the events list it is given) uses, in the same function."""
    found: dict[str, str] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
                calls = [c for c in ast.walk(func) if isinstance(c, ast.Call) and _called_name(c) in WRITERS]
                if not calls:
                    continue
                used = {n.id for c in calls for n in ast.walk(c) if isinstance(n, ast.Name)}
                nodes: list[ast.AST] = list(calls)
                for stmt in ast.walk(func):
                    if isinstance(stmt, ast.Assign | ast.AnnAssign):
                        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                        if any(isinstance(t, ast.Name) and t.id in used for t in targets) and stmt.value:
                            nodes.append(stmt.value)
                    elif isinstance(stmt, ast.Call) and isinstance(stmt.func, ast.Attribute):
                        owner = stmt.func.value
                        if stmt.func.attr in ("append", "extend") and isinstance(owner, ast.Name) and owner.id in used:
                            nodes.append(stmt)
                for node in nodes:
                    for key in _keys_of(node):
                        found.setdefault(key, f"{path.relative_to(ROOT)}:{func.name}")
    return found


def test_every_key_an_action_writes_has_a_chinese_label():
    keys = written_keys()
    assert len(keys) > 60, "the scan found the actions' content keys"
    missing = {key: where for key, where in keys.items() if key not in FIELD_LABELS}
    assert not missing, f"add these to audit/labels.py FIELD_LABELS: {missing}"


@pytest.mark.django_db
def test_objects_are_named_by_their_model_and_values_are_readable():
    assert object_label("approvals.nomination", "12") == "申报 12"
    assert object_label("audit.trail", "all") == "审计记录 all"
    assert object_label("no.such", "1") == "no.such 1"  # an old type stays readable as stored
    pairs = readable_data({"reason": "材料不全", "stage": "district", "revoked": True, "on": date(2026, 12, 2),
                           "recover": {"prize_money": 2000}, "units": [1, 2]},
                          stages={"district": "区民政局意见"})  # fmt: skip
    assert pairs == [
        ("原因", "材料不全"),
        ("环节", "区民政局意见"),
        ("已撤销", "是"),
        ("on", "2026-12-02"),
        ("追回", "奖金：2000"),
        ("单位", "1、2"),
    ]
    assert readable_text({"reason": "x", "days": 7}) == "原因：x；天数：7"
    assert readable_text({}) == ""
    # Campaign and admin changes name model fields: their verbose names are the labels.
    assert (
        readable_text({"submission_deadline": "2026-12-02", "per_unit_max": 2})
        == "截止时间：2026-12-02；每单位限报：2"
    )
