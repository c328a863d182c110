"""Forms as data: definitions, validation of values (draft and submit), cleaning, masking. No database."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from workflows import forms, seed_forms
from workflows.forms import (
    NON_FIELD_KEY,
    AttachmentInfo,
    InvalidFormDefinition,
    clean_form_data,
    mask_form_data,
    personal_paths,
    validate_form_data,
    validate_form_definition,
)

TODAY = date(2024, 9, 10)


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 from its definition: position i counted from the right (check = 1) weighs 2^(i-1) mod 11."""
    total = sum(int(digit) * pow(2, 17 - index, 11) for index, digit in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_id(area: str = "310104", birth: str = "19880615", sequence: str = "042") -> str:
    first17 = area + birth + sequence
    return first17 + id_check_char(first17)


def wrong_check(id_number: str) -> str:
    """The same number with a different, wrong check character."""
    right = id_number[17]
    return id_number[:17] + ("0" if right != "0" else "1")


def one(field_type: str, **options: Any) -> dict[str, Any]:
    """A definition with one field "f" labelled "字段"."""
    return {"fields": [{"key": "f", "label": "字段", "type": field_type, **options}]}


def check(definition: dict[str, Any], value: Any, *, partial: bool = False, **kwargs: Any) -> list[str]:
    """The messages for field "f" when it holds ``value``."""
    kwargs.setdefault("today", TODAY)
    return validate_form_data(definition, {"f": value}, partial=partial, **kwargs).get("f", [])


TEAM_FORM: dict[str, Any] = {
    "fields": [
        {"key": "name", "label": "案例名称", "type": "text", "required": True, "max_length": 50},
        {
            "key": "members",
            "label": "团队成员",
            "type": "person_list",
            "required": True,
            "min_count": 1,
            "max_count": 5,
            "fields": [
                {"key": "name", "label": "姓名", "type": "text", "required": True, "max_length": 20},
                {"key": "sex", "label": "性别", "type": "choice", "options": ["男", "女"]},
                {"key": "id_number", "label": "身份证号", "type": "id_number"},
                {"key": "phone", "label": "手机号", "type": "phone", "required": True},
            ],
        },
        {"key": "id_number", "label": "身份证号", "type": "id_number"},
        {"key": "phone", "label": "联系电话", "type": "phone"},
        {"key": "email", "label": "电子邮箱", "type": "email", "personal": True},
        {"key": "served_person", "label": "服务对象姓名", "type": "text", "personal": True},
        {"key": "public_phone", "label": "服务热线", "type": "phone", "personal": False},
    ]
}


def member(index: int = 0, **values: Any) -> dict[str, Any]:
    return {"name": f"成员{index}", "sex": "女", "phone": f"1380013800{index % 10}", **values}


# ---------------------------------------------------------------------------------------------------------------------
# Definitions


def test_minimal_definition_is_valid() -> None:
    assert validate_form_definition(one("text")) == {}


def test_every_field_type_with_every_option_is_valid() -> None:
    definition = {
        "fields": [
            {
                "key": "a",
                "label": "甲",
                "type": "text",
                "required": True,
                "help": "说明",
                "min_length": 1,
                "max_length": 9,
            },
            {"key": "b", "label": "乙", "type": "long_text", "min_length": 0, "max_length": 5000},
            {"key": "c", "label": "丙", "type": "choice", "options": ["一", "二", "三"], "multiple": True},
            {
                "key": "c2",
                "label": "丙二",
                "type": "choice",
                "options": ["一", "二"],
                "multiple": True,
                "max_choices": 2,
            },
            {"key": "d", "label": "丁", "type": "number", "min": 0, "max": 2.5, "integer": False},
            {"key": "e", "label": "戊", "type": "date", "min": "2013-09-01", "max": "2014-12-31"},
            {"key": "f", "label": "己", "type": "id_number", "personal": True},
            {"key": "g", "label": "庚", "type": "phone", "personal": False},
            {"key": "h", "label": "辛", "type": "email"},
            {"key": "i", "label": "壬", "type": "boolean"},
            {
                "key": "j",
                "label": "癸",
                "type": "person_list",
                "min_count": 0,
                "max_count": 5,
                "fields": [
                    {"key": "name", "label": "姓名", "type": "text"},
                    {"key": "age", "label": "年龄", "type": "number"},
                ],
            },
            {"key": "k", "label": "附件", "type": "files", "allowed_types": ["pdf", "docx"], "max_size_mb": 10},
            {"key": "l", "label": "图片", "type": "images", "allowed_types": ["jpg"], "min_count": 3, "max_count": 5},
        ]
    }
    assert validate_form_definition(definition) == {}


@pytest.mark.parametrize("definition", [None, [], "fields", 3])
def test_definition_that_is_not_an_object_is_refused(definition: object) -> None:
    assert list(validate_form_definition(definition)) == [NON_FIELD_KEY]


@pytest.mark.parametrize("definition", [{}, {"fields": None}, {"fields": "name"}, {"fields": {"key": "a"}}])
def test_definition_without_a_list_of_fields_is_refused(definition: object) -> None:
    assert list(validate_form_definition(definition)) == ["fields"]


def test_empty_form_is_valid_and_accepts_only_an_empty_object() -> None:
    empty: dict[str, list[object]] = {"fields": []}
    assert validate_form_definition(empty) == {}
    assert validate_form_data(empty, {}, partial=False) == {}
    assert validate_form_data(empty, {"name": "案例"}, partial=True) == {"name": ["未知的字段“name”"]}


def test_unknown_top_level_property_is_refused() -> None:
    definition = {**one("text"), "title": "申报表"}
    assert list(validate_form_definition(definition)) == ["title"]


def test_field_that_is_not_an_object_is_refused() -> None:
    assert list(validate_form_definition({"fields": ["name"]})) == ["fields[0]"]


@pytest.mark.parametrize("key", [None, "", "Name", "1st", "case-name", "名称", "a" * 51, "name\n"])
def test_bad_field_key_is_refused(key: object) -> None:
    definition = {"fields": [{"key": key, "label": "名称", "type": "text"}]}
    assert list(validate_form_definition(definition)) == ["fields[0].key"]


def test_duplicate_field_key_is_refused() -> None:
    definition = {"fields": [{"key": "name", "label": "名称", "type": "text"}] * 2}
    errors = validate_form_definition(definition)
    assert list(errors) == ["fields[1].key"]
    assert "“name”重复" in errors["fields[1].key"][0]


@pytest.mark.parametrize("label", [None, "", "  ", 3])
def test_missing_label_is_refused(label: object) -> None:
    assert list(validate_form_definition({"fields": [{"key": "a", "label": label, "type": "text"}]})) == [
        "fields[0].label"
    ]


def test_unknown_and_missing_types_are_refused() -> None:
    errors = validate_form_definition(
        {"fields": [{"key": "a", "label": "甲", "type": "rich_text"}, {"key": "b", "label": "乙"}]}
    )
    assert list(errors) == ["fields[0].type", "fields[1].type"]
    assert "“甲”的类型“rich_text”未知" in errors["fields[0].type"][0]


@pytest.mark.parametrize(("option", "value"), [("required", "yes"), ("personal", 1), ("help", ["说明"])])
def test_common_options_of_wrong_type_are_refused(option: str, value: object) -> None:
    assert list(validate_form_definition(one("text", **{option: value}))) == [f"fields[0].{option}"]


@pytest.mark.parametrize(
    ("field_type", "option", "value"),
    [("text", "options", ["a"]), ("number", "max_length", 5), ("boolean", "min", 0), ("files", "multiple", True)],
)
def test_option_of_another_type_is_refused(field_type: str, option: str, value: object) -> None:
    definition = one(field_type, **{option: value})
    if field_type == "choice":
        definition["fields"][0]["options"] = ["a"]
    assert f"fields[0].{option}" in validate_form_definition(definition)


@pytest.mark.parametrize(
    ("options", "bad_key"),
    [
        ({"min_length": 10, "max_length": 5}, "max_length"),
        ({"min_length": -1}, "min_length"),
        ({"max_length": 0}, "max_length"),
        ({"max_length": True}, "max_length"),
        ({"max_length": "50"}, "max_length"),
        ({"max_length": forms.HARD_MAX_TEXT_LENGTH + 1}, "max_length"),
    ],
)
def test_bad_text_lengths_are_refused(options: dict[str, Any], bad_key: str) -> None:
    assert list(validate_form_definition(one("long_text", **options))) == [f"fields[0].{bad_key}"]


@pytest.mark.parametrize(
    ("options", "bad_key"),
    [
        ({}, "options"),
        ({"options": []}, "options"),
        ({"options": "男,女"}, "options"),
        ({"options": ["男", "男"]}, "options"),
        ({"options": ["男", ""]}, "options"),
        ({"options": ["男", 1]}, "options"),
        ({"options": [" 男"]}, "options"),
        ({"options": ["男", "女"], "multiple": "yes"}, "multiple"),
        ({"options": ["男", "女"], "min_choices": 1}, "min_choices"),
        ({"options": ["男", "女"], "multiple": True, "max_choices": 3}, "max_choices"),
        ({"options": ["男", "女"], "multiple": True, "max_choices": 0}, "max_choices"),
        ({"options": ["甲", "乙", "丙"], "multiple": True, "min_choices": 3, "max_choices": 2}, "max_choices"),
    ],
)
def test_bad_choice_options_are_refused(options: dict[str, Any], bad_key: str) -> None:
    assert list(validate_form_definition(one("choice", **options))) == [f"fields[0].{bad_key}"]


@pytest.mark.parametrize(
    ("options", "bad_key"),
    [
        ({"min": 10, "max": 5}, "max"),
        ({"min": "0"}, "min"),
        ({"max": True}, "max"),
        ({"max": float("inf")}, "max"),
        ({"integer": "true"}, "integer"),
    ],
)
def test_bad_number_options_are_refused(options: dict[str, Any], bad_key: str) -> None:
    assert list(validate_form_definition(one("number", **options))) == [f"fields[0].{bad_key}"]


@pytest.mark.parametrize(
    ("options", "bad_key"),
    [
        ({"min": "2014-12-31", "max": "2013-09-01"}, "max"),
        ({"min": "2013/09/01"}, "min"),
        ({"max": "2014-02-30"}, "max"),
        ({"max": 20141231}, "max"),
    ],
)
def test_bad_date_options_are_refused(options: dict[str, Any], bad_key: str) -> None:
    assert list(validate_form_definition(one("date", **options))) == [f"fields[0].{bad_key}"]


def test_person_list_needs_sub_fields() -> None:
    assert list(validate_form_definition(one("person_list"))) == ["fields[0].fields"]
    assert list(validate_form_definition(one("person_list", fields=[]))) == ["fields[0].fields"]


@pytest.mark.parametrize("sub_type", ["person_list", "files", "images"])
def test_person_list_sub_fields_cannot_be_lists_or_files(sub_type: str) -> None:
    definition = one("person_list", fields=[{"key": "name", "label": "姓名", "type": "text"}])
    definition["fields"][0]["fields"].append({"key": "sub", "label": "子项", "type": sub_type})
    assert list(validate_form_definition(definition)) == ["fields[0].fields[1].type"]


def test_invalid_person_list_sub_fields_are_reported_by_path() -> None:
    definition = one(
        "person_list",
        fields=[
            {"key": "name", "label": "姓名", "type": "text", "max_length": 0},
            {"key": "name", "label": "姓名", "type": "text"},
            {"key": "phone", "label": "手机号", "type": "phone", "max_length": 11},
        ],
        max_count=0,
    )
    assert set(validate_form_definition(definition)) == {
        "fields[0].max_count",
        "fields[0].fields[0].max_length",
        "fields[0].fields[1].key",
        "fields[0].fields[2].max_length",
    }


def test_personal_flag_belongs_on_person_list_sub_fields() -> None:
    definition = one("person_list", personal=True, fields=[{"key": "name", "label": "姓名", "type": "text"}])
    assert list(validate_form_definition(definition)) == ["fields[0].personal"]


@pytest.mark.parametrize(
    ("field_type", "options", "bad_key"),
    [
        ("files", {"allowed_types": ["pdf", "exe"]}, "allowed_types"),
        ("files", {"allowed_types": []}, "allowed_types"),
        ("files", {"allowed_types": "pdf"}, "allowed_types"),
        ("files", {"allowed_types": ["pdf", "pdf"]}, "allowed_types"),
        ("files", {"allowed_types": ["PDF"]}, "allowed_types"),
        ("images", {"allowed_types": ["jpg", "pdf"]}, "allowed_types"),
        ("images", {"allowed_types": ["mp4"]}, "allowed_types"),
        ("files", {"max_size_mb": 0}, "max_size_mb"),
        ("files", {"max_size_mb": "10"}, "max_size_mb"),
        ("images", {"min_count": 5, "max_count": 3}, "max_count"),
        ("images", {"max_count": 0}, "max_count"),
        ("files", {"min_count": -1}, "min_count"),
    ],
)
def test_bad_attachment_options_are_refused(field_type: str, options: dict[str, Any], bad_key: str) -> None:
    assert list(validate_form_definition(one(field_type, **options))) == [f"fields[0].{bad_key}"]


def test_unknown_file_type_is_named_in_the_message() -> None:
    errors = validate_form_definition(one("files", allowed_types=["exe"]))
    assert "“exe”" in errors["fields[0].allowed_types"][0]


def test_data_functions_refuse_an_invalid_definition() -> None:
    bad = one("rich_text")
    with pytest.raises(InvalidFormDefinition) as raised:
        validate_form_data(bad, {}, partial=True)
    assert "fields[0].type" in raised.value.errors
    for function in (clean_form_data, mask_form_data, personal_paths):
        with pytest.raises(InvalidFormDefinition):
            function(bad, {})


def test_definition_helpers_list_keys_labels_and_types() -> None:
    assert forms.field_keys(TEAM_FORM) == {
        "name",
        "members",
        "id_number",
        "phone",
        "email",
        "served_person",
        "public_phone",
    }
    assert forms.field_labels(TEAM_FORM)["members"] == "团队成员"
    assert forms.field_types(TEAM_FORM)["members"] == "person_list"


# ---------------------------------------------------------------------------------------------------------------------
# Data: the object as a whole


@pytest.mark.parametrize("data", [None, [], "name=x"])
def test_data_that_is_not_an_object_is_refused(data: object) -> None:
    assert list(validate_form_data(TEAM_FORM, data, partial=True)) == [NON_FIELD_KEY]


@pytest.mark.parametrize("partial", [True, False])
def test_unknown_keys_are_errors_in_drafts_and_at_submit(partial: bool) -> None:
    data = {"name": "案例", "members": [member()], "note": "x"}
    errors = validate_form_data(TEAM_FORM, data, partial=partial)
    assert errors == {"note": ["未知的字段“note”"]}


def test_required_fields_are_checked_only_at_submit() -> None:
    assert validate_form_data(TEAM_FORM, {}, partial=True) == {}
    errors = validate_form_data(TEAM_FORM, {"name": "  ", "members": []}, partial=False)
    assert errors == {"name": ["“案例名称”不能为空"], "members": ["“团队成员”不能为空"]}


def test_empty_optional_field_skips_every_check() -> None:
    definition = one("images", min_count=3, max_count=5)
    assert check(definition, []) == []
    assert check(definition, None) == []
    assert check(one("text", min_length=200), "") == []


# ---------------------------------------------------------------------------------------------------------------------
# text and long_text


@pytest.mark.parametrize("field_type", ["text", "long_text"])
def test_text_within_limits_passes(field_type: str) -> None:
    assert check(one(field_type, min_length=2, max_length=5), "德化微服务") == []


@pytest.mark.parametrize("partial", [True, False])
def test_text_longer_than_max_length_is_an_error_even_in_a_draft(partial: bool) -> None:
    definition = {"fields": [{"key": "name", "label": "案例名称", "type": "text", "max_length": 50}]}
    errors = validate_form_data(definition, {"name": "案" * 51}, partial=partial)
    assert errors == {"name": ["“案例名称”不能超过 50 个字（现为 51 个字）"]}


def test_text_of_exactly_max_length_passes() -> None:
    assert check(one("text", max_length=50), "案" * 50) == []


def test_text_shorter_than_min_length_is_an_error_only_at_submit() -> None:
    definition = one("long_text", min_length=200, max_length=300)
    assert check(definition, "案" * 199) == ["“字段”不能少于 200 个字（现为 199 个字）"]
    assert check(definition, "案" * 199, partial=True) == []
    assert check(definition, "案" * 200) == []


def test_text_length_is_counted_without_surrounding_spaces() -> None:
    assert check(one("text", max_length=3), "  一二三 \n") == []
    assert check(one("text", min_length=3), " 一二 ") != []


def test_text_without_max_length_is_capped() -> None:
    assert check(one("long_text"), "字" * forms.HARD_MAX_TEXT_LENGTH, partial=True) == []
    assert check(one("long_text"), "字" * (forms.HARD_MAX_TEXT_LENGTH + 1), partial=True) != []


@pytest.mark.parametrize("partial", [True, False])
@pytest.mark.parametrize("value", [123, ["案例"], {"a": 1}, True])
def test_text_of_wrong_type_is_an_error(value: object, partial: bool) -> None:
    assert check(one("text"), value, partial=partial) == ["“字段”须为文本"]


# ---------------------------------------------------------------------------------------------------------------------
# choice


SEX = one("choice", options=["男", "女"])
TAGS = one("choice", options=["讲故事", "相声", "快板", "视频"], multiple=True, min_choices=1, max_choices=2)


def test_single_choice_accepts_an_option() -> None:
    assert check(SEX, "女") == []
    assert check(SEX, " 男 ") == []


@pytest.mark.parametrize("partial", [True, False])
def test_single_choice_refuses_a_value_outside_the_options(partial: bool) -> None:
    assert check(SEX, "未知", partial=partial) == ["“字段”没有“未知”这个选项"]


@pytest.mark.parametrize("value", [["男"], 1, True])
def test_single_choice_refuses_a_non_string(value: object) -> None:
    assert check(SEX, value, partial=True) == ["“字段”须为一个选项"]


def test_multiple_choice_accepts_a_list_of_options() -> None:
    assert check(TAGS, ["视频", "讲故事"]) == []


@pytest.mark.parametrize("value", ["视频", [1], {"视频": True}])
def test_multiple_choice_refuses_a_non_list(value: object) -> None:
    assert check(TAGS, value, partial=True) == ["“字段”须为选项列表"]


def test_multiple_choice_refuses_unknown_and_repeated_options() -> None:
    assert check(TAGS, ["视频", "小品"]) == ["“字段”没有“小品”这个选项"]
    assert check(TAGS, ["视频", "视频"]) == ["“字段”的选项有重复"]


def test_multiple_choice_max_choices_holds_in_drafts() -> None:
    assert check(TAGS, ["视频", "相声", "快板"], partial=True) == ["“字段”最多选择 2 项"]


def test_multiple_choice_min_choices_holds_only_at_submit() -> None:
    definition = one("choice", options=["甲", "乙", "丙"], multiple=True, min_choices=2)
    assert check(definition, ["甲"]) == ["“字段”至少选择 2 项"]
    assert check(definition, ["甲"], partial=True) == []
    assert check(definition, ["甲", "乙"]) == []


def test_required_multiple_choice_needs_at_least_one_option() -> None:
    definition = one("choice", options=["甲"], multiple=True, required=True)
    assert check(definition, []) == ["“字段”不能为空"]


# ---------------------------------------------------------------------------------------------------------------------
# number


AGE = one("number", min=16, max=100, integer=True)


@pytest.mark.parametrize("value", [16, 35, 100, "35", " 42 ", 35.0])
def test_number_in_range_passes(value: object) -> None:
    assert check(AGE, value) == []


@pytest.mark.parametrize("partial", [True, False])
@pytest.mark.parametrize("value", ["abc", "3 5", "1e3", True, [35], float("nan"), float("inf"), "-"])
def test_value_that_is_not_a_number_is_an_error(value: object, partial: bool) -> None:
    assert check(AGE, value, partial=partial) == ["“字段”须为数字"]


def test_integer_number_refuses_a_fraction() -> None:
    assert check(AGE, 35.5, partial=True) == ["“字段”须为整数"]
    assert check(AGE, "35.5") == ["“字段”须为整数"]


def test_fraction_passes_when_integer_is_not_required() -> None:
    assert check(one("number", min=0, max=100), "71.4") == []


def test_number_above_max_is_an_error_even_in_a_draft() -> None:
    assert check(AGE, 101, partial=True) == ["“字段”不能大于 100"]
    assert check(AGE, 101) == ["“字段”不能大于 100"]


def test_number_below_min_is_an_error_only_at_submit() -> None:
    assert check(AGE, 15) == ["“字段”不能小于 16"]
    assert check(AGE, 1, partial=True) == []


def test_negative_and_fractional_bounds_are_shown_plainly() -> None:
    definition = one("number", min=-1.5, max=2.0)
    assert check(definition, -2) == ["“字段”不能小于 -1.5"]
    assert check(definition, 3) == ["“字段”不能大于 2"]


# ---------------------------------------------------------------------------------------------------------------------
# date


PERIOD = one("date", min="2013-09-01", max="2014-12-31")


@pytest.mark.parametrize("value", ["2013-09-01", "2014-06-30", "2014-12-31", " 2014-01-01 "])
def test_date_in_range_passes(value: str) -> None:
    assert check(PERIOD, value) == []


@pytest.mark.parametrize("value", ["2014/01/01", "20140101", "2014-02-30", "2014-13-01", "2014-1-1", "昨天"])
def test_malformed_or_impossible_date_is_an_error_at_submit(value: str) -> None:
    assert check(PERIOD, value) == ["“字段”须为 YYYY-MM-DD 格式的有效日期"]


def test_date_outside_range_is_an_error_at_submit() -> None:
    assert check(PERIOD, "2013-08-31") == ["“字段”不能早于 2013-09-01"]
    assert check(PERIOD, "2015-01-01") == ["“字段”不能晚于 2014-12-31"]


def test_half_typed_date_passes_in_a_draft() -> None:
    assert check(PERIOD, "2014-0", partial=True) == []
    assert check(PERIOD, "2012-01-01", partial=True) == []


@pytest.mark.parametrize("value", ["昨天", "2014/01/01", "2014-01-01-01"])
def test_junk_date_is_an_error_in_a_draft(value: str) -> None:
    assert check(PERIOD, value, partial=True) == ["“字段”须为 YYYY-MM-DD 格式的日期"]


@pytest.mark.parametrize("partial", [True, False])
def test_date_of_wrong_type_is_an_error(partial: bool) -> None:
    assert check(PERIOD, 20140101, partial=partial) == ["“字段”须为日期"]


# ---------------------------------------------------------------------------------------------------------------------
# id_number


ID = {"fields": [{"key": "f", "label": "身份证号", "type": "id_number"}]}


def test_check_digit_helper_matches_the_algorithm() -> None:
    for first17 in ("11010519491231002", "44052418800101001", "31010419880615042", "35052619900307123"):
        assert forms.id_number_check_char(first17) == id_check_char(first17)


@pytest.mark.parametrize("id_number", ["11010519491231002X", "440524188001010014"])
def test_example_numbers_of_the_standard_pass(id_number: str) -> None:
    assert id_check_char(id_number[:17]) == id_number[17]
    assert check(ID, id_number) == []


@pytest.mark.parametrize(
    ("area", "birth", "sequence"),
    [
        ("310104", "19880615", "042"),
        ("350526", "19900307", "123"),
        ("440781", "20000229", "001"),
        ("110105", "19491231", "002"),
    ],
)
def test_computed_valid_numbers_pass(area: str, birth: str, sequence: str) -> None:
    assert check(ID, make_id(area, birth, sequence)) == []


def test_lower_case_x_check_character_passes() -> None:
    assert check(ID, "11010519491231002x") == []


def test_every_wrong_check_character_is_refused() -> None:
    valid = make_id()
    for char in "0123456789X":
        if char != valid[17]:
            assert check(ID, valid[:17] + char) == ["“身份证号”校验位不正确"]


def test_swapped_digits_are_caught_by_the_check_character() -> None:
    valid = make_id("350526", "19900307", "123")
    swapped = valid[:14] + valid[15] + valid[14] + valid[16:]
    assert check(ID, swapped) == ["“身份证号”校验位不正确"]


@pytest.mark.parametrize("value", ["31010419880615042", "3101041988061504201", "123"])
def test_id_number_of_wrong_length_is_refused(value: str) -> None:
    assert check(ID, value) == ["“身份证号”应为 18 位"]


@pytest.mark.parametrize("value", ["31010419880615X420", "3101041988061504A0", "31010419880615042Y"])
def test_id_number_with_letters_is_refused(value: str) -> None:
    assert check(ID, value) == ["“身份证号”只能包含数字，最后一位可以是 X"]


@pytest.mark.parametrize("birth", ["19900230", "19901301", "20230229", "00000000"])
def test_id_number_with_an_impossible_birth_date_is_refused(birth: str) -> None:
    assert check(ID, make_id(birth=birth)) == ["“身份证号”中的出生日期不正确"]


def test_id_number_born_after_today_is_refused() -> None:
    assert check(ID, make_id(birth="20240911"), today=date(2024, 9, 10)) == ["“身份证号”中的出生日期不能晚于今天"]
    assert check(ID, make_id(birth="20240910"), today=date(2024, 9, 10)) == []


def test_half_typed_id_number_passes_in_a_draft() -> None:
    valid = make_id()
    assert check(ID, valid[:6], partial=True) == []
    assert check(ID, wrong_check(valid), partial=True) == []
    assert check(ID, make_id(birth="19900230"), partial=True) == []


def test_junk_id_number_is_an_error_in_a_draft() -> None:
    assert check(ID, "3101ab", partial=True) == ["“身份证号”只能包含数字，最后一位可以是 X"]
    assert check(ID, "X", partial=True) == ["“身份证号”只能包含数字，最后一位可以是 X"]
    assert check(ID, make_id() + "1", partial=True) == ["“身份证号”应为 18 位"]
    assert check(ID, 310104198806150420, partial=True) == ["“身份证号”须为文本"]


def test_non_ascii_digits_are_not_digits() -> None:
    assert check(ID, "３１０１０４１９８８０６１５０４２０") != []


# ---------------------------------------------------------------------------------------------------------------------
# phone, email, boolean


PHONE = {"fields": [{"key": "f", "label": "联系电话", "type": "phone"}]}


@pytest.mark.parametrize(
    "value",
    ["13800138000", "19912345678", "0755-28299971", "075528299971", "021-58761234", "0595-2345678", "010-1234567"],
)
def test_mobile_and_landline_numbers_pass(value: str) -> None:
    assert check(PHONE, value) == []


@pytest.mark.parametrize(
    "value", ["12345678910", "1380013800", "138001380001", "28299971", "0755-123456", "0755 28299971", "+8613800138"]
)
def test_bad_phone_numbers_are_refused_at_submit(value: str) -> None:
    assert check(PHONE, value) == ["“联系电话”不是有效的手机号或固定电话号码"]


def test_half_typed_phone_passes_in_a_draft() -> None:
    assert check(PHONE, "138", partial=True) == []
    assert check(PHONE, "0755-", partial=True) == []


def test_junk_phone_is_an_error_in_a_draft() -> None:
    assert check(PHONE, "张三 138", partial=True) == ["“联系电话”只能包含数字和“-”"]
    assert check(PHONE, "1" * 14, partial=True) == ["“联系电话”不能超过 13 位"]
    assert check(PHONE, 13800138000, partial=True) == ["“联系电话”须为文本"]


EMAIL = one("email")


def test_email_address_passes() -> None:
    assert check(EMAIL, "dhxmzj@163.com") == []


@pytest.mark.parametrize("value", ["dhxmzj", "dhxmzj@", "@163.com", "a b@163.com"])
def test_bad_email_is_refused_only_at_submit(value: str) -> None:
    assert check(EMAIL, value) == ["“字段”不是有效的电子邮箱地址"]
    assert check(EMAIL, value, partial=True) == []


def test_overlong_email_is_refused_in_a_draft() -> None:
    assert check(EMAIL, "a" * 250 + "@163.com", partial=True) == ["“字段”不能超过 254 个字符"]


@pytest.mark.parametrize("value", [True, False, "是", "否", "true", "FALSE", "1", "0"])
def test_boolean_values_pass(value: object) -> None:
    assert check(one("boolean", required=True), value) == []


@pytest.mark.parametrize("partial", [True, False])
@pytest.mark.parametrize("value", ["也许", 2, [True]])
def test_non_boolean_is_refused(value: object, partial: bool) -> None:
    assert check(one("boolean"), value, partial=partial) == ["“字段”须为“是”或“否”"]


# ---------------------------------------------------------------------------------------------------------------------
# person_list


def test_team_of_five_passes_and_six_is_refused() -> None:
    five = {"name": "案例", "members": [member(i) for i in range(5)]}
    assert validate_form_data(TEAM_FORM, five, partial=False) == {}
    six = {"name": "案例", "members": [member(i) for i in range(6)]}
    for partial in (True, False):
        assert validate_form_data(TEAM_FORM, six, partial=partial) == {"members": ["“团队成员”最多 5 人"]}


def test_person_list_min_count_holds_only_at_submit() -> None:
    definition = one("person_list", min_count=2, fields=[{"key": "name", "label": "姓名", "type": "text"}])
    assert check(definition, [{"name": "甲"}]) == ["“字段”至少 2 人"]
    assert check(definition, [{"name": "甲"}], partial=True) == []


def test_sub_field_errors_are_keyed_by_row_and_name_the_row() -> None:
    data = {"name": "案例", "members": [member(0), member(1, phone="12345")]}
    errors = validate_form_data(TEAM_FORM, data, partial=False)
    assert errors == {"members[1].phone": ["“团队成员”第 2 人：“手机号”不是有效的手机号或固定电话号码"]}


def test_sub_field_id_number_checksum_is_checked() -> None:
    data = {"name": "案例", "members": [member(0, id_number=wrong_check(make_id()))]}
    assert validate_form_data(TEAM_FORM, data, partial=False) == {
        "members[0].id_number": ["“团队成员”第 1 人：“身份证号”校验位不正确"]
    }


def test_required_sub_fields_are_checked_only_at_submit() -> None:
    data = {"name": "案例", "members": [{"sex": "男"}]}
    assert validate_form_data(TEAM_FORM, data, partial=True) == {}
    assert set(validate_form_data(TEAM_FORM, data, partial=False)) == {"members[0].name", "members[0].phone"}


@pytest.mark.parametrize("partial", [True, False])
def test_unknown_and_mistyped_sub_fields_are_errors_in_drafts_too(partial: bool) -> None:
    data = {"members": [member(0, hobby="跑步"), member(1, sex=["男"]), "张三"]}
    errors = validate_form_data(TEAM_FORM, data, partial=partial)
    assert errors["members[0].hobby"] == ["“团队成员”第 1 人：未知的字段“hobby”"]
    assert errors["members[1].sex"] == ["“团队成员”第 2 人：“性别”须为一个选项"]
    assert errors["members[2]"] == ["“团队成员”第 3 人：信息格式不正确"]


@pytest.mark.parametrize("value", [{"name": "张三"}, "张三"])
def test_person_list_of_wrong_type_is_refused(value: object) -> None:
    assert validate_form_data(TEAM_FORM, {"members": value}, partial=True) == {"members": ["“团队成员”须为人员列表"]}


# ---------------------------------------------------------------------------------------------------------------------
# files and images


ATTACHMENTS = {
    1: AttachmentInfo(type="pdf", size=2 * 1024 * 1024, is_image=False, name="报告.pdf"),
    2: AttachmentInfo(type="docx", size=100_000, is_image=False),
    3: AttachmentInfo(type="jpg", size=500_000, is_image=True, name="一.jpg"),
    4: AttachmentInfo(type="jpeg", size=500_000, is_image=True, name="二.jpeg"),
    5: AttachmentInfo(type="png", size=500_000, is_image=True),
    6: AttachmentInfo(type="jpg", size=500_000, is_image=True),
    7: AttachmentInfo(type="jpg", size=500_000, is_image=True),
    8: AttachmentInfo(type="jpg", size=500_000, is_image=True),
    9: AttachmentInfo(type="exe", size=10, is_image=False, name="setup.exe"),
    10: AttachmentInfo(type="jpg", size=10, is_image=False, name="假图.jpg"),
    11: AttachmentInfo(type="pdf", size=2 * 1024 * 1024 + 1, is_image=False, name="大报告.pdf"),
}
DOCS = one("files", allowed_types=["pdf", "docx"], max_count=2, max_size_mb=2)
PICTURES = one("images", allowed_types=["jpg"], min_count=3, max_count=5)


def test_allowed_files_within_size_pass() -> None:
    assert check(DOCS, [1, 2], attachments=ATTACHMENTS) == []


def test_attachment_ids_may_be_digit_strings() -> None:
    assert check(DOCS, ["1", "2"], attachments=ATTACHMENTS) == []


def test_file_of_a_type_not_allowed_is_refused() -> None:
    assert check(DOCS, [9], attachments=ATTACHMENTS) == ["“字段”中的文件 “setup.exe” 类型为 exe，只允许 pdf、docx"]


def test_file_larger_than_max_size_is_refused() -> None:
    assert check(DOCS, [11], attachments=ATTACHMENTS) == ["“字段”中的文件 “大报告.pdf” 超过 2 MB"]


def test_unknown_attachment_is_refused_at_submit() -> None:
    assert check(DOCS, [99], attachments=ATTACHMENTS) == ["“字段”中的附件 #99 不存在"]
    assert check(DOCS, [1]) == ["“字段”中的附件 #1 不存在"]


def test_drafts_check_attachments_only_when_given() -> None:
    assert check(DOCS, [99], partial=True) == []
    assert check(DOCS, [9], partial=True, attachments=ATTACHMENTS) != []


@pytest.mark.parametrize("partial", [True, False])
def test_too_many_files_are_refused_in_drafts_too(partial: bool) -> None:
    assert check(DOCS, [1, 2, 11], partial=partial, attachments=ATTACHMENTS) == ["“字段”最多 2 个文件"]


@pytest.mark.parametrize("partial", [True, False])
@pytest.mark.parametrize("value", [[1.5], ["abc"], [True], [None], ["-1"]])
def test_bad_attachment_id_is_refused(value: list[Any], partial: bool) -> None:
    assert check(DOCS, value, partial=partial) == [f"“字段”中的附件编号“{value[0]}”无效"]


def test_repeated_attachment_is_refused() -> None:
    assert check(DOCS, [1, 1], attachments=ATTACHMENTS) == ["“字段”中有重复的附件"]


@pytest.mark.parametrize("value", [1, "1", {"id": 1}])
def test_attachment_list_of_wrong_type_is_refused(value: object) -> None:
    assert check(DOCS, value, partial=True) == ["“字段”须为附件列表"]


def test_three_to_five_jpg_pictures_pass() -> None:
    assert check(PICTURES, [3, 4, 6], attachments=ATTACHMENTS) == []
    assert check(PICTURES, [3, 4, 6, 7, 8], attachments=ATTACHMENTS) == []


def test_two_pictures_are_too_few_at_submit_only() -> None:
    assert check(PICTURES, [3, 4], attachments=ATTACHMENTS) == ["“字段”至少需要 3 张图片"]
    assert check(PICTURES, [3, 4], partial=True, attachments=ATTACHMENTS) == []


def test_six_pictures_are_too_many() -> None:
    assert check(PICTURES, [3, 4, 6, 7, 8, 10], partial=True) == ["“字段”最多 5 张图片"]


def test_png_is_refused_where_only_jpg_is_allowed() -> None:
    assert check(PICTURES, [3, 4, 5], attachments=ATTACHMENTS) == ["“字段”中的文件 #5 类型为 png，只允许 jpg"]


def test_image_field_refuses_a_file_that_is_not_an_image() -> None:
    assert check(PICTURES, [3, 4, 10], attachments=ATTACHMENTS) == ["“字段”中的文件 “假图.jpg” 类型为 jpg，只允许 jpg"]
    assert check(one("images"), [1], attachments=ATTACHMENTS) == [
        "“字段”中的文件 “报告.pdf” 类型为 pdf，只允许 jpg、png"
    ]


def test_files_without_allowed_types_accept_every_known_type() -> None:
    assert check(one("files"), [1, 2, 3, 5], attachments=ATTACHMENTS) == []
    assert check(one("files"), [9], attachments=ATTACHMENTS) != []


def test_required_files_need_at_least_one() -> None:
    assert check(one("files", required=True), []) == ["“字段”不能为空"]


# ---------------------------------------------------------------------------------------------------------------------
# Cleaning


def test_clean_normalises_values() -> None:
    definition = {
        "fields": [
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "age", "label": "年龄", "type": "number", "integer": True},
            {"key": "ratio", "label": "占比", "type": "number"},
            {"key": "count", "label": "人数", "type": "number"},
            {"key": "tags", "label": "方式", "type": "choice", "options": ["视频", "快板"], "multiple": True},
            {"key": "in_post", "label": "在岗", "type": "boolean"},
            {"key": "id_number", "label": "身份证号", "type": "id_number"},
            {"key": "phone", "label": "电话", "type": "phone"},
            {"key": "started_on", "label": "开始", "type": "date"},
            {"key": "files", "label": "附件", "type": "files"},
            {
                "key": "team",
                "label": "团队",
                "type": "person_list",
                "fields": [{"key": "n", "label": "姓名", "type": "text"}],
            },
        ]
    }
    data = {
        "name": "  银龄守护 ",
        "age": "35",
        "ratio": "71.40",
        "count": "28",
        "tags": [" 视频 "],
        "in_post": "是",
        "id_number": " 11010519491231002x ",
        "phone": " 13800138000",
        "started_on": "2014-01-01 ",
        "files": ["3", 4],
        "team": [{"n": " 张三 "}],
        "extra": "dropped",
    }
    assert clean_form_data(definition, data) == {
        "name": "银龄守护",
        "age": 35,
        "ratio": 71.4,
        "count": 28,
        "tags": ["视频"],
        "in_post": True,
        "id_number": "11010519491231002X",
        "phone": "13800138000",
        "started_on": "2014-01-01",
        "files": [3, 4],
        "team": [{"n": "张三"}],
    }


