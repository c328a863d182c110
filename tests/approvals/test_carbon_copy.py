"""抄送: a stage (``cc_roles``) or a signer copies others, who are notified and may read, never decide."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from approvals import audit_events, selectors
from approvals.actions import create_nomination, submit_nomination
from approvals.models import CarbonCopy, Nomination, SignOff
from audit.models import AuditEvent
from notifications.models import OutboxMessage
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@pytest.fixture
def people(tree):
    return {
        "leader": user_with_role(Role.UNIT_LEADER, tree.unit, username="cc_leader"),
        "district": user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="cc_district"),
        "committee": user_with_role(Role.COMMITTEE, tree.committee, username="cc_committee"),
        "other_district": user_with_role(Role.DISTRICT_REVIEWER, tree.other_district, username="cc_other"),
    }


@pytest.fixture
def submitted(tree, submitter):
    campaign = make_campaign(tree.committee)
    # the unit stage copies the committee (组委会知悉)
    campaign.stages.filter(key="unit_opinion").update(cc_roles=[Role.COMMITTEE])
    n = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="抄送案例", form=valid_case_form()
    )
    return submit_nomination(n.pk, actor=submitter)


def post(client_for, user, nomination, decision, body):
    nomination.refresh_from_db()
    return client_for(user).post(f"/api/v1/tasks/{nomination.task_id}/{decision}", body, format="json")


def test_a_stage_copies_its_cc_roles_who_are_notified_and_may_read_but_not_decide(people, submitted, client_for):
    assert post(client_for, people["leader"], submitted, "approve", {"opinion": "同意"}).status_code == 200

    copy = CarbonCopy.objects.get()
    assert (copy.user_id, copy.source) == (people["committee"].pk, "stage")
    message = OutboxMessage.objects.get(kind="nomination_copied")
    assert message.recipients == {"users": [people["committee"].pk]}
    event = AuditEvent.objects.get(object_id=str(submitted.pk), action=audit_events.NOMINATION_COPIED)
    assert event.data["users"] == [people["committee"].pk]
    assert selectors.visible_nominations(people["committee"]).filter(pk=submitted.pk).exists()
    # reading is all: the district's task is not the committee's to decide
    response = post(client_for, people["committee"], submitted, "approve", {"opinion": "同意"})
    assert response.status_code in (403, 404)
    assert not SignOff.objects.filter(nomination=submitted, stage="district_review").exists()


def test_a_signer_copies_a_reviewer_of_the_chain_who_then_reads_it(people, submitted, client_for):
    post(client_for, people["leader"], submitted, "approve", {"opinion": "同意"})
    copied = user_with_role(Role.CITY_REVIEWER, submitted.district.parent, username="cc_city")

    response = post(client_for, people["district"], submitted, "approve", {"opinion": "同意", "cc": [copied.pk]})

    assert response.status_code == 200, response.json()
    assert CarbonCopy.objects.filter(user=copied, source="signer").count() == 1
    assert client_for(copied).get(f"/api/v1/nominations/{submitted.pk}").status_code == 200
    assert OutboxMessage.objects.filter(kind="nomination_copied", recipients__users=[copied.pk]).exists()


def test_copying_someone_outside_the_chain_is_refused_and_nothing_changes(people, submitted, client_for):
    before = Nomination.objects.values().get(pk=submitted.pk)
    response = post(
        client_for, people["leader"], submitted, "approve", {"opinion": "同意", "cc": [people["other_district"].pk]}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cc"
    assert Nomination.objects.values().get(pk=submitted.pk) == before
    assert not CarbonCopy.objects.exists()
    assert not SignOff.objects.exists()
    assert not selectors.visible_nominations(people["other_district"]).filter(pk=submitted.pk).exists()


def test_cc_roles_are_checked_and_shown_in_the_campaign_api(tree):
    from workflows.specs import check_campaign_spec

    stages = [{"key": "a", "name": "甲", "role": "unit_leader", "cc_roles": ["security_admin"]}]
    errors = check_campaign_spec({"stages": stages, "kinds": []})
    assert "stages[0].cc_roles" in errors
