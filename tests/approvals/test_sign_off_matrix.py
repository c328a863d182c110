"""Every stage of the chain refuses the wrong unit, district, host and role, and writes nothing."""

from __future__ import annotations

import pytest

from accounts.roles import OrgKind, Role
from approvals.actions import create_nomination, sign_off, submit_nomination
from approvals.models import Nomination, Seal, SignOff
from audit.models import AuditEvent
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import OrganizationFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]

STAGE_KEYS = ["unit_opinion", "district_review", "committee_review"]


@pytest.fixture
def cast(tree):
    other_committee = OrganizationFactory.create(
        name="另一组委会", code="T-CMT2", kind=OrgKind.COMMITTEE, parent=tree.city
    )
    return {
        "unit_opinion": user_with_role(Role.UNIT_LEADER, tree.unit),
        "district_review": user_with_role(Role.DISTRICT_REVIEWER, tree.district),
        "committee_review": user_with_role(Role.COMMITTEE, tree.committee),
        "other_unit_leader": user_with_role(Role.UNIT_LEADER, tree.other_unit),
        "other_district_reviewer": user_with_role(Role.DISTRICT_REVIEWER, tree.other_district),
        "other_committee": user_with_role(Role.COMMITTEE, other_committee),
        "city_reviewer": user_with_role(Role.CITY_REVIEWER, tree.city),
        "party_secretary": user_with_role(Role.PARTY_SECRETARY, tree.party),
        "security_admin": user_with_role(Role.SECURITY_ADMIN, None),
        "auditor": user_with_role(Role.AUDITOR, None),
    }


def at_stage(tree, submitter, cast, stage: str) -> Nomination:
    campaign = make_campaign(tree.committee)
    draft = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="案例", form=valid_case_form()
    )
    nomination = submit_nomination(draft.pk, actor=submitter)
    for key in STAGE_KEYS[: STAGE_KEYS.index(stage)]:
        nomination.refresh_from_db()
        assert nomination.task_id is not None
        sign_off(nomination.task_id, actor=cast[key], decision="approve", opinion="同意")
    nomination.refresh_from_db()
    assert nomination.stage == stage
    return nomination


WRONG = ["other_unit_leader", "other_district_reviewer", "other_committee", "city_reviewer", "party_secretary",
         "security_admin", "auditor", "submitter"]  # fmt: skip


@pytest.mark.parametrize("stage", STAGE_KEYS)
@pytest.mark.parametrize("who", [*WRONG, *STAGE_KEYS])
def test_only_the_stage_signer_decides(tree, submitter, cast, client_for, stage, who):
    nomination = at_stage(tree, submitter, cast, stage)
    actor = submitter if who == "submitter" else cast[who]
    before = (SignOff.objects.count(), Seal.objects.count(), nomination.version)
    events_before = AuditEvent.objects.exclude(action="permission.denied").count()

    response = client_for(actor).post(
        f"/api/v1/tasks/{nomination.task_id}/approve", {"opinion": "同意"}, format="json"
    )

    if who == stage:
        assert response.status_code == 200, response.content
        return
    assert response.status_code in (403, 404), (who, response.status_code)
    nomination.refresh_from_db()
    assert (SignOff.objects.count(), Seal.objects.count(), nomination.version) == before
    assert AuditEvent.objects.exclude(action="permission.denied").count() == events_before
    if response.status_code == 403:
        assert AuditEvent.objects.filter(action="permission.denied", actor=actor).exists()


@pytest.mark.parametrize("who", [*WRONG, *STAGE_KEYS])
def test_the_one_nomination_visibility_check_agrees_with_the_scope_query(tree, submitter, cast, who):
    from accounts.permissions import sees_submitted_nomination
    from approvals.selectors import visible_nominations

    nomination = at_stage(tree, submitter, cast, "district_review")
    actor = submitter if who == "submitter" else cast[who]

    expected = visible_nominations(actor).filter(pk=nomination.pk).exists()
    assert sees_submitted_nomination(actor, nomination) is expected