def test_clean_makes_whole_floats_integers_only_for_integer_fields() -> None:
    definition = {
        "fields": [
            {"key": "a", "label": "甲", "type": "number", "integer": True},
            {"key": "b", "label": "乙", "type": "number"},
        ]
    }
    cleaned = clean_form_data(definition, {"a": 3.0, "b": 3.0})
    assert cleaned == {"a": 3, "b": 3.0}
    assert type(cleaned["a"]) is int


def test_clean_keeps_values_it_cannot_convert() -> None:
    definition = {
        "fields": [
            {"key": "age", "label": "年龄", "type": "number"},
            {"key": "ok", "label": "是否", "type": "boolean"},
        ]
    }
    assert clean_form_data(definition, {"age": " abc ", "ok": "也许"}) == {"age": "abc", "ok": "也许"}


def test_clean_does_not_change_its_input() -> None:
    data = {"name": " 案例 ", "members": [member(0, name=" 张三 ")]}
    before = copy.deepcopy(data)
    clean_form_data(TEAM_FORM, data)
    assert data == before


def test_validation_gives_the_same_result_before_and_after_cleaning() -> None:
    data = {"name": " 案例 ", "members": [member(0, id_number=" 11010519491231002x ", phone="12345")]}
    raw = validate_form_data(TEAM_FORM, data, partial=False)
    assert raw == validate_form_data(TEAM_FORM, clean_form_data(TEAM_FORM, data), partial=False)
    assert list(raw) == ["members[0].phone"]


