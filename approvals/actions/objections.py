"""Objections to a nomination on 公示: filing (real name, no account), investigation, decision,
and the audited reads of the objector's identity (issue 6).

Every action is one durable transaction: it locks the nomination before the objection,
re-checks state and authority under the lock, writes its rows and its audit events, and its
notifications through the hooks of ``approvals/publicity_events.py``. The objector's identity
never enters the audit trail; each read of it is an event of its own.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, BinaryIO, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals import audit_events, filestore, publicity_events, ratelimit, uploads
from approvals.actions.publicity import check_committee, nomination_target, window_is_open
from approvals.actions.revocations import revoke_in_transaction
from approvals.exceptions import AnonymousObjection, ObjectionAlreadyDecided, PublicityClosed
from approvals.models import Nomination, Objection, ObjectionEvidence, ObjectionFinding, PublicityRound
from audit.trail import record_event
from config.errors import InvalidInput, NotPermitted, NotVisible, RateLimited
from config.masking import normalize_phone
from config.text_input import has_visible_text

INVESTIGATE = permissions.INVESTIGATE_OBJECTION
CONTENT_MIN, CONTENT_MAX = 10, 5000
EVIDENCE_MAX_FILES = 5
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = ("pdf", "jpg", "png")
# Mainland mobile numbers and landlines with an area code, as ``normalize_phone`` spells them
# (13812345678, 02112345678, 02112345678-123).
_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def _objection_target(objection: Objection) -> tuple[str, str]:
    return ("approvals.objection", str(objection.pk))


@dataclass(frozen=True)
class ObjectorInput:
    kind: str
    name: str
    phone: str
    unit_name: str = ""
    unit_contact: str = ""


def check_objection_input(objector: ObjectorInput, content: str) -> None:
    """Real name and a reachable phone; for a unit its name and contact; content within limits (400)."""
    kind = objector.kind
    if kind not in Objection.ObjectorKind.values:
        raise InvalidInput.for_field("objector_kind", _("异议人类型应为个人（person）或单位（unit）"))
    # The rule (匿名异议不予受理) is the error's detail, said once; each field says what it lacks.
    missing: dict[str, list[str]] = {}
    if not has_visible_text(objector.name):
        missing["name"] = [_("请填写真实姓名")]
    if not objector.phone.strip():
        missing["phone"] = [_("请填写联系电话")]
    if kind == Objection.ObjectorKind.UNIT:
        if not has_visible_text(objector.unit_name):
            missing["unit_name"] = [_("请填写单位名称")]
        if not has_visible_text(objector.unit_contact):
            missing["unit_contact"] = [_("请填写单位联系人")]
    if missing:
        raise AnonymousObjection(errors=missing)
    errors: dict[str, list[str]] = {}
    if not _PHONE_RE.match(normalize_phone(objector.phone)):
        errors["phone"] = [_("请填写有效的手机号或带区号的固定电话")]
    if len(objector.name.strip()) > 100:
        errors["name"] = [_("姓名最多 100 个字符")]
    text = content.strip()
    if not CONTENT_MIN <= len(text) <= CONTENT_MAX:
        errors["content"] = [
            _("异议内容应为 {low} 到 {high} 个字，写明事实和理由").format(low=CONTENT_MIN, high=CONTENT_MAX)
        ]
    if errors:
        raise InvalidInput(errors=errors)


def _new_receipt() -> str:
    # 120 bits from the OS's CSPRNG, base32 without look-alike padding: 24 characters.
    return base64.b32encode(secrets.token_bytes(15)).decode()


def current_list_round(nomination: Nomination) -> PublicityRound | None:
    """The latest 公示 list the nomination is on."""
    return (
        PublicityRound.objects.filter(entries__nomination=nomination, kind=PublicityRound.Kind.LIST)
        .order_by("-number")
        .first()
    )


@transaction.atomic(durable=True)
def file_objection(
    nomination_id: int,
    *,
    objector: ObjectorInput,
    content: str,
    evidence: Iterable[tuple[str, IO[bytes]]] = (),
    ip_address: str | None = None,
) -> Objection:
    """File a real-name objection to a nomination on 公示, without an account; returns it with its receipt.

    400 for anonymous, empty or malformed input and rejected evidence files; 404 when the
    nomination is not on a public list; 409 ``publicity_closed`` before the window opens,
    after its last second, or once the nomination is no longer in publicity.
    """
    check_objection_input(objector, content)
    files = list(evidence)
    if len(files) > EVIDENCE_MAX_FILES:
        raise InvalidInput.for_field(
            "evidence", _("证明材料最多 {n} 个文件").format(n=EVIDENCE_MAX_FILES), code="attachment_limit"
        )
    infos = [
        (uploads.inspect_upload(name, cast(BinaryIO, stream), allowed_types=EVIDENCE_TYPES,
                                max_size=EVIDENCE_MAX_BYTES), stream)
        for name, stream in files
    ]  # fmt: skip
    nomination = Nomination.objects.select_for_update(of=("self",)).filter(pk=nomination_id).first()
    if nomination is None:
        raise NotVisible()
    publicity_round = current_list_round(nomination)
    if publicity_round is None:
        raise NotVisible()
    now = timezone.now()
    target = nomination_target(nomination)
    if now < publicity_round.starts_at:
        raise PublicityClosed(_("公示尚未开始，不能提出异议"), target=target)
    if not window_is_open(publicity_round, now):
        raise PublicityClosed(_("公示期已结束，不能再提出异议"), target=target)
    if nomination.status != Nomination.Status.IN_PUBLICITY:
        raise PublicityClosed(_("该申报已不在公示中"), target=target)
    unit = objector.kind == Objection.ObjectorKind.UNIT
    objection = Objection.objects.create(
        round=publicity_round,
        nomination=nomination,
        receipt=_new_receipt(),
        objector_kind=objector.kind,
        objector_name=objector.name.strip(),
        objector_phone=normalize_phone(objector.phone),
        unit_name=objector.unit_name.strip() if unit else "",
        unit_contact=objector.unit_contact.strip() if unit else "",
        content=content.strip(),
        filed_at=now,
        ip_address=ip_address,
    )
    for info, stream in infos:
        stored = filestore.store(info, stream)
        ObjectionEvidence.objects.create(
            objection=objection, type=info.type, mime=info.mime, size=info.size, sha256=info.sha256,
            display_name=info.display_name, storage_name=stored,
        )  # fmt: skip
    # The identity stays out of the trail: the event names the objection, never the objector.
    record_event(
        audit_events.OBJECTION_FILED,
        actor=None,
        target=objection,
        data={"nomination": nomination.pk, "round": publicity_round.pk, "objector_kind": objector.kind,
              "evidence": [info.sha256 for info, _stream in infos], "content_sha256": _sha(objection.content)},
    )  # fmt: skip
    publicity_events.objection_filed(objection)
    return objection


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _lock_objection(objection_id: int) -> tuple[Nomination, Objection]:
    """Lock the objection's nomination, then the objection (the order every action here keeps)."""
    nomination_id = Objection.objects.filter(pk=objection_id).values_list("nomination_id", flat=True).first()
    if nomination_id is None:
        raise NotVisible()
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("campaign", "campaign__host_org", "unit")
        .get(pk=nomination_id)
    )
    objection = Objection.objects.select_for_update(of=("self",)).get(pk=objection_id)
    objection.nomination = nomination  # the locked row, with its campaign and unit
    return nomination, objection


