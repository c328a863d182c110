"""The verifiable lottery (judging/lottery.py) and its offline checker (docs/verify_draw.py).

Known answers were computed outside sealflow (``printf '%s' TEXT | sha256sum``) and are repeated
here with hashlib, so that neither depends on the code under test.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from judging import lottery

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_draw.py"
SECRET = "0123456789abcdef" * 4
COMMITMENT = "a8ae6e6ee929abea3afcfc5258c8ccd6f85273e0d4626d26c7279f3250f77c8e"
CONTRIBUTIONS = ["张三", "42"]
# SHA-256 of "<SECRET>|张三|42|<id>":
DIGESTS = {
    3: "bdf28b0f067c5d1df822586009dbf6ec40aafbea81bbf7635008ab59a3c71675",
    5: "94a138ad2d92869247162ddc462c470d6d41388baba84aa7c294f600b8acce65",
    8: "ba2ca4dc62f00107705169cb7a00a91605b643ab420e96e2bd4894efa654e195",
}


def record(**changes: Any) -> dict[str, Any]:
    """A public draw record (GET /api/v1/public/draws/{id}) made with lottery.py."""
    secret = lottery.new_secret()
    contributions = ["8", "王五", "2026-12-02 14:00"]
    entries = list(range(101, 121))
    data = {
        "commitment": lottery.commitment(secret),
        "secret": secret,
        "contributions": contributions,
        "entries": entries,
        "order": lottery.draw_order(secret, contributions, entries),
        "method": lottery.METHOD_ZH,
    }
    data.update(changes)
    return data


def run_script(stdin: str | None = None, *args: str) -> subprocess.CompletedProcess[str]:
    # -I: isolated, so the script cannot lean on the project (no cwd on sys.path, no PYTHON* env).
    return subprocess.run(  # noqa: S603
        [sys.executable, "-I", str(SCRIPT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


# --- the algorithm --------------------------------------------------------------------------


def test_commitment_known_answer() -> None:
    assert hashlib.sha256(SECRET.encode("ascii")).hexdigest() == COMMITMENT
    assert lottery.commitment(SECRET) == COMMITMENT


def test_new_secret_is_64_hex_and_fresh() -> None:
    first, second = lottery.new_secret(), lottery.new_secret()
    assert len(first) == 64
    assert set(first) <= set("0123456789abcdef")
    assert first != second


@pytest.mark.parametrize("secret", ["", "abc", SECRET.upper(), SECRET[:-1] + "g", SECRET + "0"])
def test_a_malformed_secret_is_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="64 lowercase hex"):
        lottery.commitment(secret)
    with pytest.raises(ValueError, match="64 lowercase hex"):
        lottery.draw_order(secret, [], [1])


def test_order_known_answer() -> None:
    for entry, expected in DIGESTS.items():
        text = f"{SECRET}|张三|42|{entry}"
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == expected
        assert lottery.entry_digest(SECRET, CONTRIBUTIONS, entry) == expected
    # 94a1… (5) < ba2c… (8) < bdf2… (3)
    assert lottery.draw_order(SECRET, CONTRIBUTIONS, [3, 5, 8]) == [5, 8, 3]


def test_order_is_stable_whatever_order_the_entries_come_in() -> None:
    entries = list(range(1, 51))
    order = lottery.draw_order(SECRET, CONTRIBUTIONS, entries)
    assert sorted(order) == entries
    assert lottery.draw_order(SECRET, CONTRIBUTIONS, reversed(entries)) == order
    assert lottery.draw_order(SECRET, tuple(CONTRIBUTIONS), set(entries)) == order
    assert order != entries  # a shuffle, not the id order


def test_every_input_moves_the_order() -> None:
    entries = list(range(1, 51))
    order = lottery.draw_order(SECRET, CONTRIBUTIONS, entries)
    assert lottery.draw_order(SECRET, ["张三", "43"], entries) != order
    assert lottery.draw_order(SECRET, ["42", "张三"], entries) != order  # the contributions' order counts
    assert lottery.draw_order("f" + SECRET[1:], CONTRIBUTIONS, entries) != order


def test_no_contributions_still_has_both_separators() -> None:
    expected = hashlib.sha256(f"{SECRET}||7".encode()).hexdigest()
    assert lottery.entry_digest(SECRET, [], 7) == expected


def test_entries_must_be_distinct_ids() -> None:
    with pytest.raises(ValueError, match="twice"):
        lottery.draw_order(SECRET, [], [1, 2, 1])
    with pytest.raises(ValueError, match="integers"):
        lottery.draw_order(SECRET, [], ["1"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="texts"):
        lottery.draw_order(SECRET, "42", [1])


def test_method_explains_the_recomputation_in_chinese() -> None:
    for needle in ("SHA-256", 'secret + "|" + "|".join(contributions) + "|" + str(id)', "从小到大", "commitment"):
        assert needle in lottery.METHOD_ZH


# --- verify() -------------------------------------------------------------------------------


def test_verify_accepts_a_genuine_record() -> None:
    data = record()
    assert lottery.verify(data) == (True, data["order"])


def test_verify_accepts_entries_given_as_objects() -> None:
    data = record()
    data["entries"] = [{"nomination": e, "title": f"案例{e}"} for e in data["entries"]]
    assert lottery.verify(data) == (True, data["order"])


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda d: d.update(order=[d["order"][1], d["order"][0], *d["order"][2:]]), id="order"),
        pytest.param(lambda d: d.update(commitment=lottery.commitment(lottery.new_secret())), id="commitment"),
        pytest.param(lambda d: d["contributions"].append("9"), id="contribution"),
        pytest.param(lambda d: d.update(secret=lottery.new_secret()), id="secret"),
        pytest.param(lambda d: d["entries"].pop(), id="entries"),
    ],
)
def test_verify_detects_tampering(tamper: Any) -> None:
    data = record()
    tamper(data)
    ok, _order = lottery.verify(data)
    assert ok is False


@pytest.mark.parametrize("secret", [None, "", "XYZ"])
def test_verify_of_a_record_without_a_valid_secret_is_false(secret: str | None) -> None:
    assert lottery.verify(record(secret=secret)) == (False, [])


# --- the offline script -----------------------------------------------------------------------


def test_offline_script_agrees_with_lottery(tmp_path: Path) -> None:
    data = record()
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run_script(None, str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"order: {json.dumps(data['order'])}" in result.stdout
    assert "commitment OK" in result.stdout
    assert "MATCH" in result.stdout


def test_offline_script_reads_stdin_and_prints_the_known_answer() -> None:
    data = {
        "commitment": COMMITMENT,
        "secret": SECRET,
        "contributions": CONTRIBUTIONS,
        "entries": [3, 5, 8],
        "order": [5, 8, 3],
    }
    result = run_script(json.dumps(data, ensure_ascii=False))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "order: [5, 8, 3]" in result.stdout
    for entry, digest in DIGESTS.items():
        assert f"{entry:>8d}  {digest}" in result.stdout


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda d: d.update(order=[d["order"][1], d["order"][0], *d["order"][2:]]), id="order"),
        pytest.param(lambda d: d.update(commitment="0" * 64), id="commitment"),
        pytest.param(lambda d: d["contributions"].__setitem__(0, "9"), id="contribution"),
    ],
)
def test_offline_script_reports_a_tampered_record(tamper: Any) -> None:
    data = record()
    tamper(data)
    result = run_script(json.dumps(data, ensure_ascii=False))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MISMATCH" in result.stdout


def test_offline_script_refuses_an_unreadable_record() -> None:
    result = run_script("not json")
    assert result.returncode == 2
    assert "cannot verify" in result.stdout
    result = run_script(json.dumps(record(secret=None)))
    assert result.returncode == 2
    assert "has not taken place" in result.stdout
