"""抄送 picker on the task page: the signer copies people or a whole post with the decision."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from approvals.actions import create_nomination, submit_nomination
from approvals.models import CarbonCopy, SignOff
from notifications.models import OutboxMessage
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


@pytest.fixture
def people(tree, district_reviewer):
    return {
        "leader": user_with_role(Role.UNIT_LEADER, tree.unit, username="ccp_leader"),
        "district": district_reviewer,
        "committee_a": user_with_role(Role.COMMITTEE, tree.committee, username="ccp_cmt_a"),
        "committee_b": user_with_role(Role.COMMITTEE, tree.committee, username="ccp_cmt_b"),
        "other_district": user_with_role(Role.DISTRICT_REVIEWER, tree.other_district, username="ccp_other"),
    }


@pytest.fixture
def submitted(tree, submitter):
    campaign = make_campaign(tree.committee)
    n = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="抄送选择案例", form=valid_case_form()
    )
    return submit_nomination(n.pk, actor=submitter)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_task_page_offers_people_and_posts_of_the_chain_only(people, submitted, tree):
    page = login(people["leader"]).get(f"/nominations/{submitted.pk}/").content.decode()

    assert 'id="cc-picker"' in page
    assert f'name="cc" value="{people["district"].pk}"' in page
    assert f'name="cc_group" value="committee@{tree.committee.pk}"' in page
    assert f'value="{people["other_district"].pk}"' not in page  # another district does not read it
    assert f'name="cc" value="{people["leader"].pk}"' not in page  # not oneself


def test_a_decision_copies_the_people_and_the_whole_post_picked(people, submitted, tree):
    response = login(people["leader"]).post(
        f"/tasks/{submitted.task_id}/decide",
        {"nomination": submitted.pk, "decision": "approve", "opinion": "同意",
         "cc": [str(people["district"].pk)], "cc_group": [f"committee@{tree.committee.pk}"]},
    )  # fmt: skip

    assert response.status_code == 302
    copies = set(CarbonCopy.objects.values_list("user_id", "source"))
    assert copies == {
        (people["district"].pk, "signer"),
        (people["committee_a"].pk, "signer"),
        (people["committee_b"].pk, "signer"),
    }
    message = OutboxMessage.objects.get(kind="nomination_copied")
    assert sorted(message.recipients["users"]) == sorted(u for u, _source in copies)


def test_copying_someone_outside_the_chain_is_refused_and_nothing_is_decided(people, submitted):
    client = login(people["leader"])
    response = client.post(
        f"/tasks/{submitted.task_id}/decide",
        {
            "nomination": submitted.pk,
            "decision": "approve",
            "opinion": "同意",
            "cc": [str(people["other_district"].pk)],
        },
        follow=True,
    )

    assert "只能抄送本申报所在单位、上级组织或主办方的审批人员" in response.content.decode()
    assert not SignOff.objects.exists()
    assert not CarbonCopy.objects.exists()
