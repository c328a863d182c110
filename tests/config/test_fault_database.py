"""PostgreSQL unreachable: a request answers 503 (a Chinese page, or ``service_unavailable`` under
/api/), not 500, and the next request after it is reachable again is served without a restart.

The connection really fails: the test points Django's connection at a folder where no
PostgreSQL listens, then back (the launcher test kills the server itself, test_fault_postgres.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client


@pytest.mark.django_db(transaction=True)
def test_database_unreachable_answers_503_then_recovers(submitter: Any, client_for: Any, tmp_path: Path) -> None:
    api = client_for(submitter)
    api.raise_request_exception = False
    web = Client(raise_request_exception=False)
    web.force_login(submitter)
    assert api.get("/api/v1/nominations").status_code == 200

    connection = connections["default"]
    settings_dict = connection.settings_dict
    host, port = settings_dict["HOST"], settings_dict["PORT"]
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = str(tmp_path), "5999"  # nobody listens there
    try:
        down = api.get("/api/v1/nominations")
        page = web.get("/")
        public = Client(raise_request_exception=False).get("/api/v1/public/campaigns/1/publicity")
    finally:
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = host, port

    assert down.status_code == 503, down.content[:300]
    assert down.json()["code"] == "service_unavailable"
    assert down.json()["detail"] == "服务暂时不可用，请稍后重试"
    assert down["Retry-After"] == "30"
    assert page.status_code == 503
    text = page.content.decode()
    assert "服务暂时不可用" in text
    assert "Traceback" not in text
    assert public.status_code == 503
    assert public.json()["code"] == "service_unavailable"

    assert api.get("/api/v1/nominations").status_code == 200
    assert web.get("/", follow=True).status_code == 200


def test_a_bug_is_still_a_500() -> None:
    """Only outages become 503: any other uncaught error stays a 500 (and is logged as one)."""
    import redis.exceptions
    from django.db import IntegrityError, OperationalError

    from config.errors import is_outage

    assert is_outage(OperationalError("server closed the connection unexpectedly"))
    assert is_outage(redis.exceptions.ConnectionError("Error 111 connecting"))
    assert not is_outage(IntegrityError("duplicate key"))
    assert not is_outage(ValueError("bug"))
    assert not is_outage(None)