# ---------------------------------------------------------------------------------------------------------------------
# Masking and personal paths


TEAM_DATA: dict[str, Any] = {
    "name": "银龄守护",
    "members": [
        member(0, name="林晓燕", id_number="310104198806150420", phone="13805951234"),
        member(1, name="陈志强", phone="15959012345"),
    ],
    "id_number": "11010519491231002X",
    "phone": "0755-28299971",
    "email": "dhxmzj@163.com",
    "served_person": "王秀英",
    "public_phone": "12345678",
}


def test_mask_hides_id_numbers_and_phones_also_in_person_lists() -> None:
    masked = mask_form_data(TEAM_FORM, TEAM_DATA)
    assert masked["id_number"] == "1101**********002X"
    assert masked["phone"] == "0755-****9971"
    assert masked["members"][0]["id_number"] == "3101**********0420"
    assert masked["members"][0]["phone"] == "138****1234"
    assert masked["members"][1]["phone"] == "159****2345"


def test_mask_shows_the_documented_forms() -> None:
    masked = mask_form_data(TEAM_FORM, {"id_number": "310101199001011234", "phone": "13812345678"})
    assert masked == {"id_number": "3101**********1234", "phone": "138****5678"}


def test_mask_hides_other_fields_marked_personal() -> None:
    masked = mask_form_data(TEAM_FORM, TEAM_DATA)
    assert masked["email"] == "d***@163.com"
    assert masked["served_person"] == "王**"


