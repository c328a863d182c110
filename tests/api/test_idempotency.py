"""Idempotency-Key on creating POSTs (api.md, Conventions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Organization

pytestmark = pytest.mark.django_db

BODY = {"name": "花木街道", "code": "HM", "kind": "township"}


def test_same_key_and_body_returns_the_first_result_and_creates_nothing(tree, security_admin, client_for):
    client = client_for(security_admin)
    body = {**BODY, "parent": tree.district.pk}

    first = client.post("/api/v1/orgs", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/orgs", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Organization.objects.filter(code="HM").count() == 1


def test_same_key_with_another_body_is_422(tree, security_admin, client_for):
    client = client_for(security_admin)
    client.post("/api/v1/orgs", {**BODY, "parent": tree.district.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    response = client.post(
        "/api/v1/orgs", {**BODY, "code": "HM2", "parent": tree.district.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Organization.objects.filter(code="HM2").exists()


def test_failed_request_can_be_retried_with_the_same_key(tree, security_admin, client_for):
    client = client_for(security_admin)

    bad = client.post("/api/v1/orgs", {**BODY, "parent": tree.unit.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    good = client.post("/api/v1/orgs", {**BODY, "parent": tree.unit.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    assert bad.status_code == good.status_code == 400  # a township cannot sit below a unit, twice


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_object(tree, security_admin):
    from knox.models import AuthToken

    _instance, token = AuthToken.objects.create(user=security_admin)
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def post() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        barrier.wait()
        try:
            response = client.post(
                "/api/v1/orgs", {**BODY, "parent": tree.district.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-race"
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Organization.objects.filter(code="HM").count() == 1
    assert 201 in statuses
    assert set(statuses) <= {201, 409}
