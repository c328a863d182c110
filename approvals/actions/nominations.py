"""Intake: drafts, edits, attachments and submission of nominations.

Each action locks the nomination (or, to create one, the unit's quota), re-checks state and
authority under the lock, and writes its rows and audit event in one durable transaction.
"""

from __future__ import annotations

import secrets
from typing import IO, Any, BinaryIO, cast

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Organization, User
from accounts.roles import OrgKind
from approvals import audit_events, filestore, uploads
from approvals.actions.entrants import check_entrant_place
from approvals.actions.revocations import check_submission_bars, form_id_numbers
from approvals.actions.sign_offs import start_chain_in_transaction
from approvals.exceptions import (
    AttachmentLimit,
    NominationInvalid,
    NominationNotDeletable,
    NominationNotEditable,
    NotEligible,
)
from approvals.models import Attachment, Nomination, NominationAuthor
from approvals.sealing import live_attachments, nomination_content_hash
from audit.trail import record_event
from config.db import advisory_xact_lock
from config.errors import InvalidInput, NotPermitted
from workflows import eligibility, forms
from workflows import selectors as campaign_selectors
from workflows.exceptions import DeadlinePassed, NotOpenYet, QuotaExceeded
from workflows.models import Campaign

FILE_TYPES = forms.ATTACHMENT_FIELD_TYPES


def _target(nomination: Nomination) -> tuple[str, str]:
    return ("approvals.nomination", str(nomination.pk))


def _check_submitter(actor: User, unit: Organization, target: tuple[str, str]) -> None:
    if not permissions.can_nominate_at(actor, unit):
        raise NotPermitted(target=target)


def _lock(nomination_id: int) -> Nomination:
    return Nomination.objects.select_for_update(of=("self",)).select_related("campaign", "unit").get(pk=nomination_id)


def _definition(nomination: Nomination) -> dict[str, Any]:
    return nomination.campaign.forms.get(nomination.kind) or {"fields": []}


def _file_fields(definition: dict[str, Any]) -> set[str]:
    return {f["key"] for f in definition.get("fields", []) if f.get("type") in FILE_TYPES}


def _with_attachments(
    nomination: Nomination, form: dict[str, Any], attachments: list[Attachment]
) -> tuple[dict[str, Any], dict[int, Any]]:
    """The form as validated: file fields hold the ids of the nomination's live attachments."""
    definition = _definition(nomination)
    data = {k: v for k, v in form.items() if k not in _file_fields(definition)}
    infos: dict[int, forms.AttachmentInfo] = {}
    for attachment in attachments:
        data.setdefault(attachment.field, []).append(attachment.pk)
        infos[attachment.pk] = forms.AttachmentInfo(
            type=attachment.type, size=attachment.size, is_image=attachment.width is not None
        )
    return data, infos


def _form_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {f"form.{key}": messages for key, messages in errors.items()}


def _check_draft(definition: dict[str, Any], form: Any) -> dict[str, Any]:
    """Autosave rules: no required checks, but junk (wrong types, over hard limits) is refused."""
    if not isinstance(form, dict):
        raise NominationInvalid(errors={"form": [_("申报表内容必须是对象")]})
    form = {k: v for k, v in form.items() if k not in _file_fields(definition)}
    errors = forms.validate_form_data(definition, form, partial=True)
    if errors:
        raise NominationInvalid(errors=_form_errors(errors))
    return forms.clean_form_data(definition, form)


def _record_author(nomination: Nomination, actor: User, kind: NominationAuthor.Kind) -> None:
    """Note ``actor`` as an author of ``nomination`` (separation of duties reads it): one idempotent INSERT."""
    NominationAuthor.objects.bulk_create(
        [NominationAuthor(nomination=nomination, user=actor, kind=kind, first_at=timezone.now())],
        ignore_conflicts=True,
    )


def _district_of(unit: Organization) -> Organization | None:
    ancestors = Organization.objects.filter(pk__in=unit.ancestor_ids(), kind=OrgKind.DISTRICT)
    return ancestors.order_by("-depth").first()


def _check_window(campaign: Campaign, target: tuple[str, str]) -> None:
    now = timezone.now()
    if campaign.status != Campaign.Status.OPEN or now < campaign.opens_at:
        raise NotOpenYet(target=target)
    if now > campaign.submission_deadline:
        raise DeadlinePassed(target=target)