def test_mask_leaves_non_personal_values_alone() -> None:
    masked = mask_form_data(TEAM_FORM, TEAM_DATA)
    assert masked["name"] == "银龄守护"
    assert masked["public_phone"] == "12345678"
    assert masked["members"][0]["name"] == "林晓燕"
    assert masked["members"][0]["sex"] == "女"


def test_mask_leaves_empty_personal_values_alone_and_drops_unknown_keys() -> None:
    masked = mask_form_data(TEAM_FORM, {"id_number": "", "phone": None, "secret": "13800138000"})
    assert masked == {"id_number": "", "phone": None}


def test_mask_never_reveals_a_short_draft_value() -> None:
    assert mask_form_data(TEAM_FORM, {"id_number": "3101", "phone": "138"}) == {"id_number": "****", "phone": "***"}


def test_mask_hides_personal_dates_numbers_and_attachments() -> None:
    definition = {
        "fields": [
            {"key": "birth", "label": "出生日期", "type": "date", "personal": True},
            {"key": "income", "label": "收入", "type": "number", "personal": True},
            {"key": "photo", "label": "照片", "type": "images", "personal": True},
        ]
    }
    masked = mask_form_data(definition, {"birth": "1988-06-15", "income": 3000, "photo": [3]})
    assert masked == {"birth": "****-**-**", "income": "***", "photo": []}


