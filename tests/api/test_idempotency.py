"""Idempotency-Key on creating POSTs (api.md, Conventions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Organization
from approvals.models import Objection
from tests.approvals import publicity_helpers

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


# --- without an account: the public objection form, keys scoped by client address -----------

people = publicity_helpers.people
scene = publicity_helpers.scene
calendar_seeded = publicity_helpers.calendar_seeded
generous_objection_limits = publicity_helpers.generous_objection_limits


def _open_publicity(client_for, people, scene) -> None:
    started = client_for(people.committee).post(f"/api/v1/campaigns/{scene.campaign.pk}/publicity", {}, format="json")
    assert started.status_code == 200, started.content


def _object(address: str, body: dict, key: str):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/v1/public/objections", body, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_an_anonymous_replay_returns_the_first_receipt_and_files_nothing_more(client_for, people, scene):
    _open_publicity(client_for, people, scene)
    body = publicity_helpers.objection_body(scene.first)

    first = _object("198.51.100.20", body, "obj-1")
    again = _object("198.51.100.20", body, "obj-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Objection.objects.count() == 1


def test_an_anonymous_key_with_another_body_is_422(client_for, people, scene):
    _open_publicity(client_for, people, scene)
    _object("198.51.100.21", publicity_helpers.objection_body(scene.first), "obj-2")

    other = _object("198.51.100.21", publicity_helpers.objection_body(scene.second), "obj-2")

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Objection.objects.count() == 1


def test_the_same_key_from_another_address_is_another_request(client_for, people, scene):
    _open_publicity(client_for, people, scene)
    body = publicity_helpers.objection_body(scene.first)

    one = _object("198.51.100.22", body, "obj-3")
    two = _object("198.51.100.23", body, "obj-3")

    assert one.status_code == two.status_code == 201
    assert one.json()["receipt"] != two.json()["receipt"]
    assert Objection.objects.count() == 2
