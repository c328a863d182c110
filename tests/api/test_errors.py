"""Nothing a client can send gives a 500: each bad input is a 4xx with a stable code, in Chinese."""

from __future__ import annotations

import pytest

from accounts.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(security_admin, client_for):
    return client_for(security_admin)


def test_malformed_json_is_400(admin_client):
    response = admin_client.post("/api/v1/orgs", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_wrong_content_type_is_415(admin_client):
    response = admin_client.post("/api/v1/orgs", data="name=x", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_body_that_is_not_an_object_is_400(admin_client):
    response = admin_client.post("/api/v1/orgs", data="[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_wrong_types_are_400_per_field(admin_client):
    response = admin_client.post(
        "/api/v1/orgs", {"name": ["x"], "code": 5, "kind": "planet", "parent": "abc"}, format="json"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"name", "kind", "parent"} <= set(errors)
    assert not Organization.objects.exists()


def test_unknown_fields_are_refused(admin_client):
    response = admin_client.post(
        "/api/v1/orgs", {"name": "X", "code": "X", "kind": "city", "parent": None, "colour": "red"}, format="json"
    )

    assert response.status_code == 400
    assert "colour" in response.json()["errors"]


def test_huge_body_is_413(admin_client):
    response = admin_client.post(
        "/api/v1/orgs", data='{"name": "' + "x" * (3 * 1024 * 1024) + '"}', content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "1.5", "99999999999999999999999999"])
def test_ids_of_the_wrong_kind_are_404_json(admin_client, bad_id):
    response = admin_client.get(f"/api/v1/orgs/{bad_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_id_beyond_bigint_in_the_body_is_400(admin_client):
    response = admin_client.post(
        "/api/v1/orgs", {"name": "X", "code": "X", "kind": "unit", "parent": 2**70}, format="json"
    )

    assert response.status_code == 400
    assert "parent" in response.json()["errors"]


def test_largest_id_that_fits_is_simply_not_found(admin_client):
    response = admin_client.get("/api/v1/orgs/999999999999999999")

    assert response.status_code == 404


@pytest.mark.parametrize("param", ["cursor=garbage", "limit=0", "limit=abc", "parent=x", "under=-3"])
def test_bad_list_parameters_are_400(admin_client, param):
    response = admin_client.get(f"/api/v1/orgs?{param}")

    assert response.status_code == 400
    assert response.json()["code"]


def test_unknown_api_path_is_json_404(admin_client):
    response = admin_client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_405(admin_client):
    response = admin_client.put("/api/v1/orgs", {}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_messages_are_chinese(admin_client):
    response = admin_client.post("/api/v1/orgs", {"name": "X"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "输入有误，请检查后重试"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["errors"]["code"][0])


def test_keyset_pages_walk_the_whole_list_without_repeats(admin_client, tree):
    seen: list[int] = []
    url = "/api/v1/orgs?limit=4"
    while url:
        page = admin_client.get(url).json()
        seen.extend(o["id"] for o in page["results"])
        url = page["next"]

    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == Organization.objects.count()
