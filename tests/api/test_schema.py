import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served_and_names_the_contract_paths(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/auth/token", "/api/v1/orgs", "/api/v1/users", "/api/v1/grants", "/api/v1/audit"):
        assert path in text


def test_swagger_ui_is_served_from_local_assets(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "jsdelivr" not in page
    assert "unpkg" not in page
