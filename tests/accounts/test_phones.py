"""An account's phone is stored in its one canonical spelling, and every answer masks it the same way."""

from __future__ import annotations

import pytest

from accounts import actions
from audit.models import AuditEvent
from config.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("+86 138 1234 5678", "13812345678"),
        ("0086-138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("021-6123 4567", "02161234567"),
    ],
)
def test_a_phone_is_stored_in_one_spelling_and_audited_masked(system_admin, tree, given: str, stored: str) -> None:
    user = actions.create_user(
        actor=system_admin, username="member", password="Xy7!pq9#Lm2$", phone=given, org=tree.unit
    )
    user.refresh_from_db()
    assert user.phone == stored
    event = AuditEvent.objects.get(action="user.created", object_id=str(user.pk))
    assert stored not in str(event.data)
    assert event.data["phone"] in ("138****5678", "021****4567")


def test_the_same_number_spelled_otherwise_is_no_change(system_admin, tree) -> None:
    user = actions.create_user(
        actor=system_admin, username="member", password="Xy7!pq9#Lm2$", phone="13812345678", org=tree.unit
    )
    before = AuditEvent.objects.count()
    actions.update_user(user.pk, actor=system_admin, phone="+86 138-1234-5678")
    assert AuditEvent.objects.count() == before
    user.refresh_from_db()
    assert user.phone == "13812345678"


def test_a_phone_that_is_no_phone_is_refused(system_admin, tree) -> None:
    with pytest.raises(InvalidInput) as refused:
        actions.create_user(
            actor=system_admin, username="member", password="Xy7!pq9#Lm2$", phone="138 1234", org=tree.unit
        )
    assert "phone" in refused.value.errors
