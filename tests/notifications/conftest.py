"""Fixtures of the notification tests: a nomination in review and the people around it."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from approvals.actions import create_nomination, submit_nomination
from approvals.models import Nomination
from notifications.models import OutboxMessage
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role


@pytest.fixture(autouse=True)
def _seals_use_a_key_of_the_test(seal_key_file: None) -> None:
    """Every notifications test that seals uses the temporary key of ``tests/conftest.py``."""


@pytest.fixture
def people(tree):
    """The signers of the test chain (单位意见 → 区民政局 → 组委会) and bystanders."""
    return {
        "leader": user_with_role(Role.UNIT_LEADER, tree.unit, username="leader", email="leader@example.cn"),
        "district": user_with_role(
            Role.DISTRICT_REVIEWER, tree.district, username="district", email="d@example.cn", phone="13900000001"
        ),
        "district2": user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district2"),
        "other_district": user_with_role(Role.DISTRICT_REVIEWER, tree.other_district, username="other_district"),
        "city": user_with_role(Role.CITY_REVIEWER, tree.city, username="city"),
        "committee": user_with_role(Role.COMMITTEE, tree.committee, username="committee"),
    }


def submit(tree, submitter) -> Nomination:
    campaign = make_campaign(tree.committee)
    nomination = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老服务案例", form=valid_case_form()
    )
    return submit_nomination(nomination.pk, actor=submitter)


@pytest.fixture
def submitted(tree, submitter, people) -> Nomination:
    """Submitted, at its first stage, with the outbox message of the submission removed, so that
    each test raises the events it is about (test_wiring.py tests what the actions raise)."""
    nomination = submit(tree, submitter)
    OutboxMessage.objects.all().delete()
    return nomination