def test_mask_does_not_change_its_input() -> None:
    before = copy.deepcopy(TEAM_DATA)
    mask_form_data(TEAM_FORM, TEAM_DATA)
    assert before == TEAM_DATA


def test_personal_paths_list_present_personal_values_in_order() -> None:
    assert personal_paths(TEAM_FORM, TEAM_DATA) == [
        "members[0].id_number",
        "members[0].phone",
        "members[1].phone",
        "id_number",
        "phone",
        "email",
        "served_person",
    ]


def test_personal_paths_skip_empty_values() -> None:
    assert personal_paths(TEAM_FORM, {"name": "案例", "phone": "", "members": [{"name": "张三"}]}) == []


def test_personal_defaults_to_true_only_for_id_numbers_and_phones() -> None:
    assert forms.is_personal({"type": "id_number"})
    assert forms.is_personal({"type": "phone"})
    assert not forms.is_personal({"type": "phone", "personal": False})
    assert not forms.is_personal({"type": "text"})
    assert forms.is_personal({"type": "text", "personal": True})


# ---------------------------------------------------------------------------------------------------------------------
# The seed campaigns' forms


SEED_FORMS = [
    pytest.param(seed, kind, definition, id=f"{seed}-{kind}")
    for seed, campaign in seed_forms.SEED_CAMPAIGNS.items()
    for kind, definition in campaign["forms"].items()
]


