"""The OpenAPI schema is honest: Schemathesis' checks against /api/schema/ on every operation (issue 16).

Each operation gets a few generated requests (valid and invalid) from a signed-in user; every answer
must be below 500, carry a documented status, and match the documented body (the ``Error`` component
for failures: config/api/schema.py). The examples are few so the whole run stays well under a minute
on the embedded database; a nightly run can raise ``MAX_EXAMPLES``.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from tests.campaigns import make_campaign
from tests.factories import user_with_role

MAX_EXAMPLES = 3
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": MAX_EXAMPLES},
    }
)


@pytest.fixture
def api_schema(db):
    """The schema served by the WSGI app; requests go through the whole middleware stack in-process.

    Django closes the database connection at the end of each request; the test's transaction must
    survive it, so the two signal handlers are off here as in Django's own test client.
    """
    from config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def new_token(tree, settings):
    """A fresh token for each operation (``/auth/logout`` revokes the one it is called with)."""
    settings.SEALFLOW_OBJECTION_RATE_PER_ADDRESS = "100000/h"
    settings.SEALFLOW_OBJECTION_RATE_PER_PHONE = "100000/d"
    make_campaign(tree.committee)
    user = user_with_role(Role.COMMITTEE, tree.committee, username="schemathesis")

    def make():
        return AuthToken.objects.create(user)[1]

    return make


def _check_operation(operation, headers, mode):
    """Up to MAX_EXAMPLES generated requests to one operation; the first failing check, or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # nothing in this operation can be made invalid (no parameters, no body)
        return None
    except (Exception, FailureGroup) as exc:  # noqa: BLE001 - collected, reported together below
        return f"{operation.label} ({mode.value}): {type(exc).__name__}: {_summary(exc)}"
    return None


def _summary(exc: BaseException) -> str:
    if isinstance(exc, FailureGroup):
        return "; ".join(f"{failure.title}: {failure.message[:300]}" for failure in exc.exceptions)
    return str(exc)[:600]


def test_every_operation_conforms_to_its_schema(api_schema, new_token):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := _check_operation(operation, {"Authorization": f"Token {new_token()}"}, mode)) is not None
    ]

    assert len(operations) > 40
    assert not failures, f"{len(failures)} failing operations:\n\n" + "\n\n".join(failures)
