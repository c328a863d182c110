"""Eligibility rules as data: checking rule lists and checking nominations against them. No database."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from workflows import forms, seed_forms
from workflows.eligibility import InvalidRules, add_months, check_eligibility, validate_rules

TODAY = date(2024, 9, 18)

ALL_RULES: list[dict[str, Any]] = [
    {"type": "min_number", "field": "years_in_post", "min": 2},
    {"type": "must_be_true", "field": "in_post"},
    {"type": "within_last_years", "field": "carried_out_on", "years": 3},
    {"type": "date_between", "field": "started_on", "from": "2013-09-01", "to": "2014-12-31"},
    {"type": "min_duration_months", "start_field": "started_on", "end_field": "ended_on", "months": 6},
    {"type": "min_duration_months", "start_field": "started_on", "months": 6},
    {"type": "max_count", "field": "members", "max": 5},
    {
        "type": "max_total_chars",
        "fields": ["background", "process", "results"],
        "max": 5000,
        "message": "不超过五千字",
    },
]

FORM: dict[str, Any] = {
    "fields": [
        {"key": "years_in_post", "label": "在岗年限", "type": "number"},
        {"key": "in_post", "label": "目前仍在岗", "type": "boolean"},
        {"key": "carried_out_on", "label": "开展时间", "type": "date"},
        {"key": "started_on", "label": "开始时间", "type": "date"},
        {"key": "ended_on", "label": "结束时间", "type": "date"},
        {
            "key": "members",
            "label": "团队成员",
            "type": "person_list",
            "fields": [{"key": "name", "label": "姓名", "type": "text"}],
        },
        {"key": "background", "label": "背景", "type": "long_text"},
        {"key": "process", "label": "过程", "type": "long_text"},
        {"key": "results", "label": "成效", "type": "long_text"},
    ]
}
LABELS = forms.field_labels(FORM)


def failures(rule: dict[str, Any], data: dict[str, Any], today: date = TODAY) -> list[str]:
    return check_eligibility([rule], data, today=today, labels=LABELS)


# ---------------------------------------------------------------------------------------------------------------------
# Rule lists


def test_every_rule_type_is_valid() -> None:
    assert validate_rules(ALL_RULES) == {}
    assert validate_rules(ALL_RULES, forms.field_keys(FORM)) == {}
    assert validate_rules(ALL_RULES, forms.field_types(FORM)) == {}


def test_empty_rule_list_is_valid() -> None:
    assert validate_rules([]) == {}


@pytest.mark.parametrize("rules", [None, {}, "min_number", {"type": "min_number"}])
def test_rules_that_are_not_a_list_are_refused(rules: object) -> None:
    assert list(validate_rules(rules)) == ["rules"]


def test_rule_that_is_not_an_object_is_refused() -> None:
    assert list(validate_rules(["min_number"])) == ["rules[0]"]


@pytest.mark.parametrize("rule_type", [None, "max_age", 3])
def test_unknown_or_missing_rule_type_is_refused(rule_type: object) -> None:
    assert list(validate_rules([{"type": rule_type, "field": "a"}])) == ["rules[0].type"]


@pytest.mark.parametrize(
    ("rule", "bad_keys"),
    [
        ({"type": "min_number", "field": "a"}, ["rules[0].min"]),
        ({"type": "must_be_true"}, ["rules[0].field"]),
        ({"type": "within_last_years", "field": "a"}, ["rules[0].years"]),
        ({"type": "date_between", "field": "a", "from": "2013-09-01"}, ["rules[0].to"]),
        ({"type": "min_duration_months", "months": 6}, ["rules[0].start_field"]),
        ({"type": "max_count", "max": 5}, ["rules[0].field"]),
        ({"type": "max_total_chars", "max": 5000}, ["rules[0].fields"]),
    ],
)
def test_rule_missing_a_parameter_is_refused(rule: dict[str, Any], bad_keys: list[str]) -> None:
    assert list(validate_rules([rule])) == bad_keys


def test_unknown_parameter_is_refused() -> None:
    rules = [{"type": "must_be_true", "field": "in_post", "min": 1}, {"type": "max_count", "field": "m", "max": 5}]
    assert list(validate_rules(rules)) == ["rules[0].min"]


@pytest.mark.parametrize(
    ("rule", "bad_key"),
    [
        ({"type": "min_number", "field": "a", "min": "2"}, "min"),
        ({"type": "min_number", "field": "a", "min": True}, "min"),
        ({"type": "min_number", "field": "", "min": 2}, "field"),
        ({"type": "min_number", "field": ["a"], "min": 2}, "field"),
        ({"type": "within_last_years", "field": "a", "years": 0}, "years"),
        ({"type": "within_last_years", "field": "a", "years": 2.5}, "years"),
        ({"type": "date_between", "field": "a", "from": "2013/09/01", "to": "2014-12-31"}, "from"),
        ({"type": "date_between", "field": "a", "from": "2014-12-31", "to": "2013-09-01"}, "to"),
        ({"type": "min_duration_months", "start_field": "a", "months": 0}, "months"),
        ({"type": "min_duration_months", "start_field": "a", "end_field": "a", "months": 6}, "end_field"),
        ({"type": "max_count", "field": "a", "max": -1}, "max"),
        ({"type": "max_count", "field": "a", "max": "5"}, "max"),
        ({"type": "max_total_chars", "fields": [], "max": 5000}, "fields"),
        ({"type": "max_total_chars", "fields": "body", "max": 5000}, "fields"),
        ({"type": "max_total_chars", "fields": ["a", "a"], "max": 5000}, "fields"),
        ({"type": "max_total_chars", "fields": ["a", 1], "max": 5000}, "fields"),
        ({"type": "max_total_chars", "fields": ["a"], "max": 0}, "max"),
        ({"type": "must_be_true", "field": "a", "message": ""}, "message"),
        ({"type": "must_be_true", "field": "a", "message": 3}, "message"),
    ],
)
def test_bad_parameter_is_refused(rule: dict[str, Any], bad_key: str) -> None:
    assert list(validate_rules([rule])) == [f"rules[0].{bad_key}"]


def test_fields_must_exist_in_the_form_when_keys_are_given() -> None:
    rules = [
        {"type": "min_number", "field": "years", "min": 2},
        {"type": "max_total_chars", "fields": ["background", "summary"], "max": 5000},
        {"type": "min_duration_months", "start_field": "started_on", "end_field": "finished_on", "months": 6},
    ]
    errors = validate_rules(rules, forms.field_keys(FORM))
    assert errors == {
        "rules[0].field": ["表单中没有字段“years”"],
        "rules[1].fields": ["表单中没有字段“summary”"],
        "rules[2].end_field": ["表单中没有字段“finished_on”"],
    }
    assert validate_rules(rules) == {}


@pytest.mark.parametrize(
    "rule",
    [
        {"type": "min_number", "field": "in_post", "min": 2},
        {"type": "must_be_true", "field": "years_in_post"},
        {"type": "within_last_years", "field": "background", "years": 3},
        {"type": "max_count", "field": "background", "max": 5},
        {"type": "max_total_chars", "fields": ["members"], "max": 5000},
    ],
)
def test_field_type_must_suit_the_rule_when_types_are_given(rule: dict[str, Any]) -> None:
    assert validate_rules([rule], forms.field_keys(FORM)) == {}
    assert len(validate_rules([rule], forms.field_types(FORM))) == 1


def test_invalid_rules_cannot_be_checked() -> None:
    with pytest.raises(InvalidRules) as raised:
        check_eligibility([{"type": "max_age", "field": "age"}], {}, today=TODAY)
    assert "rules[0].type" in raised.value.errors


# ---------------------------------------------------------------------------------------------------------------------
# min_number


MIN_YEARS = {"type": "min_number", "field": "years_in_post", "min": 2}


@pytest.mark.parametrize("value", [2, 2.0, 6, "2", " 3.5 "])
def test_min_number_passes_at_or_above_the_minimum(value: object) -> None:
    assert failures(MIN_YEARS, {"years_in_post": value}) == []


@pytest.mark.parametrize(("value", "shown"), [(1, "1"), (1.9, "1.9"), ("0", "0"), (-3, "-3")])
def test_min_number_fails_below_the_minimum(value: object, shown: str) -> None:
    assert failures(MIN_YEARS, {"years_in_post": value}) == [f"“在岗年限”须不少于 2（现为 {shown}）"]


@pytest.mark.parametrize("data", [{}, {"years_in_post": None}, {"years_in_post": "  "}])
def test_min_number_fails_when_the_value_is_missing(data: dict[str, Any]) -> None:
    assert failures(MIN_YEARS, data) == ["“在岗年限”未填写"]


def test_min_number_fails_when_the_value_is_not_a_number() -> None:
    assert failures(MIN_YEARS, {"years_in_post": "两年"}) == ["“在岗年限”须为数字"]


# ---------------------------------------------------------------------------------------------------------------------
# must_be_true


IN_POST = {"type": "must_be_true", "field": "in_post"}


@pytest.mark.parametrize("value", [True, "是", "true"])
def test_must_be_true_passes_for_yes(value: object) -> None:
    assert failures(IN_POST, {"in_post": value}) == []


@pytest.mark.parametrize("value", [False, "否", "false", "也许", 1])
def test_must_be_true_fails_for_anything_else(value: object) -> None:
    assert failures(IN_POST, {"in_post": value}) == ["“目前仍在岗”须为“是”"]


def test_must_be_true_fails_when_the_value_is_missing() -> None:
    assert failures(IN_POST, {}) == ["“目前仍在岗”未填写"]


# ---------------------------------------------------------------------------------------------------------------------
# within_last_years


RECENT = {"type": "within_last_years", "field": "carried_out_on", "years": 3}


def test_exactly_three_years_ago_passes() -> None:
    assert failures(RECENT, {"carried_out_on": "2021-09-18"}) == []


def test_one_day_more_than_three_years_ago_fails() -> None:
    assert failures(RECENT, {"carried_out_on": "2021-09-17"}) == ["“开展时间”须在近 3 年内（不早于 2021-09-18）"]


def test_the_submission_date_itself_passes() -> None:
    assert failures(RECENT, {"carried_out_on": TODAY}) == []
    assert failures(RECENT, {"carried_out_on": "2024-09-18"}) == []


def test_a_date_after_submission_fails() -> None:
    assert failures(RECENT, {"carried_out_on": "2024-09-19"}) == ["“开展时间”不能晚于申报日期 2024-09-18"]


def test_three_years_before_a_leap_day_is_the_last_day_of_february() -> None:
    leap_day = date(2024, 2, 29)
    assert failures(RECENT, {"carried_out_on": "2021-02-28"}, today=leap_day) == []
    assert failures(RECENT, {"carried_out_on": "2021-02-27"}, today=leap_day) != []


@pytest.mark.parametrize(
    ("value", "message"), [(None, "“开展时间”未填写"), ("2021/09/18", "“开展时间”不是有效的日期")]
)
def test_within_last_years_fails_for_a_missing_or_bad_date(value: object, message: str) -> None:
    assert failures(RECENT, {"carried_out_on": value}) == [message]


# ---------------------------------------------------------------------------------------------------------------------
# date_between


WINDOW = {"type": "date_between", "field": "started_on", "from": "2013-09-01", "to": "2014-12-31"}


@pytest.mark.parametrize("value", ["2013-09-01", "2014-03-15", "2014-12-31", date(2014, 1, 1)])
def test_date_between_includes_both_ends(value: object) -> None:
    assert failures(WINDOW, {"started_on": value}) == []


@pytest.mark.parametrize("value", ["2013-08-31", "2015-01-01"])
def test_date_outside_the_window_fails(value: str) -> None:
    assert failures(WINDOW, {"started_on": value}) == ["“开始时间”须在 2013-09-01 至 2014-12-31 之间"]


def test_date_between_fails_when_missing() -> None:
    assert failures(WINDOW, {"started_on": ""}) == ["“开始时间”未填写"]


# ---------------------------------------------------------------------------------------------------------------------
# min_duration_months


HALF_YEAR = {"type": "min_duration_months", "start_field": "started_on", "end_field": "ended_on", "months": 6}
HALF_YEAR_TO_SUBMISSION = {"type": "min_duration_months", "start_field": "started_on", "months": 6}


def test_exactly_six_months_passes() -> None:
    assert failures(HALF_YEAR, {"started_on": "2014-01-15", "ended_on": "2014-07-15"}) == []


def test_one_day_short_of_six_months_fails() -> None:
    assert failures(HALF_YEAR, {"started_on": "2014-01-15", "ended_on": "2014-07-14"}) == [
        "“开始时间”至“结束时间”须满 6 个月"
    ]


def test_six_months_from_the_end_of_a_month_ends_at_the_end_of_a_shorter_month() -> None:
    assert failures(HALF_YEAR, {"started_on": "2013-08-31", "ended_on": "2014-02-28"}) == []
    assert failures(HALF_YEAR, {"started_on": "2013-08-31", "ended_on": "2014-02-27"}) != []


def test_end_before_start_fails() -> None:
    assert failures(HALF_YEAR, {"started_on": "2014-07-01", "ended_on": "2014-01-01"}) != []


def test_without_an_end_field_the_duration_runs_to_the_submission_date() -> None:
    assert failures(HALF_YEAR_TO_SUBMISSION, {"started_on": "2024-03-18"}) == []
    assert failures(HALF_YEAR_TO_SUBMISSION, {"started_on": "2024-03-19"}) == ["自“开始时间”至申报之日须满 6 个月"]


def test_blank_end_date_means_still_running() -> None:
    assert failures(HALF_YEAR, {"started_on": "2024-03-18", "ended_on": ""}) == []
    assert failures(HALF_YEAR, {"started_on": "2024-03-19"}) == ["自“开始时间”至申报之日须满 6 个月"]


def test_min_duration_fails_for_a_missing_start_or_bad_end() -> None:
    assert failures(HALF_YEAR, {"ended_on": "2014-07-15"}) == ["“开始时间”未填写"]
    assert failures(HALF_YEAR, {"started_on": "2014-01-15", "ended_on": "七月"}) == ["“结束时间”不是有效的日期"]


def test_add_months_clamps_to_the_last_day_and_crosses_years() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2013, 9, 1), 6) == date(2014, 3, 1)
    assert add_months(date(2024, 2, 29), -36) == date(2021, 2, 28)


# ---------------------------------------------------------------------------------------------------------------------
# max_count


TEAM = {"type": "max_count", "field": "members", "max": 5}


def test_exactly_five_members_pass() -> None:
    assert failures(TEAM, {"members": [{"name": str(i)} for i in range(5)]}) == []


def test_six_members_fail() -> None:
    assert failures(TEAM, {"members": [{"name": str(i)} for i in range(6)]}) == ["“团队成员”最多 5 个（现有 6 个）"]


def test_no_members_are_within_the_maximum() -> None:
    assert failures(TEAM, {}) == []
    assert failures(TEAM, {"members": []}) == []


def test_max_count_fails_for_a_value_that_is_not_a_list() -> None:
    assert failures(TEAM, {"members": "张三、李四"}) == ["“团队成员”格式不正确"]


# ---------------------------------------------------------------------------------------------------------------------
# max_total_chars


TEXT_LIMIT = {"type": "max_total_chars", "fields": ["background", "process", "results"], "max": 5000}


def test_exactly_5000_characters_in_total_pass() -> None:
    data = {"background": "背" * 1000, "process": "程" * 2000, "results": "效" * 2000}
    assert failures(TEXT_LIMIT, data) == []


def test_5001_characters_in_total_fail() -> None:
    data = {"background": "背" * 1001, "process": "程" * 2000, "results": "效" * 2000}
    assert failures(TEXT_LIMIT, data) == ["“背景”“过程”“成效”合计不能超过 5000 个字（现为 5001 个字）"]


def test_one_field_limit_names_the_field() -> None:
    rule = {"type": "max_total_chars", "fields": ["background"], "max": 10}
    assert failures(rule, {"background": "背" * 11}) == ["“背景”不能超过 10 个字（现为 11 个字）"]


def test_surrounding_spaces_and_missing_fields_count_nothing() -> None:
    assert failures(TEXT_LIMIT, {"background": "  " + "背" * 5000 + "\n"}) == []
    assert failures(TEXT_LIMIT, {}) == []


# ---------------------------------------------------------------------------------------------------------------------
# Messages and lists


def test_rule_message_replaces_the_default_message() -> None:
    rule = {**MIN_YEARS, "message": "被推荐对象须在相关岗位工作满 2 年"}
    assert failures(rule, {"years_in_post": 1}) == ["被推荐对象须在相关岗位工作满 2 年"]
    assert failures(rule, {}) == ["被推荐对象须在相关岗位工作满 2 年"]


def test_fields_are_named_by_key_without_labels() -> None:
    assert check_eligibility([MIN_YEARS], {"years_in_post": 1}, today=TODAY) == ["“years_in_post”须不少于 2（现为 1）"]


def test_one_message_per_failed_rule_in_rule_order() -> None:
    data = {
        "years_in_post": 1,
        "in_post": True,
        "carried_out_on": "2020-01-01",
        "started_on": "2014-01-15",
        "ended_on": "2014-12-31",
        "members": [{}] * 6,
        "background": "字" * 5001,
    }
    assert check_eligibility(ALL_RULES, data, today=TODAY, labels=LABELS) == [
        "“在岗年限”须不少于 2（现为 1）",
        "“开展时间”须在近 3 年内（不早于 2021-09-18）",
        "“团队成员”最多 5 个（现有 6 个）",
        "不超过五千字",
    ]


def test_eligible_data_gives_no_messages() -> None:
    data = {
        "years_in_post": 2,
        "in_post": "是",
        "carried_out_on": "2021-09-18",
        "started_on": "2014-01-15",
        "ended_on": "2014-07-15",
        "members": [{}] * 5,
        "background": "字" * 5000,
    }
    assert check_eligibility(ALL_RULES, data, today=TODAY, labels=LABELS) == []


# ---------------------------------------------------------------------------------------------------------------------
# The seed campaigns' rules


SEED_RULES = [
    pytest.param(seed, kind, id=f"{seed}-{kind}")
    for seed, campaign in seed_forms.SEED_CAMPAIGNS.items()
    for kind in campaign["forms"]
]


@pytest.mark.parametrize(("seed", "kind"), SEED_RULES)
def test_seed_rules_are_valid_for_their_form(seed: str, kind: str) -> None:
    campaign = seed_forms.SEED_CAMPAIGNS[seed]
    assert validate_rules(campaign["eligibility"][kind], forms.field_types(campaign["forms"][kind])) == {}


@pytest.mark.parametrize(("seed", "kind"), SEED_RULES)
def test_seed_sample_nomination_is_eligible(seed: str, kind: str) -> None:
    campaign = seed_forms.SEED_CAMPAIGNS[seed]
    messages = check_eligibility(
        campaign["eligibility"][kind],
        seed_forms.SEED_SAMPLES[seed][kind],
        today=seed_forms.SEED_SUBMISSION_DATES[seed],
        labels=forms.field_labels(campaign["forms"][kind]),
    )
    assert messages == []


def sample(seed: str, kind: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(seed_forms.SEED_SAMPLES[seed][kind])
    data.update(changes)
    return data


def test_seed_000_case_older_than_three_years_or_team_of_six_is_not_eligible() -> None:
    data = sample("000", "case", carried_out_on="2021-09-09")
    data["members"] = data["members"] * 3
    messages = check_eligibility(seed_forms.SEED_000_CASE_RULES, data, today=seed_forms.SEED_SUBMISSION_DATES["000"])
    assert messages == ["参赛案例需为近 3 年开展的", "参赛团队须在 5 人以内"]


def test_seed_001_case_outside_pingshan_is_not_eligible() -> None:
    data = sample("001", "case", in_pingshan=False, body="字" * 5001)
    messages = check_eligibility(seed_forms.SEED_001_CASE_RULES, data, today=seed_forms.SEED_SUBMISSION_DATES["001"])
    assert messages == ["案例正文字数不超过 5000 字", "案例发生地须在坪山区范围内"]


@pytest.mark.parametrize(("years", "in_post", "eligible"), [(2, True, True), (1.5, True, False), (6, False, False)])
def test_seed_002_individual_needs_two_years_and_still_in_post(years: float, in_post: bool, eligible: bool) -> None:
    data = sample("002", "individual", years_in_post=years, in_post=in_post)
    messages = check_eligibility(
        seed_forms.SEED_002_INDIVIDUAL_RULES, data, today=seed_forms.SEED_SUBMISSION_DATES["002"]
    )
    assert (messages == []) is eligible


def test_seed_002_operations_team_of_two_is_not_eligible() -> None:
    data = sample("002", "collective", group="区运管团队组", member_count=2)
    messages = check_eligibility(
        seed_forms.SEED_002_COLLECTIVE_RULES, data, today=seed_forms.SEED_SUBMISSION_DATES["002"]
    )
    assert messages == ["参评集体不少于 3 人"]


@pytest.mark.parametrize(
    ("started_on", "ended_on", "eligible"),
    [
        ("2013-09-01", "2014-03-01", True),
        ("2013-09-01", "2014-02-28", False),
        ("2013-08-31", "2014-06-30", False),
        ("2014-04-20", None, True),
        ("2014-04-21", None, False),
    ],
)
def test_seed_003_project_must_start_in_the_window_and_run_half_a_year(
    started_on: str, ended_on: str | None, eligible: bool
) -> None:
    data = sample("003", "case", started_on=started_on, ended_on=ended_on)
    messages = check_eligibility(
        seed_forms.SEED_003_INNOVATION_RULES, data, today=seed_forms.SEED_SUBMISSION_DATES["003"]
    )
    assert (messages == []) is eligible
