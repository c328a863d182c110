"""The database connection prepares repeated statements (server-side binding, config/settings/base.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_query_run_repeatedly_is_prepared_once_and_reused():
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    for username in ("a", "b", "c", "d", "e", "f", "g", "h")[: threshold + 2]:
        list(User.objects.filter(username=username).values_list("id"))  # the same SQL, other values
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['SELECT %FROM "accounts_user" WHERE "accounts_user"."username" = $1%'],
        )
        (prepared,) = cursor.fetchone()
    assert prepared == 1
