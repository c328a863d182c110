"""The organisation tree: creation, moves, cycles, and "everything below" in one query."""

from __future__ import annotations

import pytest

from accounts import permissions, selectors
from accounts.actions import create_organization, update_organization
from accounts.exceptions import OrgCycle
from accounts.models import Organization
from accounts.roles import OrgKind, Role
from audit.models import AuditEvent
from config.errors import InvalidInput, NotPermitted
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_created_organisation_gets_its_path_and_an_audit_event(tree, security_admin):
    org = create_organization(
        actor=security_admin, name="花木街道", code="HM", kind=OrgKind.TOWNSHIP, parent=tree.district
    )

    assert org.path == f"{tree.district.path}{org.pk}/"
    assert org.depth == tree.district.depth + 1
    event = AuditEvent.objects.get(action="org.created")
    assert event.data == {"name": "花木街道", "code": "HM", "kind": "township", "parent": tree.district.pk}


def test_kind_must_fit_the_parent(tree, security_admin):
    with pytest.raises(InvalidInput) as error:
        create_organization(actor=security_admin, name="X", code="X", kind=OrgKind.TOWNSHIP, parent=tree.unit)

    assert error.value.code == "invalid_parent"
    assert not Organization.objects.filter(code="X").exists()


def test_duplicate_code_is_refused(tree, security_admin):
    with pytest.raises(InvalidInput) as error:
        create_organization(
            actor=security_admin, name="X", code=tree.unit.code, kind=OrgKind.UNIT, parent=tree.township
        )

    assert error.value.code == "code_taken"


def test_only_a_system_wide_security_admin_creates_a_root(district_security_admin, security_admin):
    with pytest.raises(NotPermitted):
        create_organization(
            actor=district_security_admin, name="杭州市民政局", code="HZ", kind=OrgKind.CITY, parent=None
        )

    org = create_organization(actor=security_admin, name="杭州市民政局", code="HZ", kind=OrgKind.CITY, parent=None)
    assert org.path == f"/{org.pk}/"


def test_move_carries_the_whole_subtree(tree, security_admin):
    update_organization(tree.township.pk, actor=security_admin, parent=tree.other_district)

    tree.party.refresh_from_db()
    tree.unit.refresh_from_db()
    assert tree.unit.path == f"{tree.other_district.path}{tree.township.pk}/{tree.unit.pk}/"
    assert tree.party.path.startswith(tree.unit.path)
    assert tree.party.depth == 4
    event = AuditEvent.objects.get(action="org.updated")
    assert event.data == {"old": {"parent": tree.district.pk}, "new": {"parent": tree.other_district.pk}}


def test_move_below_itself_is_refused(tree, security_admin):
    with pytest.raises(OrgCycle) as error:
        update_organization(tree.district.pk, actor=security_admin, parent=tree.unit)

    assert error.value.code == "org_cycle"
    tree.district.refresh_from_db()
    assert tree.district.parent == tree.city


def test_move_out_of_the_admins_district_is_refused(tree, district_security_admin):
    with pytest.raises(NotPermitted):
        update_organization(tree.township.pk, actor=district_security_admin, parent=tree.other_district)


def test_subtree_is_one_query_at_any_depth(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        below = {o.pk for o in selectors.subtree(tree.district)}

    assert below == {tree.district.pk, tree.township.pk, tree.unit.pk, tree.party.pk}


def test_district_grant_covers_the_units_below_and_nothing_beside(tree):
    reviewer = user_with_role(Role.DISTRICT_REVIEWER, tree.district)

    assert permissions.has_role_at(reviewer, Role.DISTRICT_REVIEWER, tree.unit)
    assert permissions.has_role_at(reviewer, Role.DISTRICT_REVIEWER, tree.district)
    assert not permissions.has_role_at(reviewer, Role.DISTRICT_REVIEWER, tree.other_unit)
    assert not permissions.has_role_at(reviewer, Role.DISTRICT_REVIEWER, tree.city)


def test_unit_leader_covers_only_the_unit(tree):
    leader = user_with_role(Role.UNIT_LEADER, tree.township.children.first() or tree.unit)

    assert permissions.has_role_at(leader, Role.UNIT_LEADER, tree.unit)
    assert not permissions.has_role_at(leader, Role.UNIT_LEADER, tree.party)


def test_orgs_where_is_one_query(tree, django_assert_num_queries):
    reviewer = user_with_role(Role.DISTRICT_REVIEWER, tree.district)

    with django_assert_num_queries(1):
        ids = set(permissions.orgs_where(reviewer, Role.DISTRICT_REVIEWER).values_list("id", flat=True))

    assert ids == {tree.district.pk, tree.township.pk, tree.unit.pk, tree.party.pk}


def test_disabled_account_holds_no_role(tree):
    reviewer = user_with_role(Role.DISTRICT_REVIEWER, tree.district)
    reviewer.is_active = False
    reviewer.save()

    assert not permissions.has_role_at(reviewer, Role.DISTRICT_REVIEWER, tree.unit)


def test_a_province_stands_above_its_cities(security_admin):
    province = create_organization(
        actor=security_admin, name="山东省民政厅", code="SD", kind=OrgKind.PROVINCE, parent=None
    )

    city = create_organization(
        actor=security_admin, name="济宁市民政局", code="SD-JN", kind=OrgKind.CITY, parent=province
    )

    assert city.path == f"{province.path}{city.pk}/"
    with pytest.raises(InvalidInput):  # a city is not below another city
        create_organization(actor=security_admin, name="某市", code="SD-JN-X", kind=OrgKind.CITY, parent=city)
    with pytest.raises(InvalidInput):
        create_organization(actor=security_admin, name="某街道", code="SD-X", kind=OrgKind.TOWNSHIP, parent=city)