@pytest.mark.parametrize(("seed", "kind", "definition"), SEED_FORMS)
def test_seed_form_definition_is_valid(seed: str, kind: str, definition: dict[str, Any]) -> None:
    assert validate_form_definition(definition) == {}


@pytest.mark.parametrize(("seed", "kind", "definition"), SEED_FORMS)
def test_seed_sample_nomination_passes_at_submit(seed: str, kind: str, definition: dict[str, Any]) -> None:
    sample = seed_forms.SEED_SAMPLES[seed][kind]
    errors = validate_form_data(
        definition,
        sample,
        partial=False,
        attachments=seed_forms.SEED_SAMPLE_ATTACHMENTS,
        today=seed_forms.SEED_SUBMISSION_DATES[seed],
    )
    assert errors == {}
    assert clean_form_data(definition, sample) == sample


@pytest.mark.parametrize(("seed", "kind", "definition"), SEED_FORMS)
def test_every_required_seed_field_is_required_at_submit(seed: str, kind: str, definition: dict[str, Any]) -> None:
    errors = validate_form_data(definition, {}, partial=False)
    required = {field["key"] for field in definition["fields"] if field.get("required")}
    assert set(errors) == required
    assert validate_form_data(definition, {}, partial=True) == {}


def test_seed_000_case_form_follows_the_notice() -> None:
    fields = {field["key"]: field for field in seed_forms.SEED_000_CASE_FORM["fields"]}
    assert (fields["background"]["min_length"], fields["background"]["max_length"]) == (200, 300)
    assert (fields["process"]["min_length"], fields["process"]["max_length"]) == (300, 500)
    assert (fields["results"]["min_length"], fields["results"]["max_length"]) == (300, 500)
    assert fields["members"]["max_count"] == 5
    assert [sub["label"] for sub in fields["members"]["fields"]] == [
        "姓名",
        "性别",
        "年龄",
        "学历",
        "政治面貌",
        "手机号",
        "工作单位及职务",
    ]
    assert "社区治理与邻里守望" in fields["category"]["options"]
    assert {"contact_name", "contact_phone", "roadshow_method"} <= set(fields)


