"""The zh_Hans catalogue: the committed django.mo is the compiled django.po, and Django uses it.

Why committed: a fresh machine has only Python (no GNU gettext, so no compilemessages); the
compiled file is ~50 KB and changes only when the catalogue does. This test fails when the .po
was edited without recompiling (``manage.py compilemessages -l zh_Hans``).
"""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def parse_po(text: str) -> dict[tuple[str | None, str], str]:
    """msgctxt/msgid → msgstr of a .po file, without fuzzy and empty entries (what msgfmt compiles)."""
    entries: dict[tuple[str | None, str], str] = {}
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith('"'):
                assert current is not None
                fields[current] += ast.literal_eval(line)
                continue
            key, _, value = line.partition(" ")
            current = key
            fields[key] = ast.literal_eval(value)
        if "msgid_plural" in fields and fields.get("msgstr[0]"):  # one form in Chinese (nplurals=1)
            entries[(fields.get("msgctxt"), (fields["msgid"], 0))] = fields["msgstr[0]"]  # type: ignore[index]
        elif "msgid" in fields and fields["msgid"] and fields.get("msgstr"):
            entries[(fields.get("msgctxt"), fields["msgid"])] = fields["msgstr"]
    return entries


def test_compiled_catalogue_matches_the_po_file():
    po = parse_po((LOCALE / "django.po").read_text(encoding="utf-8"))
    with (LOCALE / "django.mo").open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    catalog = {k: v for k, v in mo._catalog.items() if k != ""}  # type: ignore[attr-defined]
    compiled = {(None, k) if "\x04" not in k else tuple(k.split("\x04", 1)): v for k, v in catalog.items()}
    assert compiled == po
    assert len(po) > 400


def test_django_renders_the_pages_strings_from_the_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("待办审批") == "待办审批"
        assert translation.gettext("Password") == "密码"  # Django's own zh_Hans catalogue
