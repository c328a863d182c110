"""加签 on the review page: the form, the added person's inbox and the timeline."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from approvals import documents
from approvals.models import StageSeat
from tests.approvals.web.test_nomination_pages import campaign, decide, login, people, submitted  # noqa: F401
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


def test_a_reviewer_adds_a_colleague_after_themselves_from_the_task_page(submitted, people):  # noqa: F811
    decide(people["leader"], submitted)
    submitted.refresh_from_db()
    page = login(people["district"]).get(f"/nominations/{submitted.pk}/").content.decode()
    assert 'id="add-user"' in page
    assert f'<option value="{people["district2"].pk}">' in page
    assert f'<option value="{people["other_district"].pk}">' not in page  # cannot read it

    response = login(people["district"]).post(
        f"/tasks/{submitted.task_id}/add-signer",
        {"nomination": submitted.pk, "user": people["district2"].pk, "position": "after", "reason": "请复核"},
    )
    assert response.status_code == 302
    seat = StageSeat.objects.get(task_id=submitted.task_id, kind="after")
    assert (seat.user_id, seat.status) == (people["district2"].pk, "pending")

    assert decide(people["district"], submitted).status_code == 302
    page = login(people["district2"]).get("/tasks/").content.decode()
    assert "助老服务案例" in page
    detail = login(people["district2"]).get(f"/nominations/{submitted.pk}/").content.decode()
    assert "（后加签）" in detail
    assert decide(people["district2"], submitted, opinion="复核同意").status_code == 302
    submitted.refresh_from_db()
    assert submitted.stage == "committee_review"
    done = login(people["committee"]).get(f"/nominations/{submitted.pk}/").content.decode()
    assert "区民政局意见（后加签）：同意" in done


def test_a_refused_addition_is_said_on_the_page(submitted, people):  # noqa: F811
    decide(people["leader"], submitted)
    submitted.refresh_from_db()
    response = login(people["district"]).post(
        f"/tasks/{submitted.task_id}/add-signer",
        {"nomination": submitted.pk, "user": people["district"].pk, "position": "before", "reason": "自己"},
        follow=True,
    )
    assert "不能给自己加签" in response.content.decode()
    assert not StageSeat.objects.filter(task_id=submitted.task_id).exists()


def test_a_reviewer_adds_a_post_from_the_task_page_and_its_holder_decides(submitted, people, tree):  # noqa: F811
    secretary = user_with_role(Role.PARTY_SECRETARY, tree.party, username="page_secretary")
    decide(people["leader"], submitted)
    submitted.refresh_from_db()
    page = login(people["district"]).get(f"/nominations/{submitted.pk}/").content.decode()
    assert 'id="add-post"' in page
    assert f'<option value="party_secretary@{tree.party.pk}">' in page
    assert f'<option value="district_reviewer@{tree.district.pk}">' not in page  # the reviewer's own post

    response = login(people["district"]).post(
        f"/tasks/{submitted.task_id}/add-signer",
        {"nomination": submitted.pk, "user": "", "post": f"party_secretary@{tree.party.pk}", "position": "before",
         "reason": "请党组织把关"},
        follow=True,
    )  # fmt: skip
    assert "已前加签" in response.content.decode()
    seat = StageSeat.objects.get(task_id=submitted.task_id, kind="before")
    assert (seat.user_id, seat.role, seat.org_id) == (None, "party_secretary", tree.party.pk)
    detail = login(secretary).get(f"/nominations/{submitted.pk}/").content.decode()
    assert f"{tree.party.name}（{documents.post_of('party_secretary')}，前加签）" in detail  # still to sign
    assert decide(secretary, submitted, opinion="党组织同意").status_code == 302
    assert decide(people["district"], submitted).status_code == 302
    submitted.refresh_from_db()
    assert submitted.stage == "committee_review"


def test_choosing_neither_a_person_nor_a_post_is_said_on_the_page(submitted, people):  # noqa: F811
    decide(people["leader"], submitted)
    submitted.refresh_from_db()
    response = login(people["district"]).post(
        f"/tasks/{submitted.task_id}/add-signer",
        {"nomination": submitted.pk, "user": "", "post": "", "position": "before", "reason": "请把关"},
        follow=True,
    )
    assert "请选择加签人员或加签岗位" in response.content.decode()
    assert not StageSeat.objects.filter(task_id=submitted.task_id).exists()
