"""Nomination forms as data: one definition format and one validator for the API, the web form and imports.

A campaign holds, per nomination kind, a JSON-able form definition::

    {"fields": [{"key": "name", "label": "案例名称", "type": "text", "required": True, "max_length": 50}, ...]}

``validate_form_definition`` checks a definition written by a campaign admin; ``validate_form_data``
checks a nomination's values against it (``partial=True`` for autosaved drafts, ``partial=False`` at
submit); ``clean_form_data`` normalises values before they are stored; ``mask_form_data`` and
``personal_paths`` serve readers who may not see personal information (ID numbers, phones).

Pure Python: no ORM, no database. Messages are Simplified Chinese and name the field's label.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, TypeAlias

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from config import masking, text_input

# Field types.
TEXT: Final = "text"
LONG_TEXT: Final = "long_text"
CHOICE: Final = "choice"
NUMBER: Final = "number"
DATE: Final = "date"
ID_NUMBER: Final = "id_number"
PHONE: Final = "phone"
EMAIL: Final = "email"
BOOLEAN: Final = "boolean"
PERSON_LIST: Final = "person_list"
FILES: Final = "files"
IMAGES: Final = "images"

# Types that hold one value; only these may be sub-fields of a person list.
SCALAR_TYPES: Final[tuple[str, ...]] = (TEXT, LONG_TEXT, CHOICE, NUMBER, DATE, ID_NUMBER, PHONE, EMAIL, BOOLEAN)
ATTACHMENT_FIELD_TYPES: Final[tuple[str, ...]] = (FILES, IMAGES)
FIELD_TYPES: Final[tuple[str, ...]] = (*SCALAR_TYPES, PERSON_LIST, *ATTACHMENT_FIELD_TYPES)

# Types whose values are personal information unless the definition says ``"personal": false``.
PERSONAL_BY_DEFAULT: Final[frozenset[str]] = frozenset({ID_NUMBER, PHONE})

# Short attachment type names (lower case, no dot) a ``files`` field may allow; ``images`` only the image ones.
# Exactly the types whose content approvals/uploads.py can verify (a test keeps the two equal): a type
# that cannot be checked from its bytes (OFD, WPS, PPT, plain text) is not offered.
IMAGE_FILE_TYPES: Final[tuple[str, ...]] = ("jpg", "png")
FILE_TYPES: Final[tuple[str, ...]] = ("pdf", "doc", "docx", "xls", "xlsx", *IMAGE_FILE_TYPES, "mp4")

# Caps that hold even when a definition sets no limit, so that drafts cannot store unbounded junk.
HARD_MAX_TEXT_LENGTH: Final = 100_000
HARD_MAX_ITEMS: Final = 500
HARD_MAX_OPTIONS: Final = 200
MAX_KEY_LENGTH: Final = 50
MAX_LABEL_LENGTH: Final = 100
EMAIL_MAX_LENGTH: Final = 254
PHONE_MAX_LENGTH: Final = 13  # "0755-28299971"
ID_NUMBER_LENGTH: Final = 18

# Error key for problems of the whole definition or the whole data object (Django's NON_FIELD_ERRORS).
NON_FIELD_KEY: Final = "__all__"

Errors: TypeAlias = dict[str, list[str]]
FormDefinition: TypeAlias = Mapping[str, Any]

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*\Z")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_PARTIAL_DATE_RE = re.compile(r"^[0-9-]*\Z")
_DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)\Z", re.ASCII)
_ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]\Z", re.ASCII)
_PARTIAL_ID_NUMBER_RE = re.compile(r"^(\d{0,17}|\d{17}[\dXx])\Z", re.ASCII)
_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})\Z", re.ASCII)
_PARTIAL_PHONE_RE = re.compile(r"^[0-9-]*\Z")

# ISO 7064 MOD 11-2 as used by GB 11643-1999.
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS: Final = "10X98765432"

_TRUE_STRINGS: Final = frozenset({"true", "1", "是", "yes", "y", "on"})
_FALSE_STRINGS: Final = frozenset({"false", "0", "否", "no", "n", "off"})

_COMMON_KEYS: Final = frozenset({"key", "label", "type", "required", "help", "personal"})
_OPTION_KEYS: Final[dict[str, frozenset[str]]] = {
    TEXT: frozenset({"min_length", "max_length"}),
    LONG_TEXT: frozenset({"min_length", "max_length"}),
    CHOICE: frozenset({"options", "multiple", "min_choices", "max_choices"}),
    NUMBER: frozenset({"min", "max", "integer"}),
    DATE: frozenset({"min", "max"}),
    ID_NUMBER: frozenset(),
    PHONE: frozenset(),
    EMAIL: frozenset(),
    BOOLEAN: frozenset(),
    PERSON_LIST: frozenset({"fields", "min_count", "max_count"}),
    FILES: frozenset({"allowed_types", "min_count", "max_count", "max_size_mb"}),
    IMAGES: frozenset({"allowed_types", "min_count", "max_count", "max_size_mb"}),
}


@dataclass(frozen=True)
class AttachmentInfo:
    """What the validator needs to know about an uploaded attachment.

    ``type`` is a short type name such as ``"pdf"`` or ``"jpg"`` (``"jpeg"`` counts as ``"jpg"``),
    ``size`` is in bytes, ``name`` (optional) is shown in messages instead of the id.
    """

    type: str
    size: int
    is_image: bool
    name: str = ""


class InvalidFormDefinition(ValueError):
    """Raised by the data functions when the definition itself does not pass ``validate_form_definition``."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(f"invalid form definition: {errors}")
        self.errors = errors


