"""config.compiled: a queryset compiled once gives, for each call's values, what the ORM gives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from config.compiled import run_compiled

pytestmark = pytest.mark.django_db

_PARENT = -5_551_001
_KIND = "<kind stand-in for the test>"


def _children(parent: int, kind: str):
    return Organization.objects.filter(parent_id=parent, kind=kind).select_related("parent").order_by("pk")


@pytest.mark.parametrize("where", ["city", "district", "township"])
def test_each_call_runs_the_same_sql_with_its_own_values(tree, where):
    parent = getattr(tree, where)
    for kind in sorted(set(Organization.objects.filter(parent=parent).values_list("kind", flat=True))):
        expected = list(_children(parent.pk, kind))
        with CaptureQueriesContext(connection) as queries:
            found = run_compiled(
                "test-children", lambda: _children(_PARENT, _KIND), Organization, {_PARENT: parent.pk, _KIND: kind}
            )
        assert len(queries) == 1
        assert [(o.pk, o.name, o.kind, o.path) for o in found] == [(o.pk, o.name, o.kind, o.path) for o in expected]
        assert expected  # the case compares something
        assert all("parent" in o._state.fields_cache and o.parent.pk == parent.pk for o in found)


def test_a_value_that_matches_nothing_finds_nothing(tree):
    found = run_compiled(
        "test-children", lambda: _children(_PARENT, _KIND), Organization, {_PARENT: tree.district.pk, _KIND: "none"}
    )
    assert found == []