def test_seed_000_sample_with_a_too_short_background_is_refused() -> None:
    sample = copy.deepcopy(seed_forms.SEED_SAMPLES["000"]["case"])
    sample["background"] = sample["background"][:150]
    errors = validate_form_data(seed_forms.SEED_000_CASE_FORM, sample, partial=False, today=TODAY)
    assert errors == {"background": ["“微服务案例背景及基本情况介绍”不能少于 200 个字（现为 150 个字）"]}
    assert validate_form_data(seed_forms.SEED_000_CASE_FORM, sample, partial=True) == {}


def test_seed_000_team_of_six_is_refused() -> None:
    sample = copy.deepcopy(seed_forms.SEED_SAMPLES["000"]["case"])
    sample["members"] = sample["members"] * 3
    errors = validate_form_data(seed_forms.SEED_000_CASE_FORM, sample, partial=True)
    assert errors == {"members": ["“参赛人员情况”最多 5 人"]}


def test_seed_001_body_over_5000_characters_is_refused() -> None:
    sample = copy.deepcopy(seed_forms.SEED_SAMPLES["001"]["case"])
    sample["body"] = "字" * 5001
    errors = validate_form_data(seed_forms.SEED_001_CASE_FORM, sample, partial=True)
    assert errors == {"body": ["“案例正文”不能超过 5000 个字（现为 5001 个字）"]}


