"""Never a 500 for what a client sends (issue 16): hostile characters, deep JSON, NUL in paths and queries.

Each refusal is a 400 that names the field (``errors``) with a stable code; nothing is stored.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.api.serializers import UserCreate, UserUpdate
from approvals.models import Nomination, Objection
from tests.campaigns import CASE_FORM, STAGES, campaign_admin, make_campaign
from workflows.models import Campaign

pytestmark = pytest.mark.django_db

HOSTILE = ["\x00", "a\x00b", "\ud800", "x\udfff", "\u202e", "abc\u202dxyz", "\u2066", "\x01\x1b", "\x7f", "\x85"]
DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def _json(value):
    """Serialise as a client would; lone surrogates go out as \\udXXX escapes (valid JSON text)."""
    return json.dumps(value)


def _post(client, path, body, method="post"):
    return getattr(client, method)(path, data=_json(body), content_type="application/json")


def _assert_refused(response, *fields):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_characters"
    assert set(fields) <= set(body["errors"]), body["errors"]


@pytest.fixture(autouse=True)
def generous_objection_limits(settings):
    """The objection limits count in Redis across tests: these requests must not meet them."""
    settings.SEALFLOW_OBJECTION_RATE_PER_ADDRESS = "100000/h"
    settings.SEALFLOW_OBJECTION_RATE_PER_PHONE = "100000/d"


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.committee)


@pytest.fixture
def nomination(tree, campaign, submitter, client_for):
    response = _post(
        client_for(submitter),
        "/api/v1/nominations",
        {"campaign": campaign.pk, "unit": tree.unit.pk, "kind": "case", "title": "助老服务案例", "form": {}},
    )
    assert response.status_code == 201, response.content
    return Nomination.objects.get(pk=response.json()["id"])


# --- hostile characters in every text field ------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_token_request(value):
    _assert_refused(_post(APIClient(), "/api/v1/auth/token", {"username": value, "password": "x"}), "username")


@pytest.mark.parametrize("value", HOSTILE)
def test_public_objection(value):
    body = {"nomination": 1, "name": "赵异议", "phone": "13900001111", "content": f"内容{value}足够长的异议内容"}

    _assert_refused(_post(APIClient(), "/api/v1/public/objections", body), "content")
    assert not Objection.objects.exists()


@pytest.mark.parametrize("value", HOSTILE)
def test_nomination_create_title_and_form(tree, campaign, submitter, client_for, value):
    body = {
        "campaign": campaign.pk, "unit": tree.unit.pk, "kind": "case", "title": f"标题{value}",
        "form": {"summary": value, "members": [{"name": "张三"}, {"name": value}]},
    }  # fmt: skip

    response = _post(client_for(submitter), "/api/v1/nominations", body)

    _assert_refused(response, "title", "form.summary", "form.members[1].name")
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("value", HOSTILE)
def test_nomination_patch(nomination, submitter, client_for, value):
    response = _post(client_for(submitter), f"/api/v1/nominations/{nomination.pk}", {"form": {"contact_phone": value}},
                     method="patch")  # fmt: skip

    _assert_refused(response, "form.contact_phone")
    nomination.refresh_from_db()
    assert nomination.form == {}


@pytest.mark.parametrize("value", HOSTILE)
def test_campaign_create(tree, client_for, value):
    admin = campaign_admin(tree.committee)
    body = {
        "title": f"评选{value}", "host_org": tree.committee.pk, "forms": {"case": CASE_FORM},
        "opens_at": "2024-08-01", "submission_deadline": "2024-09-18", "stages": STAGES,
    }  # fmt: skip

    response = _post(client_for(admin), "/api/v1/campaigns", body)

    _assert_refused(response, "title")
    assert not Campaign.objects.exists()


def test_a_bad_key_is_refused_at_its_parent(tree, campaign, submitter, client_for):
    body = {"campaign": campaign.pk, "unit": tree.unit.pk, "kind": "case", "form": {"sum\x00mary": "x"}}

    _assert_refused(_post(client_for(submitter), "/api/v1/nominations", body), "form")


# --- real names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200d", "\u3164", "\ufeff"])
def test_objection_name_must_be_a_name(name):
    body = {
        "nomination": 1,
        "name": name,
        "phone": "13900001111",
        "content": "该案例的服务对象数量与实际不符，请核实。",
    }

    response = _post(APIClient(), "/api/v1/public/objections", body)

    assert response.status_code == 400
    assert "name" in response.json()["errors"]


@pytest.mark.parametrize("serializer", [UserCreate, UserUpdate])
def test_display_name_must_be_a_name(serializer):
    data = {"display_name": "\u200b"}
    if serializer is UserCreate:
        data.update(username="someone", password="Secret-Pass-2024")

    checked = serializer(data=data)

    assert not checked.is_valid()
    assert "display_name" in checked.errors


def test_a_required_form_name_of_zero_width_space_is_empty_at_submit(nomination, submitter, client_for):
    client = client_for(submitter)
    assert _post(client, f"/api/v1/nominations/{nomination.pk}", {"form": {"summary": "\u200b\u200b"}},
                 method="patch").status_code == 200  # fmt: skip

    response = client.post(f"/api/v1/nominations/{nomination.pk}/submit", format="json")

    assert response.status_code == 400
    assert "form.summary" in response.json()["errors"]


# --- JSON depth -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/public/objections", "/api/v1/nominations"])
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT])
def test_json_nested_too_deep_is_400_before_parsing(path, body, submitter, client_for):
    response = client_for(submitter).post(path, data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


def test_json_within_the_depth_limit_is_parsed(submitter, client_for):
    body = {"campaign": 1, "unit": 1, "kind": "case", "form": json.loads('{"a":' * 60 + "1" + "}" * 60)}

    response = _post(client_for(submitter), "/api/v1/nominations", body)

    assert response.status_code in (400, 404)
    assert response.json()["code"] != "json_too_deep"


# --- paths and query strings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/api/v1/nominations?status=%00", "/api/v1/nominations?status=%E2%80%AE", "/api/v1/nominations?%00=1",
     "/api/v1/public/objections/%00", "/api/v1/campaigns/%00/publicity"],
)  # fmt: skip
def test_nul_in_path_or_query_is_400(submitter, client_for, url):
    response = client_for(submitter).get(url)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_characters"


def test_nul_in_a_web_page_query_is_a_400_page(client):
    response = client.get("/accounts/login/?next=%00")

    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


@pytest.mark.parametrize("value", ["\x00", "\u202e", "\x1b"])
def test_web_form_post_with_hostile_characters_is_400_naming_the_field(client, value):
    response = client.post("/accounts/login/", {"username": f"admin{value}", "password": "x"})

    assert response.status_code == 400
    assert "username" in response.content.decode()


def test_web_json_caller_gets_json_errors(client):
    response = client.post("/accounts/login/", {"username": "\x00"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"username": [response.json()["detail"]]}


# --- fuzz ---------------------------------------------------------------------------------------------

_hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            ["\x00", "\ud800", "\udfff", "\u202a", "\u202e", "\u2066", "\u2069", "\x1b", "\x85", "\u200b"]
        ),
    ),
    max_size=20,
)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _hostile_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_hostile_text, children, max_size=3),
    max_leaves=8,
)
_fuzz = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _assert_no_500_and_named(response, fields):
    """Below 500 always; a refusal of characters is a 400 whose errors name fields that were sent."""
    assert response.status_code < 500, response.content
    body = response.json()
    if body.get("code") == "invalid_characters":
        assert response.status_code == 400
        named = {key.split(".")[0].split("[")[0] for key in body["errors"]}
        assert named, body
        assert named <= fields | {"__all__"}, body


@_fuzz
@given(username=_hostile_text, password=_hostile_text)
def test_fuzz_token(username, password):
    response = _post(APIClient(), "/api/v1/auth/token", {"username": username, "password": password})

    _assert_no_500_and_named(response, {"username", "password"})


@_fuzz
@given(name=_hostile_text, phone=_hostile_text, content=_hostile_text, extra=_json_values)
def test_fuzz_public_objection(name, phone, content, extra):
    body = {"nomination": 1, "name": name, "phone": phone, "content": content, "unit_name": extra}

    response = _post(APIClient(), "/api/v1/public/objections", body)

    _assert_no_500_and_named(response, {"name", "phone", "content", "unit_name"})


@_fuzz
@given(title=_hostile_text, form=st.dictionaries(st.sampled_from(["summary", "contact_phone", "members", "x"]),
                                                 _json_values, max_size=3))  # fmt: skip
def test_fuzz_nomination_create_and_patch(tree, campaign, nomination, submitter, client_for, title, form):
    client = client_for(submitter)
    body = {"campaign": campaign.pk, "unit": tree.unit.pk, "kind": "case", "title": title, "form": form}
    created = _post(client, "/api/v1/nominations", body)
    patched = _post(client, f"/api/v1/nominations/{nomination.pk}", {"title": title, "form": form}, method="patch")

    _assert_no_500_and_named(created, {"title", "form"})
    _assert_no_500_and_named(patched, {"title", "form"})


@pytest.fixture
def admin_client(tree, client_for):
    return client_for(campaign_admin(tree.committee))


@_fuzz
@given(title=_hostile_text, description=_hostile_text, bodies=_json_values)
def test_fuzz_campaign_create(tree, admin_client, title, description, bodies):
    body = {"title": title, "host_org": tree.committee.pk, "description": description, "bodies": bodies,
            "forms": {"case": CASE_FORM}, "opens_at": "2024-08-01", "submission_deadline": "2024-09-18"}  # fmt: skip

    response = _post(admin_client, "/api/v1/campaigns", body)

    _assert_no_500_and_named(response, {"title", "description", "bodies"})


# --- the same validator in the form engine (web pages, autosave) and the Excel import ---------------


def test_form_engine_refuses_hostile_values_even_in_a_draft():
    from workflows import forms

    data = {"contact_phone": "138\x00", "summary": "ok\u202e", "members": [{"name": "\ud800"}]}

    errors = forms.validate_form_data(CASE_FORM, data, partial=True)

    assert {"contact_phone", "summary", "members"} <= set(errors)


def test_form_engine_single_line_text_refuses_line_breaks_inside():
    from workflows import forms

    errors = forms.validate_form_data(CASE_FORM, {"members": [{"name": "张\n三"}]}, partial=True)

    assert "members[0].name" in errors


def test_excel_import_reports_hostile_cells_by_column(tree, campaign):
    import io

    import openpyxl

    from approvals import excel

    workbook = openpyxl.load_workbook(io.BytesIO(excel.template_workbook(campaign, "case")))
    sheet = workbook[excel.DATA_SHEET]
    sheet.append(["U\u202e1", "标题\u2066", "简介\x85内容足够长的一段话", "2024-01-01", "13812345678"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    (row,) = excel.read_rows(campaign, "case", io.BytesIO(buffer.getvalue()))

    assert {"申报单位编码", "申报名称", "案例简介"} <= set(row.errors)
    assert row.unit_code == ""
