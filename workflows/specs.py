"""Checking a campaign definition as a whole, before anything is saved (pure, no ORM)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from accounts.roles import Role
from workflows import eligibility, forms, rounds
from workflows.models import NominationKind, Stage

# Where each role's signer sits by default, seen from the nomination's unit.
DEFAULT_SIGNER_ORG: dict[str, str] = {
    Role.SUBMITTER: Stage.SignerOrg.UNIT,
    Role.UNIT_LEADER: Stage.SignerOrg.UNIT,
    Role.PARTY_SECRETARY: Stage.SignerOrg.PARTY,
    Role.DISTRICT_REVIEWER: Stage.SignerOrg.DISTRICT,
    Role.CITY_REVIEWER: Stage.SignerOrg.CITY,
    Role.COMMITTEE: Stage.SignerOrg.HOST,
    Role.CAMPAIGN_ADMIN: Stage.SignerOrg.HOST,
    Role.JUDGE: Stage.SignerOrg.HOST,
}
# The roles that may sign a stage (the three administrators never read nomination content).
SIGNING_ROLES = frozenset(DEFAULT_SIGNER_ORG) - {Role.SUBMITTER}


def check_campaign_spec(spec: dict[str, Any]) -> dict[str, list[str]]:
    """Every problem of a campaign definition, per field; empty when it may be saved."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    opens_at: datetime | None = spec.get("opens_at")
    deadline: datetime | None = spec.get("submission_deadline")
    if opens_at and deadline and opens_at >= deadline:
        add("submission_deadline", _("截止时间必须晚于开始征集时间"))

    form_defs = spec.get("forms") or {}
    kinds = spec.get("kinds") or list(form_defs)
    if not kinds:
        add("kinds", _("至少需要一种申报类别"))
    for kind in kinds:
        if kind not in NominationKind.values:
            add("kinds", _("未知的申报类别：{kind}").format(kind=kind))
        elif kind not in form_defs:
            add("forms", _("缺少“{kind}”类别的申报表").format(kind=NominationKind(kind).label))
    for kind, definition in form_defs.items():
        if kind not in kinds:
            add("forms", _("申报表类别“{kind}”不在申报类别中").format(kind=kind))
            continue
        for key, messages in forms.validate_form_definition(definition).items():
            errors.setdefault(f"forms.{kind}.{key}", []).extend(messages)
    for kind, rules in (spec.get("eligibility") or {}).items():
        if kind not in kinds:
            add("eligibility", _("申报条件类别“{kind}”不在申报类别中").format(kind=kind))
            continue
        definition = form_defs.get(kind) or {}
        try:
            field_types = forms.field_types(definition)
        except forms.InvalidFormDefinition:
            continue  # the form's own errors are reported above
        for key, messages in eligibility.validate_rules(rules, field_types).items():
            errors.setdefault(f"eligibility.{kind}.{key}", []).extend(messages)

    stages = spec.get("stages") or []
    if not stages:
        add("stages", _("至少需要一个审批环节"))
    seen: set[str] = set()
    for i, stage in enumerate(stages):
        if stage["key"] in seen:
            add(f"stages[{i}].key", _("环节标识“{key}”重复").format(key=stage["key"]))
        seen.add(stage["key"])
        if stage["role"] not in SIGNING_ROLES:
            add(f"stages[{i}].role", _("角色“{role}”不能签署审批环节").format(role=Role(stage["role"]).label))
    seen_quota: set[tuple[int, str]] = set()
    for i, quota in enumerate(spec.get("quotas") or []):
        quota_key = (quota["org"].pk, quota.get("kind") or "")
        if quota_key in seen_quota:
            add(f"quotas[{i}].org", _("同一组织、同一类别的名额重复"))
        seen_quota.add(quota_key)
        if quota.get("kind") and quota["kind"] not in kinds:
            add(f"quotas[{i}].kind", _("名额类别不在申报类别中"))
    for key, messages in _check_judging(spec, kinds, form_defs).items():
        errors.setdefault(key, []).extend(messages)
    if spec.get("publicity_working_days") and not spec.get("publicity_days"):
        add("publicity_days", _("按工作日计算公示期时须填写公示天数"))
    return errors


def _check_judging(spec: dict[str, Any], kinds: list[str], form_defs: dict[str, Any]) -> dict[str, list[str]]:
    """The rounds, tiers and tier floors (workflows/rounds.py)."""
    errors = rounds.check_rounds(spec.get("rounds") or [], kinds)
    errors.update(rounds.check_tiers(spec.get("tiers") or {}, kinds))
    field_keys: dict[str, set[str]] = {}
    for kind, definition in form_defs.items():
        try:
            field_keys[kind] = set(forms.field_types(definition))
        except forms.InvalidFormDefinition:
            field_keys[kind] = set()
    errors.update(rounds.check_tier_floors(spec.get("tier_floors") or [], kinds, field_keys))
    return errors
