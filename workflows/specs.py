"""Checking a campaign definition as a whole, before anything is saved (pure, no ORM)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from workflows import eligibility, forms, rounds, supplements
from workflows.models import NominationKind, Stage

# Where each role's signer sits by default, seen from the nomination's unit.
DEFAULT_SIGNER_ORG: dict[str, str] = {
    Role.SUBMITTER: Stage.SignerOrg.UNIT,
    Role.UNIT_LEADER: Stage.SignerOrg.UNIT,
    Role.PARTY_SECRETARY: Stage.SignerOrg.PARTY,
    Role.DISTRICT_REVIEWER: Stage.SignerOrg.DISTRICT,
    Role.CITY_REVIEWER: Stage.SignerOrg.CITY,
    Role.PROVINCE_REVIEWER: Stage.SignerOrg.PROVINCE,
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
    # Only the forms without errors are read further (field types, choices): a broken one is
    # reported once, here, and never read as if it were whole (hostile input is a 400, not a 500).
    valid_forms: dict[str, Any] = {}
    for kind, definition in form_defs.items():
        if kind not in kinds:
            add("forms", _("申报表类别“{kind}”不在申报类别中").format(kind=kind))
            continue
        form_errors = forms.validate_form_definition(definition)
        for key, messages in form_errors.items():
            errors.setdefault(f"forms.{kind}.{key}", []).extend(messages)
        if not form_errors:
            valid_forms[kind] = definition
    for kind, rules in (spec.get("eligibility") or {}).items():
        if kind not in kinds:
            add("eligibility", _("申报条件类别“{kind}”不在申报类别中").format(kind=kind))
            continue
        if kind not in valid_forms:
            continue  # the form's own errors are reported above
        field_types = forms.field_types(valid_forms[kind])
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
        for role in stage.get("cc_roles") or []:
            if role not in SIGNING_ROLES:
                add(f"stages[{i}].cc_roles", _("角色“{role}”不能被抄送申报").format(role=Role(role).label))
    for key, messages in check_holders(stages).items():
        errors.setdefault(key, []).extend(messages)
    for key, messages in check_stage_options(stages, deadline).items():
        errors.setdefault(key, []).extend(messages)
    seen_quota: set[tuple[int, str, str, str]] = set()
    for i, quota in enumerate(spec.get("quotas") or []):
        quota_key = (quota["org"].pk, quota.get("kind") or "", quota.get("field") or "", quota.get("value") or "")
        if quota_key in seen_quota:
            add(f"quotas[{i}].org", _("同一组织、同一类别的名额重复"))
        seen_quota.add(quota_key)
        if quota.get("stage") and quota["stage"] not in seen:
            add(f"quotas[{i}].stage", _("审批流程中没有环节“{key}”").format(key=quota["stage"]))
        if quota.get("kind") and quota["kind"] not in kinds:
            add(f"quotas[{i}].kind", _("名额类别不在申报类别中"))
        elif quota.get("field") or quota.get("value"):
            message = _check_quota_field(quota, valid_forms)
            if message:
                add(f"quotas[{i}].field", message)
    for key, messages in _check_judging(spec, kinds, valid_forms).items():
        errors.setdefault(key, []).extend(messages)
    for key, messages in supplements.validate_supplements(spec.get("supplements") or []).items():
        errors.setdefault(key, []).extend(messages)
    if spec.get("publicity_working_days") and not spec.get("publicity_days"):
        add("publicity_days", _("按工作日计算公示期时须填写公示天数"))
    return errors


# The levels at which one person may sign two consecutive stages when the campaign allows it
# (一肩挑: the unit's leader is also its party secretary, [003]); from the district up, never.
SAME_SIGNER_LEVELS = frozenset({Stage.SignerOrg.UNIT, Stage.SignerOrg.PARTY, Stage.SignerOrg.TOWNSHIP})
# Whose seal a stage may apply besides its signer's own: a party stage may seal with its unit's.
OTHER_SEAL_ORGS: dict[str, frozenset[str]] = {Stage.SignerOrg.PARTY: frozenset({Stage.SignerOrg.UNIT})}


def signer_org_of(stage: dict[str, Any]) -> str:
    """Where a stage's signer sits: as given, or the default for its role."""
    return str(stage.get("signer_org") or DEFAULT_SIGNER_ORG.get(stage["role"], ""))


MAX_HOLDERS = 10
MAX_DEPARTMENT = 100


def holders_of(stage: dict[str, Any]) -> list[dict[str, str]]:
    """The holders of a stage (会签 / 或签) as stored: role, where each sits, and the department."""
    return [
        {"role": h["role"], "signer_org": signer_org_of(h), "department": str(h.get("department") or "").strip()}
        for h in stage.get("holders") or []
    ]


