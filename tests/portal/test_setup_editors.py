"""The setup editors' rows (portal/setup_editors.py): what they do not show is kept, a new stage
option is one more column, and limits follow the field's type."""

from __future__ import annotations

from datetime import date

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
    mode = ed.Column("mode", "会签或或签", "select", (("all", "会签"), ("any", "或签")))
    monkeypatch.setattr(ed, "STAGE_COLUMNS", (*ed.STAGE_COLUMNS, mode))
    stored = {"key": "joint", "name": "区民政局和社工部会签", "role": "district_reviewer", "seal": False,
              "mode": "any"}  # fmt: skip

    rows = ed.stage_rows([stored])
    assert rows[0]["mode"] == "any"
    assert "mode" not in rows[0]["extra"]
    rows[0]["mode"] = "all"
    stages, _errors = ed.stages_from_rows(rows)

    assert stages[0]["mode"] == "all"


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
