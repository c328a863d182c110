"""The shape of the code: no import circle between modules, no app importing another app's private
names. The layers themselves are import-linter contracts (pyproject.toml), run by the test command."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = (
    "config",
    "audit",
    "accounts",
    "workflows",
    "approvals",
    "judging",
    "awards",
    "voting",
    "notifications",
    "portal",
)


def _packages() -> list[str]:
    return [app for app in APPS if (BASE_DIR / app / "__init__.py").exists()]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circle_between_modules() -> None:
    # Imports inside functions count (a lazy import only hides a circle); those under
    # TYPE_CHECKING do not (they never run). Package __init__ re-exports are edges too.
    graph = grimp.build_graph(*_packages(), exclude_type_checking_imports=True)
    edges = {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    # A package's __init__ importing its own submodules is how re-exports work, not a circle.
    for module, imported in edges.items():
        edges[module] = {m for m in imported if not m.startswith(module + ".")}
    assert _strongly_connected(edges) == []


def test_no_app_imports_another_apps_private_names() -> None:
    offences = []
    for app in _packages():
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    source_app = node.module.split(".")[0]
                    if source_app in APPS and source_app != app:
                        offences += [
                            f"{path.relative_to(BASE_DIR)}:{node.lineno} {node.module}.{alias.name}"
                            for alias in node.names
                            if alias.name.startswith("_")
                        ]
    assert offences == []