def check_holders(stages: list[dict[str, Any]]) -> dict[str, list[str]]:
    """会签 / 或签: two to ten distinct holders, each a signing role, the first being the stage's
    own ``role`` at its ``signer_org``, with ``mode`` "all" or "any"; a stage of one holder has
    neither."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    for i, stage in enumerate(stages):
        holders = stage.get("holders") or []
        mode = stage.get("mode") or ""
        if not holders:
            if mode:
                add(f"stages[{i}].mode", _("只有设置了多个签署方的环节才能选择会签或或签"))
            continue
        if not isinstance(holders, list) or not all(isinstance(h, dict) for h in holders):
            add(f"stages[{i}].holders", _("签署方必须是列表，每项包含角色和签署组织"))
            continue
        if mode not in ("all", "any"):
            add(f"stages[{i}].mode", _("多个签署方的环节须选择会签（全部同意）或或签（任一同意）"))
        if not 2 <= len(holders) <= MAX_HOLDERS:
            add(f"stages[{i}].holders", _("会签/或签环节须有 2 到 {n} 个签署方").format(n=MAX_HOLDERS))
        seen: set[tuple[str, str, str]] = set()
        for j, holder in enumerate(holders):
            where = f"stages[{i}].holders[{j}]"
            role = holder.get("role")
            if role not in SIGNING_ROLES:
                add(f"{where}.role", _("角色“{role}”不能签署审批环节").format(role=role))
                continue
            signer_org = signer_org_of(holder)
            if signer_org not in Stage.SignerOrg.values:
                add(f"{where}.signer_org", _("未知的签署组织：{value}").format(value=signer_org))
                continue
            department = holder.get("department") or ""
            if not isinstance(department, str) or len(department) > MAX_DEPARTMENT:
                add(f"{where}.department", _("部门名称须为不超过 {n} 个字的文字").format(n=MAX_DEPARTMENT))
                continue
            key = (role, signer_org, department.strip())
            if key in seen:
                add(where, _("签署方重复：同一组织的同一角色只能出现一次"))
            seen.add(key)
        first = holders[0]
        if (
            isinstance(first, dict)
            and stage.get("role") in SIGNING_ROLES
            and (first.get("role"), signer_org_of(first)) != (stage["role"], signer_org_of(stage))
        ):
            add(f"stages[{i}].holders[0]", _("第一个签署方须与本环节的签署角色和签署组织一致"))
        if stage.get("same_signer_as_previous"):
            add(f"stages[{i}].same_signer_as_previous", _("会签/或签环节不能设置一肩挑"))
        if stage.get("seal_org"):
            add(f"stages[{i}].seal_org", _("会签/或签环节由每个签署方加盖本组织的印章，不能指定盖章组织"))
    return errors


def check_stage_options(stages: list[dict[str, Any]], deadline: datetime | None) -> dict[str, list[str]]:
    """Separation (一肩挑), the seal's organisation and the end of each stage (days or a date)."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    last_due: date | None = None
    for i, stage in enumerate(stages):
        where = signer_org_of(stage)
        if stage.get("same_signer_as_previous"):
            if i == 0:
                add(f"stages[{i}].same_signer_as_previous", _("第一个环节没有上一环节"))
            elif where not in SAME_SIGNER_LEVELS or signer_org_of(stages[i - 1]) not in SAME_SIGNER_LEVELS:
                add(
                    f"stages[{i}].same_signer_as_previous",
                    _("区（县）及以上的环节不得由上一环节的签署人连续签署，只有单位、党组织和乡镇（街道）的环节可以"),
                )
        seal_org = stage.get("seal_org") or ""
        if seal_org and not stage.get("seal"):
            add(f"stages[{i}].seal_org", _("不盖章的环节不能指定盖章组织"))
        elif seal_org and seal_org != where and seal_org not in OTHER_SEAL_ORGS.get(where, frozenset()):
            add(f"stages[{i}].seal_org", _("只有申报单位党组织的环节可以加盖申报单位的印章"))
        due: date | None = stage.get("due_date")
        if due is None:
            continue
        if stage.get("time_limit_days"):
            add(f"stages[{i}].due_date", _("办理时限（天数）和办理截止日期只能填写一个"))
        if deadline is not None and due < timezone.localdate(deadline):
            add(f"stages[{i}].due_date", _("办理截止日期不能早于申报截止日期"))
        if last_due is not None and due < last_due:
            add(f"stages[{i}].due_date", _("办理截止日期不能早于前面环节的截止日期"))
        last_due = due
    return errors


def check_choice_answer(kind: str, field: str, value: str, form_defs: dict[str, Any]) -> str:
    """An empty string when the kind's form has the choice field ``field`` with the option ``value``,
    else what is wrong (quotas and entrant lists over one answer)."""
    return _check_quota_field({"kind": kind, "field": field, "value": value}, form_defs)


def _check_quota_field(quota: dict[str, Any], form_defs: dict[str, Any]) -> str:
    """A quota over one answer of a choice field: the kind's form has that field and that option."""
    field, value, kind = quota.get("field") or "", quota.get("value") or "", quota.get("kind") or ""
    if not kind:
        return str(_("按申报表字段分配的名额须指定类别"))
    form = form_defs.get(kind)
    fields = form.get("fields") if isinstance(form, dict) else None
    definition = next(
        (f for f in fields if isinstance(f, dict) and f.get("key") == field), None
    ) if isinstance(fields, list) else None  # fmt: skip
    if definition is None or definition.get("type") != "choice":
        return str(_("申报表中没有单选字段“{field}”").format(field=field))
    options = definition.get("options")
    if not isinstance(options, list) or value not in options:
        return str(_("字段“{label}”没有选项“{value}”").format(label=definition.get("label", field), value=value))
    return ""


def _check_judging(spec: dict[str, Any], kinds: list[str], form_defs: dict[str, Any]) -> dict[str, list[str]]:
    """The rounds, tiers and tier floors (workflows/rounds.py)."""
    errors = rounds.check_rounds(spec.get("rounds") or [], kinds)
    errors.update(rounds.check_tiers(spec.get("tiers") or {}, kinds))
    field_keys = {kind: set(forms.field_types(definition)) for kind, definition in form_defs.items()}
    errors.update(rounds.check_tier_floors(spec.get("tier_floors") or [], kinds, field_keys))
    return errors
