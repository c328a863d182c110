"""退回到指定环节 on the review page: the select of earlier stages, the return and the timeline."""

from __future__ import annotations

import re

import pytest

from approvals.models import Nomination, SignOff
from tests.approvals.web.test_nomination_pages import campaign, decide, login, people, submitted  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_key_file")]


def test_the_review_page_offers_the_earlier_stages_with_the_unit_first(submitted, people):  # noqa: F811
    decide(people["leader"], submitted)
    decide(people["district"], submitted)
    submitted.refresh_from_db()

    page = login(people["committee"]).get(f"/nominations/{submitted.pk}/").content.decode()

    select = re.search(r'<select id="to_stage" name="to_stage"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1))
    assert [(value, label) for value, _selected, label in options] == [
        ("", "申报单位（修改后重新提交）"), ("unit_opinion", "单位意见"), ("district_review", "区民政局意见"),
    ]  # fmt: skip
    assert options[0][1] == " selected"


def test_the_first_stage_has_no_earlier_stage_to_offer(submitted, people):  # noqa: F811
    page = login(people["leader"]).get(f"/nominations/{submitted.pk}/").content.decode()
    assert "退回修改" in page
    assert 'name="to_stage"' not in page


def test_the_committee_returns_to_the_district_and_the_district_signs_again(submitted, people):  # noqa: F811
    decide(people["leader"], submitted)
    decide(people["district"], submitted)
    submitted.refresh_from_db()

    response = login(people["committee"]).post(
        f"/tasks/{submitted.task_id}/decide",
        {"decision": "return", "opinion": "请核实服务人次", "to_stage": "district_review", "nomination": submitted.pk},
    )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.stage) == (Nomination.Status.IN_REVIEW, "district_review")
    page = login(people["district"]).get(f"/nominations/{submitted.pk}/").content.decode()
    assert "组委会意见：退回至“区民政局意见”" in page
    assert "请核实服务人次" in page
    assert "办理：区民政局意见" in page
    assert decide(people["district"], submitted).status_code == 302
    submitted.refresh_from_db()
    assert submitted.stage == "committee_review"


def test_an_approval_ignores_the_select(submitted, people):  # noqa: F811
    decide(people["leader"], submitted)
    submitted.refresh_from_db()
    response = login(people["district"]).post(
        f"/tasks/{submitted.task_id}/decide",
        {"decision": "approve", "opinion": "", "to_stage": "unit_opinion", "nomination": submitted.pk},
    )
    assert response.status_code == 302
    assert SignOff.objects.filter(nomination=submitted).values_list("stage", "decision", "to_stage")[1] == (
        "district_review", "approve", "",
    )  # fmt: skip
