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


def test_every_operation_documents_its_error_statuses_with_the_error_body(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    error = {"$ref": "#/components/schemas/Error"}

    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "detail"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    create = schema["paths"]["/api/v1/nominations"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "415", "422", "429"} <= set(create)
    assert create["400"]["content"]["application/json"]["schema"] == error
    public = schema["paths"]["/api/v1/public/objections"]["post"]["responses"]
    assert "400" in public
    assert "401" not in public  # no credentials taken, none refused


def test_lists_are_documented_as_keyset_pages(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    page = schema["paths"]["/api/v1/nominations"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    name = page["$ref"].rsplit("/", 1)[1]
    assert {"results", "next", "previous"} <= set(schema["components"]["schemas"][name]["properties"])
