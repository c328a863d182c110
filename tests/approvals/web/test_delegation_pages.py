"""The 代签 page: set a delegate, the delegate decides from the inbox, the holder revokes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from approvals.models import Delegation, SignOff
from tests.approvals.web.test_nomination_pages import campaign, decide, login, people, submitted  # noqa: F401
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


def test_the_holder_sets_a_delegate_who_decides_and_the_page_shows_both(tree, submitted, people):  # noqa: F811
    deputy = user_with_role(Role.SUBMITTER, tree.district, username="deputy")
    decide(people["leader"], submitted)
    holder = login(people["district"])
    page = holder.get("/delegations/").content.decode()
    assert "设置代签" in page
    assert f'value="district_reviewer:{tree.district.pk}"' in page
    assert "代签" in holder.get("/").content.decode()

    today = timezone.localdate()
    response = holder.post(
        "/delegations/new",
        {"grant": f"district_reviewer:{tree.district.pk}", "delegate": deputy.pk, "starts_on": today.isoformat(),
         "ends_on": (today + timedelta(days=3)).isoformat(), "reason": "出差"},
        follow=True,
    )  # fmt: skip
    assert "已设置代签" in response.content.decode()
    delegation = Delegation.objects.get()
    assert (delegation.principal_id, delegation.delegate_id) == (people["district"].pk, deputy.pk)

    # the delegate finds the task in the inbox and approves it on the nomination page
    assert "助老服务案例" in login(deputy).get("/tasks/").content.decode()
    assert "生效中" in login(deputy).get("/delegations/").content.decode()
    assert decide(deputy, submitted).status_code == 302
    signoff = SignOff.objects.get(nomination=submitted, stage="district_review")
    assert signoff.on_behalf_of_id == people["district"].pk
    nomination_page = login(people["committee"]).get(f"/nominations/{submitted.pk}/").content.decode()
    assert f"{people['district'].display_name}（{deputy.display_name}代签）" in nomination_page  # names, no accounts

    # the holder revokes it
    response = holder.post(f"/delegations/{delegation.pk}/revoke", follow=True)
    assert "已撤销代签" in response.content.decode()
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


def test_a_bad_delegation_is_refused_in_chinese_and_nothing_is_saved(tree, people):  # noqa: F811
    response = login(people["district"]).post(
        "/delegations/new",
        {"grant": f"district_reviewer:{tree.district.pk}", "delegate": people["other_district"].pk,
         "starts_on": timezone.localdate().isoformat(), "ends_on": timezone.localdate().isoformat()},
        follow=True,
    )  # fmt: skip
    assert "代签人须为本组织的其他在岗人员" in response.content.decode()
    assert not Delegation.objects.exists()
