"""The nomination form as HTML inputs, generated from the campaign's form definition (workflows/forms.py).

``widgets`` turns a definition and the stored values into what the template renders; ``parse``
turns the posted inputs back into the form dict that ``approvals.actions`` validates. No rule
lives here: required, lengths, ID checksums and the rest are checked by ``workflows.forms``
through the actions, and their messages are shown next to the inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict

from workflows import forms

INPUT_TYPES = {
    forms.TEXT: "text",
    forms.NUMBER: "number",
    forms.DATE: "date",
    forms.ID_NUMBER: "text",
    forms.PHONE: "tel",
    forms.EMAIL: "email",
}
# Blank rows offered below the filled ones of a person list (up to its max_count).
EXTRA_ROWS = 2


def _errors_for(errors: Mapping[str, list[str]], key: str) -> list[str]:
    """Messages of ``form.key``, ``form.key[2].name`` and the like (the prefix names the row)."""
    found: list[str] = []
    for path, messages in errors.items():
        bare = path.removeprefix("form.")
        if bare == key or bare.startswith((key + "[", key + ".")):
            found.extend(messages)
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def widgets(
    definition: Mapping[str, Any],
    data: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    attachments: Mapping[str, list[Any]] | None = None,
) -> list[dict[str, Any]]:
    result = []
    for field in definition.get("fields", []):
        key = field["key"]
        ftype = field["type"]
        value = data.get(key)
        widget: dict[str, Any] = {
            "key": key,
            "id": f"f-{key}",
            "label": field["label"],
            "type": ftype,
            "required": field.get("required", False),
            "help": field.get("help", ""),
            "errors": _errors_for(errors, key),
            "input_type": INPUT_TYPES.get(ftype, "text"),
            "value": _text(value),
            "max_length": field.get("max_length"),
        }
        if ftype == forms.CHOICE:
            chosen = value if isinstance(value, list) else ([value] if value else [])
            widget["multiple"] = field.get("multiple", False)
            widget["options"] = [{"value": o, "checked": o in chosen} for o in field.get("options", [])]
        elif ftype == forms.PERSON_LIST:
            rows = value if isinstance(value, list) else []
            limit = field.get("max_count", forms.HARD_MAX_ITEMS)
            count = min(max(len(rows) + EXTRA_ROWS, field.get("min_count") or 1), max(limit, len(rows)))
            widget["subfields"] = [
                {"key": s["key"], "label": s["label"], "type": s["type"], "required": s.get("required", False),
                 "input_type": INPUT_TYPES.get(s["type"], "text"), "options": s.get("options", [])}
                for s in field["fields"]
            ]  # fmt: skip
            widget["rows"] = [
                {
                    "index": i,
                    "cells": [
                        {
                            **sub,
                            "name": f"{key}-{i}-{sub['key']}",
                            "value": _text(
                                (rows[i] if i < len(rows) and isinstance(rows[i], Mapping) else {}).get(sub["key"])
                            ),
                        }
                        for sub in widget["subfields"]
                    ],
                }
                for i in range(count)
            ]
            widget["row_count"] = count
        elif ftype in forms.ATTACHMENT_FIELD_TYPES:
            allowed = field.get("allowed_types") or (["jpg", "png"] if ftype == forms.IMAGES else ["pdf"])
            widget["accept"] = ",".join("." + t for t in allowed)
            widget["allowed"] = "、".join(allowed)
            widget["max_count"] = field.get("max_count")
            widget["max_size_mb"] = field.get("max_size_mb") or 20
            widget["attachments"] = list((attachments or {}).get(key, []))
        result.append(widget)
    return result


def parse(definition: Mapping[str, Any], post: QueryDict) -> dict[str, Any]:
    """The posted inputs as the form dict the actions take; empty inputs are left out (a draft)."""
    data: dict[str, Any] = {}
    for field in definition.get("fields", []):
        key = field["key"]
        ftype = field["type"]
        if ftype in forms.ATTACHMENT_FIELD_TYPES:
            continue
        if ftype == forms.CHOICE and field.get("multiple", False):
            values = [v for v in post.getlist(key) if v.strip()]
            if values:
                data[key] = values
        elif ftype == forms.PERSON_LIST:
            try:
                count = min(int(post.get(f"{key}-rows", "0")), forms.HARD_MAX_ITEMS + 1)
            except ValueError:
                count = 0
            rows = []
            for i in range(count):
                row = {}
                for sub in field["fields"]:
                    raw = post.get(f"{key}-{i}-{sub['key']}", "")
                    if raw.strip():
                        row[sub["key"]] = raw
                if row:
                    rows.append(row)
            if rows:
                data[key] = rows
        else:
            raw = post.get(key, "")
            if raw.strip():
                data[key] = raw
    return data
