"""The per-page benchmark at a tiny size, so that it cannot rot (figures: bench/README.md)."""

from __future__ import annotations

import pytest

from bench import pages_bench

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


def test_every_main_page_of_a_role_and_the_public_pages_are_timed_and_answer_200():
    rows = pages_bench.page_budget(repeat=1, users=("ljz_submitter", "committee"))

    names = list(rows)
    for page in ("/", "/nominations/", "/notifications/", "/campaigns/"):
        assert f"page ljz_submitter {page}" in names
    assert any(name.startswith("page committee /campaigns/") and name.endswith("/dashboard") for name in names)
    assert "page (public) /verify/" in names
    for name, row in rows.items():
        assert "HTTP 200" in str(row["detail"]), name
        assert isinstance(row["ratio"], float)
        assert row["ratio"] > 0