def test_seed_001_needs_three_to_five_jpg_pictures() -> None:
    sample = copy.deepcopy(seed_forms.SEED_SAMPLES["001"]["case"])
    sample["pictures"] = [101, 102]
    errors = validate_form_data(
        seed_forms.SEED_001_CASE_FORM, sample, partial=False, attachments=seed_forms.SEED_SAMPLE_ATTACHMENTS
    )
    assert errors == {"pictures": ["“案例图片”至少需要 3 张图片"]}


def test_seed_002_individual_form_checks_the_id_number_and_masks_it() -> None:
    definition = seed_forms.SEED_002_INDIVIDUAL_FORM
    sample = copy.deepcopy(seed_forms.SEED_SAMPLES["002"]["individual"])
    sample["id_number"] = wrong_check(sample["id_number"])
    errors = validate_form_data(definition, sample, partial=False, attachments=seed_forms.SEED_SAMPLE_ATTACHMENTS)
    assert errors == {"id_number": ["“身份证号”校验位不正确"]}
    masked = mask_form_data(definition, seed_forms.SEED_SAMPLES["002"]["individual"])
    assert masked["id_number"] == "3101**********0420"
    assert masked["phone"] == "139****1234"
    assert masked["photo"] == []
    assert personal_paths(definition, seed_forms.SEED_SAMPLES["002"]["individual"]) == ["photo", "id_number", "phone"]


def test_seed_002_individual_photo_must_be_one_image() -> None:
    sample = copy.deepcopy(seed_forms.SEED_SAMPLES["002"]["individual"])
    sample["photo"] = [201]
    errors = validate_form_data(
        seed_forms.SEED_002_INDIVIDUAL_FORM, sample, partial=False, attachments=seed_forms.SEED_SAMPLE_ATTACHMENTS
    )
    assert errors == {"photo": ["“2 寸正面免冠近照”中的文件 “第三方评估报告.pdf” 类型为 pdf，只允许 jpg、png"]}