# ---------------------------------------------------------------------------------------------------------------------
# Value parsing shared with workflows.eligibility


def parse_number(value: object) -> int | float | None:
    """Return the number in ``value`` (an int, a finite float or a decimal string), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_RE.match(text):
            return None
        if "." not in text:
            return int(text)
        number = float(text)
        return number if math.isfinite(number) else None
    return None


def parse_boolean(value: object) -> bool | None:
    """Return the boolean in ``value`` (a bool, or "true"/"false", "是"/"否", "1"/"0" …), or None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE_STRINGS:
            return True
        if text in _FALSE_STRINGS:
            return False
    return None


def parse_date(value: object) -> date | None:
    """Return the date in ``value`` (a ``date`` or a "YYYY-MM-DD" string), or None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not _ISO_DATE_RE.match(text):
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


def id_number_check_char(first17: str) -> str:
    """Return the GB 11643-1999 check character (ISO 7064 MOD 11-2) for 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


# ---------------------------------------------------------------------------------------------------------------------
# Helpers on definitions


def field_keys(definition: FormDefinition) -> set[str]:
    """Return the top-level field keys of a valid definition."""
    return {field["key"] for field in definition["fields"]}


def field_labels(definition: FormDefinition) -> dict[str, str]:
    """Return ``{key: label}`` for the top-level fields of a valid definition."""
    return {field["key"]: field["label"] for field in definition["fields"]}


def field_types(definition: FormDefinition) -> dict[str, str]:
    """Return ``{key: type}`` for the top-level fields of a valid definition."""
    return {field["key"]: field["type"] for field in definition["fields"]}


def is_personal(field: Mapping[str, Any]) -> bool:
    """Whether a field's values are personal information (ID numbers and phones unless marked otherwise)."""
    return bool(field.get("personal", field.get("type") in PERSONAL_BY_DEFAULT))