@transaction.atomic(durable=True)
def create_nomination(
    *, actor: User, campaign: Campaign, unit: Organization, kind: str, title: str, form: dict[str, Any]
) -> Nomination:
    """Start a draft for ``unit``; only a submitter of that unit may, while the campaign collects.

    The draft may be incomplete (autosave); audited as ``nomination.created``.
    """
    return create_nomination_in_transaction(
        actor=actor, campaign=campaign, unit=unit, kind=kind, title=title, form=form
    )


def create_nomination_in_transaction(
    *, actor: User, campaign: Campaign, unit: Organization, kind: str, title: str, form: dict[str, Any]
) -> Nomination:
    """The body of ``create_nomination``, for actions that create several in one transaction (imports)."""
    assert connection.in_atomic_block
    _check_submitter(actor, unit, ("accounts.organization", str(unit.pk)))
    campaign = Campaign.objects.select_related("host_org__parent").get(pk=campaign.pk)
    _check_window(campaign, ("workflows.campaign", str(campaign.pk)))
    if not campaign_selectors.accepts_unit(campaign, unit):
        region = campaign_selectors.campaign_region(campaign)
        raise InvalidInput.for_field(
            "unit",
            _("“{unit}”不在本活动的征集范围（{region}）内").format(
                unit=unit.name, region=region.name if region else ""
            ),
            code="unit_outside_campaign",
        )
    if kind not in campaign.kinds:
        raise InvalidInput.for_field("kind", _("本活动不接受该类别的申报"), code="kind_not_accepted")
    # A kind with an entrant list takes only the listed units holding a place (顺延 [002]).
    check_entrant_place(campaign, unit, kind, form if isinstance(form, dict) else None, complete=False)
    definition = campaign.forms.get(kind) or {"fields": []}
    cleaned = _check_draft(definition, form)
    nomination = Nomination.objects.create(
        campaign=campaign,
        unit=unit,
        district=_district_of(unit),
        kind=kind,
        title=title,
        form=cleaned,
        created_by=actor,
    )
    _record_author(nomination, actor, NominationAuthor.Kind.CREATED)
    record_event(
        audit_events.NOMINATION_CREATED,
        actor=actor,
        target=nomination,
        data={"campaign": campaign.pk, "unit": unit.pk, "kind": kind, "title": title, "fields": sorted(cleaned)},
    )
    return nomination


@transaction.atomic(durable=True)
def update_nomination(
    nomination_id: int, *, actor: User, title: str | None = None, form: dict[str, Any] | None = None
) -> Nomination:
    """Save changes to a draft or a returned nomination (autosave: no completeness check)."""
    nomination = _lock(nomination_id)
    _check_submitter(actor, nomination.unit, _target(nomination))
    if nomination.status not in Nomination.EDITABLE:
        raise NominationNotEditable(target=_target(nomination))
    changed: list[str] = []
    if title is not None and title != nomination.title:
        nomination.title = title
        changed.append("title")
    if form is not None:
        cleaned = _check_draft(_definition(nomination), form)
        changed += sorted(k for k in set(cleaned) | set(nomination.form) if cleaned.get(k) != nomination.form.get(k))
        nomination.form = cleaned
    if not changed:
        return nomination
    nomination.version += 1
    nomination.save(update_fields=["title", "form", "version", "updated_at"])
    _record_author(nomination, actor, NominationAuthor.Kind.EDITED)
    # Field names only: values may be personal data; the content hash pins what changed.
    record_event(
        audit_events.NOMINATION_UPDATED,
        actor=actor,
        target=nomination,
        data={"changed": changed, "version": nomination.version, "content_hash": nomination_content_hash(nomination)},
    )
    return nomination


