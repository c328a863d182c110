"""GET /api/v1/audit and /api/v1/audit/verify: the auditor reads, nobody else does."""

from __future__ import annotations

import pytest

from accounts.actions import create_organization
from accounts.roles import OrgKind

pytestmark = pytest.mark.django_db


def test_auditor_reads_one_objects_events_oldest_first(tree, security_admin, auditor, client_for):
    org = create_organization(
        actor=security_admin, name="花木街道", code="HM", kind=OrgKind.TOWNSHIP, parent=tree.district
    )
    client_for(security_admin).patch(f"/api/v1/orgs/{org.pk}", {"name": "花木街道办事处"}, format="json")

    response = client_for(auditor).get(f"/api/v1/audit?object=org:{org.pk}")

    assert response.status_code == 200
    events = response.json()["results"]
    assert [e["action"] for e in events] == ["org.created", "org.updated"]
    assert [e["seq"] for e in events] == [1, 2]
    assert events[1]["data"] == {"old": {"name": "花木街道"}, "new": {"name": "花木街道办事处"}}
    assert events[1]["actor_label"] == security_admin.label
    assert events[1]["request_id"]
    assert events[1]["ip_address"] == "127.0.0.1"


@pytest.mark.parametrize("role_fixture", ["security_admin", "system_admin", "district_reviewer"])
def test_others_may_not_read_the_trail(request, client_for, role_fixture):
    user = request.getfixturevalue(role_fixture)

    assert client_for(user).get("/api/v1/audit").status_code == 403
    assert client_for(user).get("/api/v1/audit/verify").status_code == 403


def test_verify_reports_a_valid_trail(tree, security_admin, auditor, client_for):
    create_organization(actor=security_admin, name="花木街道", code="HM", kind=OrgKind.TOWNSHIP, parent=tree.district)

    body = client_for(auditor).get("/api/v1/audit/verify").json()

    assert body["valid"] is True
    assert body["events"] >= 1
    assert body["problems"] == []


def test_refusals_are_in_the_trail(tree, district_reviewer, auditor, client_for):
    client_for(district_reviewer).patch(f"/api/v1/orgs/{tree.district.pk}", {"name": "x"}, format="json")

    events = client_for(auditor).get("/api/v1/audit?action=permission.denied").json()["results"]

    assert len(events) == 1
    assert events[0]["actor"] == district_reviewer.pk
    assert events[0]["object_id"] == str(tree.district.pk)
    assert events[0]["data"]["path"] == f"/api/v1/orgs/{tree.district.pk}"


def test_reading_a_full_phone_number_is_audited(tree, security_admin, auditor, client_for):
    from tests.factories import UserFactory

    member = UserFactory.create(org=tree.unit, phone="13912345678")

    shown = client_for(security_admin).get(f"/api/v1/users/{member.pk}").json()
    listed = client_for(security_admin).get("/api/v1/users").json()["results"]
    events = client_for(auditor).get(f"/api/v1/audit?object=user:{member.pk}&action=personal_data.read").json()

    assert shown["phone"] == "13912345678"
    assert next(u for u in listed if u["id"] == member.pk)["phone"] == "139****5678"
    assert len(events["results"]) == 1


def test_bad_object_filter_is_400(auditor, client_for):
    response = client_for(auditor).get("/api/v1/audit?object=nocolon")

    assert response.status_code == 400