@transaction.atomic(durable=True)
def assign_investigator(objection_id: int, *, actor: User, investigator_id: int) -> Objection:
    """Make ``investigator_id`` the investigator of an open objection (a per-object grant, django-guardian).

    The previous investigator's grant is withdrawn. The investigator reads the content and
    records findings, never the objector's identity.
    """
    nomination, objection = _lock_objection(objection_id)
    target = _objection_target(objection)
    check_committee(actor, nomination.campaign, target)
    if objection.status not in Objection.OPEN:
        raise ObjectionAlreadyDecided(target=target)
    investigator = User.objects.filter(pk=investigator_id, is_active=True).first()
    if investigator is None or not permissions.can_be_investigator(investigator, nomination):
        raise InvalidInput.for_field(
            "investigator", _("调查人应为组委会、评审专家或申报单位上级民政部门的人员"), code="invalid_investigator"
        )
    previous = objection.investigator
    if previous is not None and previous.pk != investigator.pk:
        permissions.revoke_object_permission(previous, INVESTIGATE, objection)
    permissions.grant_object_permission(investigator, INVESTIGATE, objection)
    objection.investigator = investigator
    objection.status = Objection.Status.INVESTIGATING
    objection.save(update_fields=["investigator", "status"])
    record_event(
        audit_events.OBJECTION_ASSIGNED,
        actor=actor,
        target=objection,
        data={"investigator": investigator.pk, "previous": previous.pk if previous else None},
    )
    publicity_events.objection_assigned(objection)
    return objection


@transaction.atomic(durable=True)
def record_finding(objection_id: int, *, actor: User, text: str) -> ObjectionFinding:
    """Add a note of the investigation (the assigned investigator or the committee)."""
    nomination, objection = _lock_objection(objection_id)
    target = _objection_target(objection)
    if not permissions.may_investigate(actor, objection):
        raise NotPermitted(target=target)
    if objection.status not in Objection.OPEN:
        raise ObjectionAlreadyDecided(target=target)
    text = text.strip()
    if not text:
        raise InvalidInput.for_field("text", _("请填写调查核实情况"), code="finding_required")
    finding = ObjectionFinding.objects.create(objection=objection, author=actor, text=text, created_at=timezone.now())
    if objection.status == Objection.Status.RECEIVED:
        objection.status = Objection.Status.INVESTIGATING
        objection.save(update_fields=["status"])
    record_event(
        audit_events.OBJECTION_FINDING_RECORDED,
        actor=actor,
        target=objection,
        data={"finding": finding.pk, "text_sha256": _sha(text)},
    )
    return finding