def _check_places(nomination: Nomination) -> None:
    """The campaign's total and the unit's cap, taken atomically: racing submitters cannot both win."""
    campaign = nomination.campaign
    holding = Nomination.objects.filter(campaign=campaign, status__in=Nomination.HOLDS_PLACE)
    # Locks in a fixed order (campaign, then unit), so two submissions never wait on each other in a cycle.
    if campaign.total_max is not None:
        advisory_xact_lock("quota", campaign.pk)
        if holding.count() >= campaign.total_max:
            raise QuotaExceeded(
                _("本活动名额已满（共 {n} 个）").format(n=campaign.total_max), target=_target(nomination)
            )
    if campaign.per_unit_max is not None:
        advisory_xact_lock("quota", campaign.pk, nomination.unit_id)
        if holding.filter(unit=nomination.unit_id).count() >= campaign.per_unit_max:
            raise QuotaExceeded(
                _("本单位名额已满（每单位限报 {n} 个）").format(n=campaign.per_unit_max), target=_target(nomination)
            )


@transaction.atomic(durable=True)
def submit_nomination(nomination_id: int, *, actor: User) -> Nomination:
    """Submit a draft (or resubmit a returned nomination) into the campaign's sign-off chain.

    Checks, under the nomination's lock: the submitter's role at the unit, the state, the
    submission window (first submission only: a returned nomination may come back after the
    deadline), the full form, the eligibility rules, and the campaign's and unit's places.
    The nomination goes ``in_review`` at the first stage; audited with its content hash.
    """
    nomination = _lock(nomination_id)
    _check_submitter(actor, nomination.unit, _target(nomination))
    if nomination.status not in Nomination.EDITABLE:
        raise NominationNotEditable(target=_target(nomination))
    first_submission = nomination.status in (Nomination.Status.DRAFT, Nomination.Status.WITHDRAWN)
    campaign = nomination.campaign
    if first_submission:
        _check_window(campaign, _target(nomination))
        # The unit may have declined its place, or never held one, since the draft was started.
        check_entrant_place(campaign, nomination.unit, nomination.kind, nomination.form, complete=True)
    definition = _definition(nomination)
    attachments = live_attachments(nomination)
    data, infos = _with_attachments(nomination, nomination.form, attachments)
    errors = _form_errors(
        forms.validate_form_data(definition, data, partial=False, attachments=infos, today=timezone.localdate())
    )
    if not nomination.title.strip():
        errors["title"] = [_("请填写申报名称")]
    if errors:
        raise NominationInvalid(errors=errors)
    failed = eligibility.check_eligibility(
        campaign.eligibility.get(nomination.kind, []),
        data,
        today=timezone.localdate(),
        labels=forms.field_labels(definition),
    )
    if failed:
        raise NotEligible(errors={"eligibility": failed})
    # A unit or person barred after a revocation may not submit (approvals/actions/publicity.py).
    check_submission_bars(nomination, form_id_numbers(definition, nomination.form))
    if first_submission:
        _check_places(nomination)
    nomination.status = Nomination.Status.IN_REVIEW
    start_chain_in_transaction(nomination)
    if not nomination.verification_code:
        nomination.verification_code = secrets.token_hex(10).upper()
    nomination.submitted_by = actor
    nomination.submitted_at = timezone.now()
    nomination.content_hash = nomination_content_hash(nomination, attachments)
    nomination.version += 1
    nomination.save(
        update_fields=["status", "stage", "stage_role", "stage_org", "stage_entered_at", "stage_deadline", "task",
                       "assignee", "process", "seated_stage",
                       "round", "verification_code", "submitted_by", "submitted_at", "content_hash", "version",
                       "updated_at"]
    )  # fmt: skip
    _record_author(nomination, actor, NominationAuthor.Kind.SUBMITTED)
    record_event(
        audit_events.NOMINATION_SUBMITTED,
        actor=actor,
        target=nomination,
        data={
            "stage": nomination.stage,
            "content_hash": nomination.content_hash,
            "resubmission": not first_submission,
            "round": nomination.round,
            "version": nomination.version,
        },
    )
    return nomination