def _add(errors: Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _fmt(number: object) -> str:
    """Format a number for a message: 3.0 → "3", 2.5 → "2.5"."""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def _normalise_file_type(name: str) -> str:
    name = name.strip().lower().lstrip(".")
    return "jpg" if name == "jpeg" else name


# ---------------------------------------------------------------------------------------------------------------------
# Definitions


def validate_form_definition(definition: object) -> Errors:
    """Check a form definition written by a campaign admin.

    Returns ``{error_key: [message, ...]}``; an empty dict means the definition is valid. Keys are
    paths into the definition: ``"fields"``, ``"fields[2]"``, ``"fields[2].max_length"``,
    ``"fields[5].fields[0].type"``; ``"__all__"`` when the definition is not an object.
    """
    errors: Errors = {}
    if not isinstance(definition, Mapping):
        _add(errors, NON_FIELD_KEY, _("表单定义必须是一个对象"))
        return errors
    for key in definition:
        if key != "fields":
            _add(errors, str(key), _("表单定义中有未知的属性“{key}”").format(key=key))
    fields = definition.get("fields")
    if not isinstance(fields, list):
        _add(errors, "fields", _("表单定义须包含字段列表 fields"))
    else:
        # An empty list is a valid form that accepts only an empty object.
        _check_field_list(fields, "fields", errors, nested=False)
    return errors


def _check_field_list(fields: list[Any], path: str, errors: Errors, *, nested: bool) -> None:
    seen: set[str] = set()
    for index, field in enumerate(fields):
        field_path = f"{path}[{index}]"
        _check_field(field, field_path, errors, nested=nested)
        key = field.get("key") if isinstance(field, Mapping) else None
        if isinstance(key, str):
            if key in seen:
                _add(errors, f"{field_path}.key", _("字段标识“{key}”重复").format(key=key))
            seen.add(key)


def _check_field(field: object, path: str, errors: Errors, *, nested: bool) -> None:
    if not isinstance(field, Mapping):
        _add(errors, path, _("字段定义必须是一个对象"))
        return
    key = field.get("key")
    label = field.get("label")
    name = label if isinstance(label, str) and label.strip() else (key if isinstance(key, str) else path)

    if not isinstance(key, str) or not key:
        _add(errors, f"{path}.key", _("字段缺少标识 key"))
    elif len(key) > MAX_KEY_LENGTH or not _KEY_RE.match(key):
        _add(
            errors,
            f"{path}.key",
            _("字段标识“{key}”须由小写字母开头，只含小写字母、数字和下划线，不超过 {max} 个字符").format(
                key=key, max=MAX_KEY_LENGTH
            ),
        )
    if not isinstance(label, str) or not label.strip():
        _add(errors, f"{path}.label", _("字段“{name}”缺少名称 label").format(name=name))
    elif len(label) > MAX_LABEL_LENGTH:
        _add(errors, f"{path}.label", _("字段名称不能超过 {max} 个字").format(max=MAX_LABEL_LENGTH))
    for flag in ("required", "personal"):
        if flag in field and not isinstance(field[flag], bool):
            _add(errors, f"{path}.{flag}", _("“{name}”的 {option} 须为 true 或 false").format(name=name, option=flag))
    if "help" in field and not isinstance(field["help"], str):
        _add(errors, f"{path}.help", _("“{name}”的说明 help 须为文本").format(name=name))

    field_type = field.get("type")
    if field_type not in FIELD_TYPES:
        if field_type is None:
            _add(errors, f"{path}.type", _("“{name}”缺少类型 type").format(name=name))
        else:
            _add(errors, f"{path}.type", _("“{name}”的类型“{type}”未知").format(name=name, type=field_type))
        return
    if nested and field_type not in SCALAR_TYPES:
        _add(errors, f"{path}.type", _("人员列表中的“{name}”不能是列表或附件类型").format(name=name))
        return
    allowed = _COMMON_KEYS | _OPTION_KEYS[field_type]
    for option in field:
        if option not in allowed:
            _add(
                errors,
                f"{path}.{option}",
                _("“{name}”（{type}）不支持属性“{option}”").format(name=name, type=field_type, option=option),
            )
    if field_type == PERSON_LIST and "personal" in field:
        _add(errors, f"{path}.personal", _("人员列表“{name}”的个人信息标记须写在子字段上").format(name=name))

    checker = _OPTION_CHECKERS.get(field_type)
    if checker is not None:
        checker(field, path, str(name), errors)


def _opt_int(
    field: Mapping[str, Any], option: str, path: str, name: str, errors: Errors, *, minimum: int, maximum: int
) -> int | None:
    """Return an integer option, or None when absent or invalid (then an error is added)."""
    if option not in field:
        return None
    value = field[option]
    if not _is_int(value) or not minimum <= value <= maximum:
        _add(
            errors,
            f"{path}.{option}",
            _("“{name}”的 {option} 须为 {min} 到 {max} 之间的整数").format(
                name=name, option=option, min=minimum, max=maximum
            ),
        )
        return None
    return int(value)


def _check_min_max(low: Any, high: Any, low_key: str, high_key: str, path: str, name: str, errors: Errors) -> None:
    if low is not None and high is not None and low > high:
        _add(
            errors,
            f"{path}.{high_key}",
            _("“{name}”的 {high} 不能小于 {low}").format(name=name, high=high_key, low=low_key),
        )


def _check_text_options(field: Mapping[str, Any], path: str, name: str, errors: Errors) -> None:
    low = _opt_int(field, "min_length", path, name, errors, minimum=0, maximum=HARD_MAX_TEXT_LENGTH)
    high = _opt_int(field, "max_length", path, name, errors, minimum=1, maximum=HARD_MAX_TEXT_LENGTH)
    _check_min_max(low, high, "min_length", "max_length", path, name, errors)


def _check_choice_options(field: Mapping[str, Any], path: str, name: str, errors: Errors) -> None:
    options = field.get("options")
    count: int | None = None
    if not isinstance(options, list) or not options:
        _add(errors, f"{path}.options", _("选择题“{name}”须有选项 options").format(name=name))
    elif len(options) > HARD_MAX_OPTIONS:
        _add(errors, f"{path}.options", _("“{name}”的选项不能超过 {max} 个").format(name=name, max=HARD_MAX_OPTIONS))
    elif not all(isinstance(option, str) and option.strip() and option == option.strip() for option in options):
        _add(errors, f"{path}.options", _("“{name}”的每个选项须为非空文本，且首尾无空格").format(name=name))
    elif len(set(options)) != len(options):
        _add(errors, f"{path}.options", _("“{name}”的选项有重复").format(name=name))
    else:
        count = len(options)
    multiple = field.get("multiple", False)
    if not isinstance(multiple, bool):
        _add(errors, f"{path}.multiple", _("“{name}”的 multiple 须为 true 或 false").format(name=name))
        return
    if not multiple:
        for option in ("min_choices", "max_choices"):
            if option in field:
                _add(
                    errors,
                    f"{path}.{option}",
                    _("“{name}”不是多选题，不能设置 {option}").format(name=name, option=option),
                )
        return
    limit = count if count is not None else HARD_MAX_OPTIONS
    low = _opt_int(field, "min_choices", path, name, errors, minimum=0, maximum=limit)
    high = _opt_int(field, "max_choices", path, name, errors, minimum=1, maximum=limit)
    _check_min_max(low, high, "min_choices", "max_choices", path, name, errors)


def _check_number_options(field: Mapping[str, Any], path: str, name: str, errors: Errors) -> None:
    bounds: dict[str, float] = {}
    for option in ("min", "max"):
        if option in field:
            if _is_real(field[option]):
                bounds[option] = field[option]
            else:
                _add(errors, f"{path}.{option}", _("“{name}”的 {option} 须为数字").format(name=name, option=option))
    if "integer" in field and not isinstance(field["integer"], bool):
        _add(errors, f"{path}.integer", _("“{name}”的 integer 须为 true 或 false").format(name=name))
    _check_min_max(bounds.get("min"), bounds.get("max"), "min", "max", path, name, errors)


def _check_date_options(field: Mapping[str, Any], path: str, name: str, errors: Errors) -> None:
    bounds: dict[str, date] = {}
    for option in ("min", "max"):
        if option in field:
            parsed = parse_date(field[option]) if isinstance(field[option], str) else None
            if parsed is None:
                _add(
                    errors,
                    f"{path}.{option}",
                    _("“{name}”的 {option} 须为 YYYY-MM-DD 格式的日期").format(name=name, option=option),
                )
            else:
                bounds[option] = parsed
    _check_min_max(bounds.get("min"), bounds.get("max"), "min", "max", path, name, errors)


def _check_count_options(field: Mapping[str, Any], path: str, name: str, errors: Errors) -> None:
    low = _opt_int(field, "min_count", path, name, errors, minimum=0, maximum=HARD_MAX_ITEMS)
    high = _opt_int(field, "max_count", path, name, errors, minimum=1, maximum=HARD_MAX_ITEMS)
    _check_min_max(low, high, "min_count", "max_count", path, name, errors)


def _check_person_list_options(field: Mapping[str, Any], path: str, name: str, errors: Errors) -> None:
    _check_count_options(field, path, name, errors)
    sub_fields = field.get("fields")
    if not isinstance(sub_fields, list) or not sub_fields:
        _add(errors, f"{path}.fields", _("人员列表“{name}”须有子字段 fields").format(name=name))
        return
    _check_field_list(sub_fields, f"{path}.fields", errors, nested=True)


def _check_attachment_options(field: Mapping[str, Any], path: str, name: str, errors: Errors) -> None:
    _check_count_options(field, path, name, errors)
    known = IMAGE_FILE_TYPES if field["type"] == IMAGES else FILE_TYPES
    if "allowed_types" in field:
        allowed = field["allowed_types"]
        if not isinstance(allowed, list) or not allowed or not all(isinstance(item, str) for item in allowed):
            _add(
                errors, f"{path}.allowed_types", _("“{name}”的 allowed_types 须为非空的文件类型列表").format(name=name)
            )
        else:
            for item in allowed:
                if item not in known:
                    _add(
                        errors,
                        f"{path}.allowed_types",
                        _("“{name}”不支持文件类型“{type}”，可选：{known}").format(
                            name=name, type=item, known="、".join(known)
                        ),
                    )
            if len(set(allowed)) != len(allowed):
                _add(errors, f"{path}.allowed_types", _("“{name}”的文件类型有重复").format(name=name))
    if "max_size_mb" in field:
        size = field["max_size_mb"]
        if not _is_real(size) or size <= 0:
            _add(errors, f"{path}.max_size_mb", _("“{name}”的 max_size_mb 须为正数").format(name=name))


_OPTION_CHECKERS: Final[dict[str, Callable[[Mapping[str, Any], str, str, Errors], None]]] = {
    TEXT: _check_text_options,
    LONG_TEXT: _check_text_options,
    CHOICE: _check_choice_options,
    NUMBER: _check_number_options,
    DATE: _check_date_options,
    PERSON_LIST: _check_person_list_options,
    FILES: _check_attachment_options,
    IMAGES: _check_attachment_options,
}


def _require_valid(definition: object) -> list[Mapping[str, Any]]:
    errors = validate_form_definition(definition)
    if errors:
        raise InvalidFormDefinition(errors)
    assert isinstance(definition, Mapping)
    fields: list[Mapping[str, Any]] = definition["fields"]
    return fields


# ---------------------------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class _Context:
    partial: bool
    attachments: Mapping[int, AttachmentInfo] | None
    today: date


@dataclass(frozen=True)
class _Check:
    """One field's value being checked: where its messages go and how they are prefixed."""

    field: Mapping[str, Any]
    path: str
    prefix: str
    context: _Context
    errors: Errors

    @property
    def label(self) -> str:
        label: str = self.field["label"]
        return label

    @property
    def partial(self) -> bool:
        return self.context.partial

    def add(self, message: str) -> None:
        _add(self.errors, self.path, self.prefix + message)


def validate_form_data(
    definition: FormDefinition,
    data: object,
    *,
    partial: bool,
    attachments: Mapping[int, AttachmentInfo] | None = None,
    today: date | None = None,
) -> Errors:
    """Check a nomination's form values against a valid definition.

    Returns ``{path: [message, ...]}`` keyed by field key, or ``"members[1].phone"`` inside a person
    list (0-based index), or ``"__all__"`` when ``data`` is not an object; empty means valid.

    ``partial=True`` (autosaved drafts) skips what a half-typed value would fail: required, min_*,
    ID checksum and birth date, phone and email patterns, full date format and date ranges. Type
    errors, unknown keys, choices outside the options and hard maxima (max_length, max_count,
    max_choices, number max, attachment type and size) are errors in both modes.

    ``attachments`` maps attachment id → ``AttachmentInfo``. At submit every attachment id must be in it
    (``None`` counts as empty); in a draft, ids are checked only when a mapping is given.
    ``today`` (default: today in the project's time zone) bounds ID birth dates.

    Raises ``InvalidFormDefinition`` if the definition is invalid.
    """
    fields = _require_valid(definition)
    errors: Errors = {}
    if not isinstance(data, Mapping):
        _add(errors, NON_FIELD_KEY, _("表单数据必须是一个对象"))
        return errors
    if attachments is None and not partial:
        attachments = {}
    context = _Context(partial=partial, attachments=attachments, today=today or timezone.localdate())
    _check_values(fields, data, "", "", context, errors)
    return errors


def _check_values(
    fields: list[Mapping[str, Any]], data: Mapping[Any, Any], path: str, prefix: str, context: _Context, errors: Errors
) -> None:
    known = {field["key"] for field in fields}
    for field in fields:
        check = _Check(field, path + field["key"], prefix, context, errors)
        value = data.get(field["key"])
        if text_input.find_invalid(value):
            check.add(_("“{label}”").format(label=check.label) + text_input.message())
            continue
        if _is_empty(field, value):
            if field.get("required", False) and not context.partial:
                check.add(_("“{label}”不能为空").format(label=check.label))
            continue
        _VALUE_CHECKERS[field["type"]](check, value)
    for key in data:
        if key not in known:
            _add(errors, f"{path}{key}", prefix + _("未知的字段“{key}”").format(key=key))


def _is_list_field(field: Mapping[str, Any]) -> bool:
    return field["type"] in (PERSON_LIST, *ATTACHMENT_FIELD_TYPES) or (
        field["type"] == CHOICE and field.get("multiple", False)
    )


def _is_empty(field: Mapping[str, Any], value: object) -> bool:
    """None, a blank string, or an empty list for list fields; an empty optional value is always valid."""
    if value is None:
        return True
    if _is_list_field(field):
        return isinstance(value, list) and not value
    # Only spaces or invisible characters (a zero-width space) count as empty: a required name needs a name.
    return isinstance(value, str) and not text_input.has_visible_text(value)


def _check_text(check: _Check, value: object) -> None:
    label = check.label
    if not isinstance(value, str):
        check.add(_("“{label}”须为文本").format(label=label))
        return
    if check.field["type"] == TEXT and text_input.bad_character(value.strip(), multiline=False) is not None:
        check.add(_("“{label}”须为单行文本，").format(label=label) + text_input.message())
        return
    length = len(value.strip())
    maximum = check.field.get("max_length", HARD_MAX_TEXT_LENGTH)
    if length > maximum:
        check.add(
            _("“{label}”不能超过 {max} 个字（现为 {count} 个字）").format(label=label, max=maximum, count=length)
        )
    minimum = check.field.get("min_length")
    if not check.partial and minimum is not None and length < minimum:
        check.add(
            _("“{label}”不能少于 {min} 个字（现为 {count} 个字）").format(label=label, min=minimum, count=length)
        )


def _check_choice(check: _Check, value: object) -> None:
    label = check.label
    options: list[str] = check.field["options"]
    if not check.field.get("multiple", False):
        if not isinstance(value, str):
            check.add(_("“{label}”须为一个选项").format(label=label))
        elif value.strip() not in options:
            check.add(_("“{label}”没有“{value}”这个选项").format(label=label, value=value.strip()))
        return
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        check.add(_("“{label}”须为选项列表").format(label=label))
        return
    chosen = [item.strip() for item in value]
    for item in chosen:
        if item not in options:
            check.add(_("“{label}”没有“{value}”这个选项").format(label=label, value=item))
    if len(set(chosen)) != len(chosen):
        check.add(_("“{label}”的选项有重复").format(label=label))
    maximum = check.field.get("max_choices")
    if maximum is not None and len(chosen) > maximum:
        check.add(_("“{label}”最多选择 {max} 项").format(label=label, max=maximum))
    minimum = check.field.get("min_choices")
    if not check.partial and minimum is not None and len(chosen) < minimum:
        check.add(_("“{label}”至少选择 {min} 项").format(label=label, min=minimum))


def _check_number(check: _Check, value: object) -> None:
    label = check.label
    number = parse_number(value)
    if number is None:
        check.add(_("“{label}”须为数字").format(label=label))
        return
    if check.field.get("integer", False) and not float(number).is_integer():
        check.add(_("“{label}”须为整数").format(label=label))
        return
    maximum = check.field.get("max")
    if maximum is not None and number > maximum:
        check.add(_("“{label}”不能大于 {max}").format(label=label, max=_fmt(maximum)))
    minimum = check.field.get("min")
    if not check.partial and minimum is not None and number < minimum:
        check.add(_("“{label}”不能小于 {min}").format(label=label, min=_fmt(minimum)))


def _check_date(check: _Check, value: object) -> None:
    label = check.label
    if not isinstance(value, str):
        check.add(_("“{label}”须为日期").format(label=label))
        return
    text = value.strip()
    if check.partial:
        if len(text) > 10 or not _PARTIAL_DATE_RE.match(text):
            check.add(_("“{label}”须为 YYYY-MM-DD 格式的日期").format(label=label))
        return
    parsed = parse_date(text)
    if parsed is None:
        check.add(_("“{label}”须为 YYYY-MM-DD 格式的有效日期").format(label=label))
        return
    if "min" in check.field and parsed < date.fromisoformat(check.field["min"]):
        check.add(_("“{label}”不能早于 {min}").format(label=label, min=check.field["min"]))
    if "max" in check.field and parsed > date.fromisoformat(check.field["max"]):
        check.add(_("“{label}”不能晚于 {max}").format(label=label, max=check.field["max"]))


def _check_id_number(check: _Check, value: object) -> None:
    label = check.label
    if not isinstance(value, str):
        check.add(_("“{label}”须为文本").format(label=label))
        return
    text = value.strip().upper()
    if check.partial:
        if len(text) > ID_NUMBER_LENGTH:
            check.add(_("“{label}”应为 18 位").format(label=label))
        elif not _PARTIAL_ID_NUMBER_RE.match(text):
            check.add(_("“{label}”只能包含数字，最后一位可以是 X").format(label=label))
        return
    if len(text) != ID_NUMBER_LENGTH:
        check.add(_("“{label}”应为 18 位").format(label=label))
        return
    if not _ID_NUMBER_RE.match(text):
        check.add(_("“{label}”只能包含数字，最后一位可以是 X").format(label=label))
        return
    if id_number_check_char(text[:17]) != text[17]:
        check.add(_("“{label}”校验位不正确").format(label=label))
        return
    birth = parse_date(f"{text[6:10]}-{text[10:12]}-{text[12:14]}")
    if birth is None:
        check.add(_("“{label}”中的出生日期不正确").format(label=label))
    elif birth > check.context.today:
        check.add(_("“{label}”中的出生日期不能晚于今天").format(label=label))


def _check_phone(check: _Check, value: object) -> None:
    label = check.label
    if not isinstance(value, str):
        check.add(_("“{label}”须为文本").format(label=label))
        return
    text = value.strip()
    if len(text) > PHONE_MAX_LENGTH:
        check.add(_("“{label}”不能超过 {max} 位").format(label=label, max=PHONE_MAX_LENGTH))
    elif check.partial:
        if not _PARTIAL_PHONE_RE.match(text):
            check.add(_("“{label}”只能包含数字和“-”").format(label=label))
    elif not _PHONE_RE.match(text):
        check.add(_("“{label}”不是有效的手机号或固定电话号码").format(label=label))


def _check_email(check: _Check, value: object) -> None:
    label = check.label
    if not isinstance(value, str):
        check.add(_("“{label}”须为文本").format(label=label))
        return
    text = value.strip()
    if len(text) > EMAIL_MAX_LENGTH:
        check.add(_("“{label}”不能超过 {max} 个字符").format(label=label, max=EMAIL_MAX_LENGTH))
        return
    if check.partial:
        return
    try:
        validate_email(text)
    except ValidationError:
        check.add(_("“{label}”不是有效的电子邮箱地址").format(label=label))


def _check_boolean(check: _Check, value: object) -> None:
    if parse_boolean(value) is None:
        check.add(_("“{label}”须为“是”或“否”").format(label=check.label))


def _check_person_list(check: _Check, value: object) -> None:
    label = check.label
    if not isinstance(value, list):
        check.add(_("“{label}”须为人员列表").format(label=label))
        return
    maximum = check.field.get("max_count", HARD_MAX_ITEMS)
    if len(value) > maximum:
        check.add(_("“{label}”最多 {max} 人").format(label=label, max=maximum))
        return
    minimum = check.field.get("min_count")
    if not check.partial and minimum is not None and len(value) < minimum:
        check.add(_("“{label}”至少 {min} 人").format(label=label, min=minimum))
    for index, item in enumerate(value):
        item_path = f"{check.path}[{index}]"
        item_prefix = check.prefix + _("“{label}”第 {number} 人：").format(label=label, number=index + 1)
        if not isinstance(item, Mapping):
            _add(check.errors, item_path, item_prefix + _("信息格式不正确"))
            continue
        _check_values(check.field["fields"], item, item_path + ".", item_prefix, check.context, check.errors)


def _parse_attachment_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        return int(value.strip())
    return None


def _check_attachments(check: _Check, value: object) -> None:
    label = check.label
    images = check.field["type"] == IMAGES
    if not isinstance(value, list):
        check.add(_("“{label}”须为附件列表").format(label=label))
        return
    maximum = check.field.get("max_count", HARD_MAX_ITEMS)
    if len(value) > maximum:
        if images:
            check.add(_("“{label}”最多 {max} 张图片").format(label=label, max=maximum))
        else:
            check.add(_("“{label}”最多 {max} 个文件").format(label=label, max=maximum))
        return
    minimum = check.field.get("min_count")
    if not check.partial and minimum is not None and len(value) < minimum:
        if images:
            check.add(_("“{label}”至少需要 {min} 张图片").format(label=label, min=minimum))
        else:
            check.add(_("“{label}”至少需要 {min} 个文件").format(label=label, min=minimum))
    ids: list[int] = []
    for item in value:
        attachment_id = _parse_attachment_id(item)
        if attachment_id is None:
            check.add(_("“{label}”中的附件编号“{value}”无效").format(label=label, value=item))
        else:
            ids.append(attachment_id)
    if len(set(ids)) != len(ids):
        check.add(_("“{label}”中有重复的附件").format(label=label))
    attachments = check.context.attachments
    if attachments is None:
        return
    allowed = tuple(check.field.get("allowed_types", IMAGE_FILE_TYPES if images else FILE_TYPES))
    max_size_mb = check.field.get("max_size_mb")
    for attachment_id in dict.fromkeys(ids):
        info = attachments.get(attachment_id)
        if info is None:
            check.add(_("“{label}”中的附件 #{id} 不存在").format(label=label, id=attachment_id))
            continue
        ref = f"“{info.name}”" if info.name else f"#{attachment_id}"
        file_type = _normalise_file_type(info.type)
        if file_type not in allowed or (images and not info.is_image):
            check.add(
                _("“{label}”中的文件 {file} 类型为 {type}，只允许 {allowed}").format(
                    label=label, file=ref, type=file_type or "?", allowed="、".join(allowed)
                )
            )
        if max_size_mb is not None and info.size > max_size_mb * 1024 * 1024:
            check.add(_("“{label}”中的文件 {file} 超过 {max} MB").format(label=label, file=ref, max=_fmt(max_size_mb)))


_VALUE_CHECKERS: Final[dict[str, Callable[[_Check, object], None]]] = {
    TEXT: _check_text,
    LONG_TEXT: _check_text,
    CHOICE: _check_choice,
    NUMBER: _check_number,
    DATE: _check_date,
    ID_NUMBER: _check_id_number,
    PHONE: _check_phone,
    EMAIL: _check_email,
    BOOLEAN: _check_boolean,
    PERSON_LIST: _check_person_list,
    FILES: _check_attachments,
    IMAGES: _check_attachments,
}


# ---------------------------------------------------------------------------------------------------------------------
# Cleaning


def clean_form_data(definition: FormDefinition, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a normalised copy of ``data`` to store.

    Strings are stripped; numbers become int (integer fields, or whole decimal strings) or float;
    booleans given as text become bool; ID numbers are upper-cased (x → X); attachment ids become int;
    person lists are cleaned row by row. Keys not in the definition are dropped. Values that cannot
    be converted are kept (stripped if text), so call ``validate_form_data`` to find them.
    Raises ``InvalidFormDefinition`` if the definition is invalid.
    """
    return _clean_values(_require_valid(definition), data)


def _clean_values(fields: list[Mapping[str, Any]], data: Mapping[str, Any]) -> dict[str, Any]:
    return {field["key"]: _clean_value(field, data[field["key"]]) for field in fields if field["key"] in data}


def _clean_value(field: Mapping[str, Any], value: Any) -> Any:
    field_type = field["type"]
    if value is None:
        return None
    if field_type == PERSON_LIST:
        if not isinstance(value, list):
            return copy.deepcopy(value)
        return [_clean_values(field["fields"], item) if isinstance(item, Mapping) else item for item in value]
    if field_type in ATTACHMENT_FIELD_TYPES:
        if not isinstance(value, list):
            return copy.deepcopy(value)
        return [_parse_attachment_id(item) if _parse_attachment_id(item) is not None else item for item in value]
    if isinstance(value, list):
        return [item.strip() if isinstance(item, str) else item for item in value]
    if field_type == NUMBER:
        number = parse_number(value)
        if number is None:
            return value.strip() if isinstance(value, str) else value
        if field.get("integer", False) and float(number).is_integer():
            return int(number)
        return number
    if field_type == BOOLEAN:
        flag = parse_boolean(value)
        if flag is not None:
            return flag
    if isinstance(value, str):
        text = value.strip()
        return text.upper() if field_type == ID_NUMBER else text
    return copy.deepcopy(value)


# ---------------------------------------------------------------------------------------------------------------------
# Personal information


def mask_form_data(definition: FormDefinition, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a copy of ``data`` with personal values masked, also inside person lists.

    ID numbers keep their first and last 4 characters (``3101**********1234``); mobile phones the first 3
    and last 4 digits (``138****5678``), landlines the area code and last 4 (``0755-****9971``); e-mail
    addresses the first character and the domain (``z***@example.com``); other personal text its first
    character (``张*``); personal dates become ``****-**-**``, other personal values ``"***"`` and
    personal attachment lists ``[]``. Phones and ID numbers written into the other text fields are
    masked wherever they stand, however spelled (``config.masking.mask_text``). Empty values stay as
    they are; keys not in the definition are dropped. Raises ``InvalidFormDefinition`` if the definition is invalid.
    """
    return _mask_values(_require_valid(definition), data)


def _mask_values(fields: list[Mapping[str, Any]], data: Mapping[str, Any]) -> dict[str, Any]:
    masked: dict[str, Any] = {}
    for field in fields:
        key = field["key"]
        if key not in data:
            continue
        value = data[key]
        if field["type"] == PERSON_LIST and isinstance(value, list):
            masked[key] = [
                _mask_values(field["fields"], item) if isinstance(item, Mapping) else None for item in value
            ]
        elif is_personal(field) and not _is_empty(field, value):
            masked[key] = _mask_value(field["type"], value)
        elif field["type"] in (TEXT, LONG_TEXT) and isinstance(value, str):
            masked[key] = masking.mask_text(value)  # a phone or ID number written into free text
        else:
            masked[key] = copy.deepcopy(value)
    return masked


def _mask_value(field_type: str, value: Any) -> Any:
    if field_type in ATTACHMENT_FIELD_TYPES:
        return []
    if not isinstance(value, str):
        return "***"
    text = value.strip()
    if field_type == ID_NUMBER:
        return masking.mask_id_number(text)
    if field_type == PHONE:
        return masking.mask_phone(text)
    if field_type == EMAIL and "@" in text:
        local, _sep, domain = text.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if field_type == DATE:
        return "****-**-**"
    if field_type in (TEXT, LONG_TEXT):
        return text[:1] + "*" * max(1, min(len(text) - 1, 10))
    return "***"


def personal_paths(definition: FormDefinition, data: Mapping[str, Any]) -> list[str]:
    """Return the paths of the non-empty personal values in ``data`` (``"id_number"``, ``"members[0].phone"``).

    Meant for the audit event of an unmasked read. Raises ``InvalidFormDefinition`` if the definition is invalid.
    """
    paths: list[str] = []
    _collect_personal(_require_valid(definition), data, "", paths)
    return paths


def _collect_personal(fields: list[Mapping[str, Any]], data: Mapping[str, Any], path: str, paths: list[str]) -> None:
    for field in fields:
        key = field["key"]
        value = data.get(key)
        if field["type"] == PERSON_LIST:
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, Mapping):
                        _collect_personal(field["fields"], item, f"{path}{key}[{index}].", paths)
        elif is_personal(field) and not _is_empty(field, value):
            paths.append(path + key)
