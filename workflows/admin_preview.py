"""The campaign's kinds, form definitions and eligibility rules as the campaign admin reads them in
the admin (a table per form, rules in words), instead of the JSON they are stored as."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows import eligibility, forms
from workflows.models import NominationKind

FIELD_TYPE_LABELS = {
    forms.TEXT: gettext_lazy("单行文字"),
    forms.LONG_TEXT: gettext_lazy("多行文字"),
    forms.CHOICE: gettext_lazy("单选"),
    forms.NUMBER: gettext_lazy("数字"),
    forms.DATE: gettext_lazy("日期"),
    forms.ID_NUMBER: gettext_lazy("身份证号"),
    forms.PHONE: gettext_lazy("电话"),
    forms.EMAIL: gettext_lazy("电子邮箱"),
    forms.BOOLEAN: gettext_lazy("是/否"),
    forms.PERSON_LIST: gettext_lazy("人员名单"),
    forms.FILES: gettext_lazy("附件"),
    forms.IMAGES: gettext_lazy("图片"),
}

RULE_LABELS = {
    eligibility.MIN_NUMBER: gettext_lazy("数值不低于"),
    eligibility.MUST_BE_TRUE: gettext_lazy("必须为“是”"),
    eligibility.WITHIN_LAST_YEARS: gettext_lazy("在最近若干年内"),
    eligibility.DATE_BETWEEN: gettext_lazy("日期在范围内"),
    eligibility.MIN_DURATION_MONTHS: gettext_lazy("持续不少于若干月"),
    eligibility.MAX_COUNT: gettext_lazy("人数不超过"),
    eligibility.MAX_TOTAL_CHARS: gettext_lazy("总字数不超过"),
}

_LIMIT_KEYS = (
    ("max_length", gettext_lazy("最多 {} 字")),
    ("min", gettext_lazy("最小 {}")),
    ("max", gettext_lazy("最大 {}")),
    ("max_count", gettext_lazy("最多 {} 个")),
    ("max_size_mb", gettext_lazy("每个不超过 {} MB")),
)


def _kind_label(kind: str) -> str:
    return str(NominationKind(kind).label) if kind in NominationKind.values else kind


def _limits(field: dict[str, Any]) -> str:
    parts = [str(label).format(field[key]) for key, label in _LIMIT_KEYS if field.get(key) not in (None, "")]
    if field.get("options"):
        parts.append(_("选项：") + "、".join(str(o) for o in field["options"]))
    if field.get("subfields"):
        parts.append(_("各项：") + "、".join(str(s.get("label", s.get("key", ""))) for s in field["subfields"]))
    if field.get("personal"):
        parts.append(_("个人信息（默认脱敏）"))
    return "；".join(parts)


def kinds_html(kinds: list[str]) -> str:
    return "、".join(_kind_label(k) for k in kinds or []) or "—"


def forms_html(definitions: dict[str, Any]) -> SafeString:
    """One table per kind: label, type, required, limits (every value escaped by format_html)."""
    if not definitions:
        return format_html("{}", "—")
    tables = []
    for kind, definition in definitions.items():
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    field.get("label", field.get("key", "")),
                    FIELD_TYPE_LABELS.get(field.get("type", ""), field.get("type", "")),
                    _("必填") if field.get("required") else "",
                    _limits(field),
                )
                for field in (definition or {}).get("fields", [])
            ),
        )
        tables.append(
            format_html(
                "<p><strong>{}</strong></p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
                "</thead><tbody>{}</tbody></table>",
                _kind_label(kind),
                _("表单项"),
                _("类型"),
                _("必填"),
                _("限制"),
                rows,
            )  # fmt: skip
        )
    return format_html_join("", "{}", ((t,) for t in tables))


def eligibility_html(rules: dict[str, Any]) -> SafeString:
    """Each kind's rules in words: the rule, the field, its figures, and the message shown."""
    if not rules:
        return format_html("{}", _("无"))
    items = []
    for kind, kind_rules in rules.items():
        for rule in kind_rules or []:
            figures = "，".join(
                f"{k}={v}" for k, v in rule.items() if k not in ("type", "field", "message") and v not in (None, "")
            )
            items.append(
                (
                    _kind_label(kind),
                    RULE_LABELS.get(rule.get("type", ""), rule.get("type", "")),
                    rule.get("field", ""),
                    figures,
                    rule.get("message", ""),
                )
            )
    if not items:
        return format_html("{}", _("无"))
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}：{}（{}）{} {}</li>", items))
