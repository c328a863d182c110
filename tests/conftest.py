"""Shared fixtures: an organisation tree with two districts, one user per role, API clients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import Organization, User
from accounts.roles import OrgKind, Role
from tests.factories import OrganizationFactory, user_with_role


@dataclass
class Tree:
    city: Organization
    committee: Organization
    district: Organization
    township: Organization
    unit: Organization
    party: Organization
    other_district: Organization
    other_township: Organization
    other_unit: Organization


@pytest.fixture
def seal_key_file(settings: Any, tmp_path: Path) -> None:
    """Seals made by the test use a master key file of its own (``usefixtures("seal_key_file")``)."""
    settings.SEALFLOW_SEAL_KEY_FILE = str(tmp_path / "seal-master.key")


@pytest.fixture
def tree(db: None) -> Tree:
    city = OrganizationFactory.create(name="上海市民政局", code="T-SH", kind=OrgKind.CITY)
    committee = OrganizationFactory.create(name="组委会", code="T-CMT", kind=OrgKind.COMMITTEE, parent=city)
    district = OrganizationFactory.create(name="浦东新区民政局", code="T-PD", kind=OrgKind.DISTRICT, parent=city)
    township = OrganizationFactory.create(name="陆家嘴街道", code="T-LJZ", kind=OrgKind.TOWNSHIP, parent=district)
    unit = OrganizationFactory.create(name="陆家嘴中心", code="T-LJZC", kind=OrgKind.UNIT, parent=township)
    party = OrganizationFactory.create(name="陆家嘴中心党支部", code="T-LJZP", kind=OrgKind.PARTY, parent=unit)
    other = OrganizationFactory.create(name="黄浦区民政局", code="T-HP", kind=OrgKind.DISTRICT, parent=city)
    other_township = OrganizationFactory.create(name="南京东路街道", code="T-NJD", kind=OrgKind.TOWNSHIP, parent=other)
    other_unit = OrganizationFactory.create(
        name="南京东路中心", code="T-NJDC", kind=OrgKind.UNIT, parent=other_township
    )
    return Tree(city, committee, district, township, unit, party, other, other_township, other_unit)


@pytest.fixture
def security_admin(db: None) -> User:
    """A system-wide security administrator."""
    return user_with_role(Role.SECURITY_ADMIN, None, username="sec")


@pytest.fixture
def district_security_admin(tree: Tree) -> User:
    return user_with_role(Role.SECURITY_ADMIN, tree.district, username="sec_pd")


@pytest.fixture
def auditor(db: None) -> User:
    return user_with_role(Role.AUDITOR, None, username="aud")


@pytest.fixture
def system_admin(db: None) -> User:
    return user_with_role(Role.SYSTEM_ADMIN, None, username="sys")


@pytest.fixture
def district_reviewer(tree: Tree) -> User:
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="rev_pd")


@pytest.fixture
def submitter(tree: Tree) -> User:
    return user_with_role(Role.SUBMITTER, tree.unit, username="sub_ljz")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for(db: None) -> Callable[[User], APIClient]:
    """An API client that sends a real token of ``user``."""

    def make(user: User) -> APIClient:
        _instance, token = AuthToken.objects.create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return make
