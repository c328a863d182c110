"""config.refusals: a 403 is announced once; the audit receiver's failures never change the answer."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from audit import refusals
from audit.models import AuditEvent
from config.refusals import request_refused

pytestmark = pytest.mark.django_db


def _refused_patch(tree: Any, client: Any) -> Any:
    return client.patch(f"/api/v1/orgs/{tree.district.pk}", {"name": "x"}, format="json")


def test_a_failing_receiver_is_logged_and_the_refusal_is_still_audited(tree, district_reviewer, client_for, caplog):
    def broken(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("receiver down")

    request_refused.connect(broken, dispatch_uid="tests.broken")
    try:
        with caplog.at_level(logging.ERROR, logger="config.refusals"):
            response = _refused_patch(tree, client_for(district_reviewer))
    finally:
        request_refused.disconnect(dispatch_uid="tests.broken")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "a request_refused receiver failed" in caplog.text
    assert AuditEvent.objects.filter(action="permission.denied", actor=district_reviewer).count() == 1


def test_an_audit_write_that_fails_is_logged_and_the_client_still_gets_403(
    tree, district_reviewer, client_for, caplog, monkeypatch
):
    def fail(**kwargs: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(refusals, "record_refusal", fail)
    with caplog.at_level(logging.ERROR, logger="config.refusals"):
        response = _refused_patch(tree, client_for(district_reviewer))

    assert response.status_code == 403
    assert "a request_refused receiver failed" in caplog.text
    assert "audit_refusal" in caplog.text
    assert "audit down" in caplog.text
    assert not AuditEvent.objects.filter(action="permission.denied").exists()