@transaction.atomic(durable=True)
def add_attachment(nomination_id: int, *, actor: User, field: str, name: str, stream: IO[bytes]) -> Attachment:
    """Attach an uploaded file to a form field of a draft or returned nomination.

    The content is checked before anything is stored (type from magic bytes, size, pixel count,
    archive bombs; approvals/uploads.py); the field's type and count limits apply.
    """
    nomination = _lock(nomination_id)
    _check_submitter(actor, nomination.unit, _target(nomination))
    if nomination.status not in Nomination.EDITABLE:
        raise NominationNotEditable(target=_target(nomination))
    spec = next((f for f in _definition(nomination).get("fields", []) if f.get("key") == field), None)
    if spec is None or spec.get("type") not in FILE_TYPES:
        raise InvalidInput.for_field("field", _("该表单项不接受附件"), code="not_a_file_field")
    allowed = spec.get("allowed_types") or (["jpg", "png"] if spec["type"] == "images" else ["pdf"])
    max_size = int(float(spec.get("max_size_mb") or 20) * 1024 * 1024)
    present = nomination.attachments.filter(field=field, removed_at__isnull=True).count()
    if spec.get("max_count") is not None and present >= spec["max_count"]:
        raise AttachmentLimit(
            _("“{label}”最多 {n} 个文件").format(label=spec.get("label", field), n=spec["max_count"]),
            errors={
                "file": [_("“{label}”最多 {n} 个文件").format(label=spec.get("label", field), n=spec["max_count"])]
            },
        )
    info = uploads.inspect_upload(name, cast(BinaryIO, stream), allowed_types=allowed, max_size=max_size)
    if spec["type"] == "images" and not info.is_image:
        raise uploads.UploadRejected(_("该表单项只接受图片"), code="file_type_not_allowed")
    stored = filestore.store(info, stream)
    attachment = Attachment.objects.create(
        nomination=nomination,
        field=field,
        type=info.type,
        mime=info.mime,
        size=info.size,
        sha256=info.sha256,
        display_name=info.display_name,
        storage_name=stored,
        width=info.width,
        height=info.height,
        uploaded_by=actor,
    )
    nomination.version += 1
    nomination.save(update_fields=["version", "updated_at"])
    _record_author(nomination, actor, NominationAuthor.Kind.ATTACHED)
    record_event(
        audit_events.ATTACHMENT_ADDED,
        actor=actor,
        target=nomination,
        data={"attachment": attachment.pk, "field": field, "sha256": info.sha256, "size": info.size,
              "type": info.type, "name": info.display_name},
    )  # fmt: skip
    return attachment


@transaction.atomic(durable=True)
def remove_attachment(attachment_id: int, *, actor: User) -> None:
    """Take a file off a draft or returned nomination (the record stays, marked removed)."""
    attachment = Attachment.objects.select_related("nomination").get(pk=attachment_id)
    nomination = _lock(attachment.nomination_id)
    _check_submitter(actor, nomination.unit, _target(nomination))
    if nomination.status not in Nomination.EDITABLE:
        raise NominationNotEditable(target=_target(nomination))
    if attachment.removed_at is not None:
        return
    attachment.removed_at = timezone.now()
    attachment.save(update_fields=["removed_at"])
    nomination.version += 1
    nomination.save(update_fields=["version", "updated_at"])
    _record_author(nomination, actor, NominationAuthor.Kind.ATTACHED)
    record_event(
        audit_events.ATTACHMENT_REMOVED,
        actor=actor,
        target=nomination,
        data={"attachment": attachment.pk, "field": attachment.field, "sha256": attachment.sha256},
    )


@transaction.atomic(durable=True)
def delete_draft(nomination_id: int, *, actor: User) -> None:
    """Delete a draft that was never submitted: the unit's own unsent work (a submitted one is
    withdrawn instead, and stays on record). Its rows go; its audit chain stays, ending with
    ``nomination.deleted`` (the title and what it held), and so do the stored files, which the
    content-addressed store may share with other nominations."""
    nomination = _lock(nomination_id)
    _check_submitter(actor, nomination.unit, _target(nomination))
    if nomination.status != Nomination.Status.DRAFT or nomination.round != 0 or nomination.submitted_at:
        raise NominationNotDeletable(target=_target(nomination))
    attachments = list(nomination.attachments.values_list("pk", "sha256"))
    record_event(
        audit_events.NOMINATION_DELETED,
        actor=actor,
        target=nomination,
        data={"campaign": nomination.campaign_id, "unit": nomination.unit_id, "kind": nomination.kind,
              "title": nomination.title, "content_hash": nomination_content_hash(nomination),
              "attachments": [{"id": pk, "sha256": sha} for pk, sha in attachments]},
    )  # fmt: skip
    nomination.attachments.all().delete()
    nomination.authors.all().delete()
    nomination.delete()
