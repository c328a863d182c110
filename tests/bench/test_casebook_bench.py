"""The case book benchmark at a tiny size, so that it cannot rot (the figures: bench/README.md)."""

from __future__ import annotations

import pytest

from awards.models import CaseBook
from bench import casebook_bench

pytestmark = pytest.mark.django_db


def test_casebook_scaling_builds_both_books():
    rows = casebook_bench.casebook_scaling(small=2, large=4, repeat=1)

    ((name, only),) = rows.items()
    assert name == "case book build, 4 cases / 2 cases"
    assert isinstance(only["ratio"], float)
    assert only["ratio"] > 0
    assert only["target"] == "<= 2.4"
    # the warm-up and the measured builds, every one built
    assert CaseBook.objects.count() == 3
    assert set(CaseBook.objects.values_list("status", flat=True)) == {CaseBook.Status.DONE}
    assert sorted(CaseBook.objects.values_list("total", flat=True)) == [2, 2, 4]
