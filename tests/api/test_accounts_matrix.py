"""Authorization matrix of every accounts endpoint: each kind of actor × own / sibling / parent organisation.

Expected answers (api.md): 404 for what the caller may not see, 403 for what they see but may not
change; nothing is written on a refusal, and each 403 is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Grant, Organization, User
from accounts.roles import OrgKind, Role
from audit.models import AuditEvent
from tests.conftest import Tree
from tests.factories import GrantFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

CHILD_KIND = {OrgKind.CITY: OrgKind.DISTRICT, OrgKind.DISTRICT: OrgKind.TOWNSHIP, OrgKind.TOWNSHIP: OrgKind.UNIT,
              OrgKind.UNIT: OrgKind.PARTY}  # fmt: skip
ROLE_FOR_KIND = {OrgKind.CITY: Role.CITY_REVIEWER, OrgKind.DISTRICT: Role.DISTRICT_REVIEWER,
                 OrgKind.TOWNSHIP: Role.AUDITOR, OrgKind.UNIT: Role.SUBMITTER}  # fmt: skip


@dataclass
class Place:
    org: Organization
    member: User  # an account whose home organisation is ``org``
    grant: Grant  # a grant held at ``org``


@dataclass
class World:
    actor: User
    grantee: User  # a fresh account in the actor's own organisation, to receive grants
    places: dict[str, Place]


ACTORS: dict[str, tuple[Role, str]] = {
    # key: (role, where the actor's grant is: "district" or "unit")
    "security_admin": (Role.SECURITY_ADMIN, "district"),
    "auditor": (Role.AUDITOR, "district"),
    "system_admin": (Role.SYSTEM_ADMIN, "district"),
    "district_reviewer": (Role.DISTRICT_REVIEWER, "district"),
    "submitter": (Role.SUBMITTER, "unit"),
    "unit_leader": (Role.UNIT_LEADER, "unit"),
}


def _place(org: Organization, tag: str) -> Place:
    member = UserFactory.create(username=f"member_{tag}", org=org)
    holder = UserFactory.create(username=f"holder_{tag}", org=org)
    grant = GrantFactory.create(user=holder, role=ROLE_FOR_KIND[OrgKind(org.kind)], org=org)
    return Place(org, member, grant)


def build_world(tree: Tree, actor_key: str) -> World:
    role, at = ACTORS[actor_key]
    if at == "district":
        own, sibling, parent = tree.district, tree.other_district, tree.city
    else:
        own, sibling, parent = tree.unit, tree.other_unit, tree.township
    actor = user_with_role(role, own, username=f"actor_{actor_key}")
    grantee = UserFactory.create(username="grantee", org=own)
    places = {"own": _place(own, "own"), "sibling": _place(sibling, "sibling"), "parent": _place(parent, "parent")}
    return World(actor, grantee, places)


# endpoint → (method, path builder, body builder)
Request = tuple[str, Callable[[Place], str], Callable[[Place, World], dict[str, Any] | None]]

ENDPOINTS: dict[str, Request] = {
    "org_get": ("get", lambda p: f"/api/v1/orgs/{p.org.pk}", lambda p, w: None),
    "org_create": (
        "post",
        lambda p: "/api/v1/orgs",
        lambda p, w: {
            "name": "新组织",
            "code": f"NEW-{p.org.pk}",
            "kind": CHILD_KIND[OrgKind(p.org.kind)],
            "parent": p.org.pk,
        },
    ),  # fmt: skip
    "org_patch": ("patch", lambda p: f"/api/v1/orgs/{p.org.pk}", lambda p, w: {"name": "改名"}),
    "user_create": (
        "post",
        lambda p: "/api/v1/users",
        lambda p, w: {"username": f"new{p.org.pk}", "password": "Pass-Word-2026", "org": p.org.pk},
    ),
    "user_get": ("get", lambda p: f"/api/v1/users/{p.member.pk}", lambda p, w: None),
    "user_patch": ("patch", lambda p: f"/api/v1/users/{p.member.pk}", lambda p, w: {"display_name": "改名"}),
    "user_password": (
        "post",
        lambda p: f"/api/v1/users/{p.member.pk}/password",
        lambda p, w: {},
    ),  # fmt: skip
    "grant_create": (
        "post",
        lambda p: "/api/v1/grants",
        lambda p, w: {"user": w.grantee.pk, "role": ROLE_FOR_KIND[OrgKind(p.org.kind)], "org": p.org.pk},
    ),
    "grant_get": ("get", lambda p: f"/api/v1/grants/{p.grant.pk}", lambda p, w: None),
    "grant_delete": ("delete", lambda p: f"/api/v1/grants/{p.grant.pk}", lambda p, w: None),
}

OK = {"get": 200, "post": 201, "patch": 200, "delete": 204}

# kind of actor → endpoint → (own, sibling, parent); "ok" is the endpoint's success code.
EXPECTED: dict[str, dict[str, tuple[Any, Any, Any]]] = {
    "security": {  # 三员分立: the tree and the grants, not the accounts
        "org_get": ("ok", 404, "ok"),
        "org_create": ("ok", 404, 403),
        "org_patch": ("ok", 404, 403),
        "user_create": (403, 404, 403),
        "user_get": ("ok", 404, 404),
        "user_patch": (403, 404, 404),
        "user_password": (403, 404, 404),
        "grant_create": ("ok", 404, 403),
        "grant_get": ("ok", 404, 404),
        "grant_delete": ("ok", 404, 404),
    },
    "system": {  # 三员分立: the accounts, not the tree or the grants
        "org_get": ("ok", 404, "ok"),
        "org_create": (403, 404, 403),
        "org_patch": (403, 404, 403),
        "user_create": ("ok", 404, 403),
        "user_get": ("ok", 404, 404),
        "user_patch": ("ok", 404, 404),
        "user_password": (202, 404, 404),
        "grant_create": (403, 404, 403),
        "grant_get": ("ok", 404, 404),
        "grant_delete": (403, 404, 404),
    },
    "staff": {  # auditor: sees accounts, changes nothing
        "org_get": ("ok", 404, "ok"),
        "org_create": (403, 404, 403),
        "org_patch": (403, 404, 403),
        "user_create": (403, 404, 403),
        "user_get": ("ok", 404, 404),
        "user_patch": (403, 404, 404),
        "user_password": (403, 404, 404),
        "grant_create": (403, 404, 403),
        "grant_get": ("ok", 404, 404),
        "grant_delete": (403, 404, 404),
    },
    "business": {  # every role that works on nominations: sees the tree, no accounts but their own
        "org_get": ("ok", 404, "ok"),
        "org_create": (403, 404, 403),
        "org_patch": (403, 404, 403),
        "user_create": (403, 404, 403),
        "user_get": (404, 404, 404),
        "user_patch": (404, 404, 404),
        "user_password": (404, 404, 404),
        "grant_create": (404, 404, 404),
        "grant_get": (404, 404, 404),
        "grant_delete": (404, 404, 404),
    },
}
ACTOR_KIND = {"security_admin": "security", "auditor": "staff", "system_admin": "system"}
WHERE = ("own", "sibling", "parent")

CASES = [
    pytest.param(actor, endpoint, where, id=f"{actor}-{endpoint}-{where}")
    for actor in ACTORS
    for endpoint in ENDPOINTS
    for where in WHERE
]


def _counts() -> tuple[int, int, int]:
    return Organization.objects.count(), User.objects.count(), Grant.objects.count()


@pytest.mark.parametrize(("actor_key", "endpoint", "where"), CASES)
def test_authorization_matrix(tree, client_for, actor_key, endpoint, where):
    world = build_world(tree, actor_key)
    method, path, body = ENDPOINTS[endpoint]
    place = world.places[where]
    expected = EXPECTED[ACTOR_KIND.get(actor_key, "business")][endpoint][WHERE.index(where)]
    expected = OK[method] if expected == "ok" else expected
    client: APIClient = client_for(world.actor)
    before = _counts()
    denied_before = AuditEvent.objects.filter(action="permission.denied").count()

    response = getattr(client, method)(path(place), body(place, world), format="json")

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["code"]
        assert _counts() == before, "a refused request wrote something"
    denied = AuditEvent.objects.filter(action="permission.denied").count() - denied_before
    assert denied == (1 if expected == 403 else 0)


def test_lists_hold_only_what_the_caller_may_see(tree, client_for):
    world = build_world(tree, "security_admin")
    client = client_for(world.actor)

    org_ids = {o["id"] for o in client.get("/api/v1/orgs?limit=200").json()["results"]}
    user_ids = {u["id"] for u in client.get("/api/v1/users?limit=200").json()["results"]}
    grant_ids = {g["id"] for g in client.get("/api/v1/grants?limit=200").json()["results"]}

    assert tree.unit.pk in org_ids
    assert tree.city.pk in org_ids
    assert tree.other_district.pk not in org_ids
    assert tree.other_unit.pk not in org_ids
    assert world.places["own"].member.pk in user_ids
    assert world.places["sibling"].member.pk not in user_ids
    assert world.places["parent"].member.pk not in user_ids
    assert world.places["own"].grant.pk in grant_ids
    assert world.places["sibling"].grant.pk not in grant_ids


def test_roles_list_is_open_to_every_signed_in_user(tree, client_for):
    world = build_world(tree, "submitter")

    response = client_for(world.actor).get("/api/v1/roles")

    assert response.status_code == 200
    roles = {r["role"]: r for r in response.json()["results"]}
    assert set(roles) == set(Role.values)
    assert roles["district_reviewer"]["scope"] == "subtree"
    assert roles["security_admin"]["separation_of_duties"] is True
