"""config.text_input: the one check of client text (NUL, controls, lone surrogates, bidi overrides, real names)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from config import text_input
from config.api.parsers import json_depth_exceeds

HOSTILE = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfff",
    "\u202e",
    "abc\u202dxyz",
    "\u2066",
    "\u2069",
    "\x01\x1b",
    "\x7f",
    "\x85",
]
FINE = ["张三", "Zhang San", "第一行\n第二行\r\n\t缩进", "emoji 🙂", "é (e + \u0301)", ""]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_characters_are_refused(value):
    assert text_input.bad_character(value) is not None
    with pytest.raises(ValidationError) as caught:
        text_input.validate_text(value)
    assert caught.value.code == "invalid_characters"


@pytest.mark.parametrize("value", FINE)
def test_ordinary_text_passes(value):
    assert text_input.bad_character(value) is None
    text_input.validate_text(value)


def test_line_breaks_only_in_multi_line_text():
    assert text_input.bad_character("a\nb", multiline=True) is None
    assert text_input.bad_character("a\nb", multiline=False) == "\n"
    with pytest.raises(ValidationError):
        text_input.validate_single_line("a\tb")


@pytest.mark.parametrize("value", ["\u200b", " ", "\u3000\u3000", "\u200b\u200c\u200d\ufeff", "\u3164", "\u0301"])
def test_a_real_name_must_show_something(value):
    assert not text_input.has_visible_text(value)
    with pytest.raises(ValidationError) as caught:
        text_input.validate_real_name(value)
    assert caught.value.code == "invalid_name"


@pytest.mark.parametrize("value", ["张三", "A", "\u200b王五", "阿依古丽·买买提"])
def test_real_names_pass(value):
    text_input.validate_real_name(value)


def test_find_invalid_names_each_path_values_and_keys():
    data = {
        "title": "ok",
        "form": {"summary": "bad\x00", "members": [{"name": "张三"}, {"name": "\u202e"}], "k\x00": "v"},
        "tags": ["fine", "\ud800"],
    }

    errors = text_input.find_invalid(data)

    assert set(errors) == {"form.summary", "form.members[1].name", "form", "tags[1]"}
    assert errors["form.summary"] == [text_input.message()]


def test_json_depth_is_counted_outside_strings():
    assert not json_depth_exceeds(b"[" * 64 + b"]" * 64)
    assert json_depth_exceeds(b"[" * 65 + b"]" * 65)
    assert json_depth_exceeds(b'{"a":' * 1000 + b"1" + b"}" * 1000)
    assert not json_depth_exceeds(b'{"a": "' + b"[" * 5000 + b'"}')
    assert not json_depth_exceeds(b'{"a": "\\"' + b"[" * 5000 + b'"}')
