"""The setup editors' rows (portal/setup_editors.py): what they do not show is kept, a new stage
option is one more column, and limits follow the field's type."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from portal import setup_editors as ed
from workflows.seed_forms import SEED_CAMPAIGNS


def test_a_stage_row_round_trips_and_keeps_what_the_editor_does_not_show():
    stored = {"key": "party_opinion", "name": "党组织意见", "role": "party_secretary", "seal": True,
              "seal_org": "unit", "signer_org": "party", "time_limit_days": None, "due_date": date(2027, 8, 9),
              "same_signer_as_previous": True, "cc_roles": ["district_reviewer"]}  # fmt: skip

    rows = ed.stage_rows([stored])
    stages, errors = ed.stages_from_rows(rows)

    assert errors == {}
    assert rows[0]["limit"] == ed.LIMIT_DATE
    assert stages == [stored]


def test_a_new_stage_option_needs_only_its_column(monkeypatch):
    urgency = ed.Column("urgency", "紧急程度", "select", (("normal", "一般"), ("urgent", "加急")))
    monkeypatch.setattr(ed, "STAGE_COLUMNS", (*ed.STAGE_COLUMNS, urgency))
    stored = {"key": "joint", "name": "区民政局审核", "role": "district_reviewer", "seal": False,
              "urgency": "urgent"}  # fmt: skip

    rows = ed.stage_rows([stored])
    assert rows[0]["urgency"] == "urgent"
    assert "urgency" not in rows[0]["extra"]
    rows[0]["urgency"] = "normal"
    stages, _errors = ed.stages_from_rows(rows)

    assert stages[0]["urgency"] == "normal"


COSIGN: dict[str, Any] = {
          "key": "joint", "name": "区民政局和社工部会签", "role": "district_reviewer", "signer_org": "district",
          "seal": True, "seal_org": "", "same_signer_as_previous": False, "time_limit_days": None, "due_date": None,
          "holders": [{"role": "district_reviewer", "signer_org": "district"},
                      {"role": "district_reviewer", "signer_org": "district", "department": "社工部"},
                      {"role": "city_reviewer"}],
          "mode": "all"}  # fmt: skip


def test_a_cosign_stage_shows_its_other_holders_one_per_line_and_round_trips():
    rows = ed.stage_rows([COSIGN])

    assert rows[0]["mode"] == "all"
    assert rows[0]["holders"] == "区（县）民政局审核人 @ 所在区（县） / 社工部\n市民政局审核人"
    assert "holders" not in rows[0]["extra"]
    stages, errors = ed.stages_from_rows(rows)
    assert errors == {}
    assert stages == [COSIGN]


def test_a_department_of_the_stage_s_own_holder_is_kept_though_no_line_shows_it():
    office = {**COSIGN, "holders": [{**COSIGN["holders"][0], "department": "办公室"}, *COSIGN["holders"][1:]]}

    rows = ed.stage_rows([office])
    assert rows[0]["holders"] == "区（县）民政局审核人 @ 所在区（县） / 社工部\n市民政局审核人"
    stages, errors = ed.stages_from_rows(rows)

    assert errors == {}
    assert stages == [office]
    rows[0]["signer_org"] = "city"  # another signer of the stage: the department was the old one's
    assert ed.stages_from_rows(rows)[0][0]["holders"][0] == {"role": "district_reviewer", "signer_org": "city"}
    rows[0] |= {"mode": "", "holders": ""}  # back to a single signer: nothing of the holders is left
    stages, _errors = ed.stages_from_rows(rows)
    assert "holders" not in stages[0]


def test_holder_lines_take_values_short_names_and_full_width_marks():
    holders, errors = ed.parse_holders("区民政局审核人 ＠ 区 ／ 社工部\n\ncity_reviewer@city\n组委会成员 @ 主办方")

    assert errors == []
    assert holders == [
        {"role": "district_reviewer", "signer_org": "district", "department": "社工部"},
        {"role": "city_reviewer", "signer_org": "city"},
        {"role": "committee", "signer_org": "host"},
    ]


def test_unreadable_holder_lines_and_a_mode_without_holders_are_refused_next_to_their_input():
    rows = ed.stage_rows(
        [{"key": "a", "name": "甲", "role": "committee"}, {"key": "b", "name": "乙", "role": "committee"}]
    )
    rows[0] |= {"mode": "any", "holders": "组委会成员 @ 主办方\n村委会主任 @ 村\n市民政局审核人 @ 火星"}
    rows[1] |= {"mode": "all"}

    stages, errors = ed.stages_from_rows(rows)

    assert errors == {
        "stages[0].holders": ["第 2 行：未知的签署角色“村委会主任”", "第 3 行：未知的签署组织“火星”"],
        "stages[1].holders": ["会签或或签须在此填写至少一个其他签署方"],
    }
    rows[0] |= {"mode": "", "holders": "组委会成员"}
    rows[1] |= {"mode": ""}
    stages, errors = ed.stages_from_rows(rows)
    assert errors == {"stages[0].mode": ["填写了其他签署方时，请选择会签或或签"]}
    # A single signer's stage stores neither holders nor a mode.
    assert "holders" not in stages[1]
    assert "mode" not in stages[1]


def test_a_holder_error_of_the_definition_names_its_line():
    editor = ed.Editor(ed.stage_rows([COSIGN]))

    ed.place_errors(editor, {"stages[0].holders[2]": ["签署方重复"], "stages[0].mode": ["须选择"]}, "stages",
                    ed.STAGE_COLUMNS)  # fmt: skip

    assert editor.errors == {0: {"holders": ["第 2 行：签署方重复"], "mode": ["须选择"]}}


def test_moving_rows_and_unreadable_days():
    rows = ed.stage_rows(
        [{"key": "a", "name": "甲", "role": "committee"}, {"key": "b", "name": "乙", "role": "committee"}]
    )
    assert ed.apply_row_op(rows, "up-1", ed.blank_stage_row())
    assert [r["key"] for r in rows] == ["b", "a"]
    assert ed.apply_row_op(rows, "delete-0", ed.blank_stage_row())
    assert not ed.apply_row_op(rows, "save", ed.blank_stage_row())
    rows[0] |= {"limit": ed.LIMIT_DAYS, "time_limit_days": "十"}

    _stages, errors = ed.stages_from_rows(rows)

    assert errors == {"stages[0].time_limit_days": ["天数应为 1 到 365 的整数"]}


def test_a_field_keeps_its_sub_fields_and_drops_limits_its_new_type_does_not_have():
    members = {"key": "members", "label": "团队成员", "type": "person_list", "max_count": 5,
               "fields": [{"key": "name", "label": "姓名", "type": "text"}]}  # fmt: skip
    summary = {"key": "summary", "label": "简介", "type": "text", "max_length": 300}
    rows = ed.field_rows({"fields": [members, summary]})

    assert ed.definition_from_rows(rows) == {"fields": [members, summary]}
    rows[1]["type"] = "number"
    rows[1]["max"] = "10"
    assert ed.definition_from_rows(rows)["fields"][1] == {"key": "summary", "label": "简介", "type": "number",
                                                          "max": 10}  # fmt: skip


def test_errors_go_next_to_their_input_and_the_rest_on_top():
    editor = ed.Editor(ed.stage_rows([{"key": "a", "name": "甲", "role": "committee", "due_date": date(2027, 1, 1)}]))

    ed.place_errors(
        editor,
        {
            "stages[0].key": ["重复"],
            "stages[0].time_limit_days": ["天数"],
            "stages": ["至少一个"],
            "quotas[0].org": ["x"],
        },  # fmt: skip
        "stages",
        ed.STAGE_COLUMNS,
    )

    assert editor.errors == {0: {"key": ["重复"], "due_date": ["天数"]}}
    assert editor.general == ["至少一个", "x"]


@pytest.mark.parametrize("seed", sorted(SEED_CAMPAIGNS))
def test_every_seed_rule_round_trips_through_the_rule_editor(seed):
    for rules in SEED_CAMPAIGNS[seed]["eligibility"].values():
        assert ed.rules_from_rows(ed.rule_rows(rules)) == rules
