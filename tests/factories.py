"""Typed factories (style.md §10): ``OrganizationFactory.create(...)`` keeps the tree's path right."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from accounts.models import Grant, Organization, User
from accounts.roles import OrgKind, Role

TEST_PASSWORD = "Correct-Horse-9"


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"组织{n}")
    code = factory.Sequence(lambda n: f"ORG{n}")
    kind = OrgKind.UNIT
    parent = None

    @classmethod
    def _create(cls, model_class: type[Organization], *args: Any, **kwargs: Any) -> Organization:
        org = super()._create(model_class, *args, **kwargs)
        parent = org.parent
        org.path = f"{parent.path if parent else '/'}{org.pk}/"
        org.depth = parent.depth + 1 if parent else 0
        org.save(update_fields=["path", "depth"])
        return org


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    phone = "13812345678"
    password = factory.django.Password(TEST_PASSWORD)


class GrantFactory(DjangoModelFactory[Grant]):
    class Meta:
        model = Grant

    user = factory.SubFactory(UserFactory)
    role = Role.SUBMITTER
    org = None


def user_with_role(role: Role, org: Organization | None, **kwargs: Any) -> User:
    user = UserFactory.create(org=org, **kwargs)
    GrantFactory.create(user=user, role=role, org=org)
    return user