DEFAULT_RESPONSES = {
    Objection.Status.UPHELD: "经调查核实，异议成立，该申报已被撤销。感谢您的监督。",
    Objection.Status.DISMISSED: "经调查核实，异议不成立。感谢您的监督。",
}


@transaction.atomic(durable=True)
def decide_objection(objection_id: int, *, actor: User, outcome: str, finding: str, response: str = "") -> Objection:
    """Decide an open objection ``upheld`` or ``dismissed`` with a finding (the host's committee).

    Upheld revokes the nomination in the same transaction (unless it is revoked already). The
    response (a default by outcome when empty) is published to the objector's receipt.
    """
    nomination, objection = _lock_objection(objection_id)
    target = _objection_target(objection)
    check_committee(actor, nomination.campaign, target)
    if objection.status not in Objection.OPEN:
        raise ObjectionAlreadyDecided(target=target)
    if outcome not in (Objection.Status.UPHELD, Objection.Status.DISMISSED):
        raise InvalidInput.for_field("outcome", _("处理结果应为 upheld（成立）或 dismissed（不成立）"))
    finding = finding.strip()
    if not finding:
        raise InvalidInput.for_field("finding", _("请填写处理意见"), code="finding_required")
    objection.status = outcome
    objection.finding = finding
    objection.response = response.strip() or DEFAULT_RESPONSES[Objection.Status(outcome)]
    objection.decided_at = timezone.now()
    objection.decided_by = actor
    objection.save(update_fields=["status", "finding", "response", "decided_at", "decided_by"])
    revoked = False
    if outcome == Objection.Status.UPHELD and nomination.status != Nomination.Status.REVOKED:
        # The unit is told the published response; the finding (处理意见（内部）) stays internal.
        revoke_in_transaction(nomination, actor=actor, reason=objection.response, objection=objection)
        revoked = True
    record_event(
        audit_events.OBJECTION_DECIDED,
        actor=actor,
        target=objection,
        data={"outcome": outcome, "nomination": nomination.pk, "revoked": revoked, "finding_sha256": _sha(finding)},
    )
    publicity_events.objection_decided(objection)
    return objection


@transaction.atomic(durable=True)
def read_objector_identity(objection_id: int, *, actor: User) -> dict[str, str]:
    """The objector's identity, for the host's committee only; the read itself is audited."""
    objection = Objection.objects.select_related("nomination__campaign__host_org").filter(pk=objection_id).first()
    if objection is None:
        raise NotVisible()
    check_committee(actor, objection.nomination.campaign, _objection_target(objection))
    record_event(audit_events.OBJECTION_IDENTITY_READ, actor=actor, target=objection, data={})
    return {
        "objector_kind": objection.objector_kind,
        "name": objection.objector_name,
        "phone": objection.objector_phone,
        "unit_name": objection.unit_name,
        "unit_contact": objection.unit_contact,
    }


@transaction.atomic(durable=True)
def read_objection_evidence(objection_id: int, evidence_id: int, *, actor: User) -> ObjectionEvidence:
    """An evidence file (often a signed or sealed scan, so it identifies the objector): the host's
    committee only, each read audited as a read of the identity."""
    evidence = (
        ObjectionEvidence.objects.select_related("objection__nomination__campaign__host_org")
        .filter(pk=evidence_id, objection_id=objection_id)
        .first()
    )
    if evidence is None:
        raise NotVisible()
    objection = evidence.objection
    check_committee(actor, objection.nomination.campaign, _objection_target(objection))
    record_event(audit_events.OBJECTION_IDENTITY_READ, actor=actor, target=objection, data={"evidence": evidence.pk})
    return evidence


# --- the rate limit of filing -------------------------------------------------------------


def _rate(name: str, default: str) -> tuple[int, int]:
    return ratelimit.parse_rate(getattr(settings, name, default))


def check_objection_rate(ip: str, phone: str) -> None:
    """429 beyond the per-address or per-phone limit; both counted in Redis, shared by every worker.

    The phone is counted in its one canonical spelling: ``+86 138 1234 5678`` and ``13812345678`` are one.
    """
    limit, window = _rate("SEALFLOW_OBJECTION_RATE_PER_ADDRESS", "10/h")
    over = ratelimit.hit("objection-ip", ip, limit=limit, window_seconds=window)
    phone = normalize_phone(phone)
    if phone:
        limit, window = _rate("SEALFLOW_OBJECTION_RATE_PER_PHONE", "3/d")
        over = ratelimit.hit("objection-phone", phone, limit=limit, window_seconds=window) or over
    if over:
        raise RateLimited(_("提交异议过于频繁，请稍后再试"))


__all__ = [
    "ObjectorInput",
    "assign_investigator",
    "check_objection_rate",
    "decide_objection",
    "file_objection",
    "read_objection_evidence",
    "read_objector_identity",
    "record_finding",
]
