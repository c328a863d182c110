"""Revision after selection (修改完善, [001]: finalists revise with coaching).

The campaign's committee opens a revision window for chosen nominations; during it the unit's
submitter submits revised versions, each kept beside the sealed original (which is never
overwritten) and sealed with the unit's key as an addendum. Each action locks its row, re-checks
state and authority under the lock and writes its rows and audit events in one durable transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals import audit_events, seals
from approvals.exceptions import (
    NominationInvalid,
    RevisionNotChosen,
    RevisionNotSubmitter,
    RevisionUnchanged,
    RevisionWindowClosed,
)
from approvals.models import Nomination, NominationRevision, RevisionWindow
from approvals.revisions import REVISABLE, changed_keys, current_content, definition_of, open_windows, revisable_keys
from approvals.sealing import REVISION_STAGE_PREFIX, live_attachments, revision_content_hash
from audit.trail import record_event, record_events
from config.errors import InvalidInput, NotPermitted
from notifications import events
from workflows import forms
from workflows.models import Campaign

TITLE_MAX = 200
NOTE_MAX = 2000


def _campaign_target(campaign: Campaign) -> tuple[str, str]:
    return ("workflows.campaign", str(campaign.pk))


def _check_committee(actor: User, campaign: Campaign) -> None:
    if not permissions.can_run_publicity(actor, campaign):
        raise NotPermitted(target=_campaign_target(campaign))


@transaction.atomic(durable=True)
def open_revision_window(
    campaign_id: int,
    *,
    actor: User,
    nomination_ids: list[int],
    ends_at: datetime,
    starts_at: datetime | None = None,
    note: str = "",
    fields: list[str] | None = None,
) -> RevisionWindow:
    """Open a revision window for chosen nominations of the campaign (its committee only).

    ``fields``: the form's keys (and ``title``) the unit may change; empty: all but file fields.
    The nominations must be the campaign's and chosen (approved, on 公示 or final: 409
    ``revision_not_chosen`` otherwise). Each unit is notified; audited as ``revision_window.opened``.
    """
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("host_org").get(pk=campaign_id)
    _check_committee(actor, campaign)
    now = timezone.now()
    starts = starts_at or now
    wanted = sorted(set(nomination_ids))
    if not wanted:
        raise InvalidInput.for_field("nominations", _("请至少选择一份入围申报"), code="revision_no_nominations")
    if ends_at <= starts or ends_at <= now:
        raise InvalidInput.for_field("ends_at", _("修改截止时间须晚于开始时间和当前时间"), code="invalid_period")
    if len(note) > NOTE_MAX:
        raise InvalidInput.for_field("note", _("修改说明不能超过 {n} 个字").format(n=NOTE_MAX), code="text_too_long")
    nominations = list(
        Nomination.objects.select_for_update(of=("self",))
        .filter(pk__in=wanted, campaign=campaign)
        .select_related("campaign", "unit")
        .order_by("pk")
    )
    if len(nominations) != len(wanted):
        raise InvalidInput.for_field("nominations", _("所选申报不属于本活动"), code="revision_unknown_nomination")
    not_chosen = [n for n in nominations if n.status not in REVISABLE]
    if not_chosen:
        raise RevisionNotChosen(
            _("“{title}”尚未入围（审批通过、公示中或已确定），不能修改完善").format(title=not_chosen[0].title),
            target=_campaign_target(campaign),
        )
    allowed = sorted(set(fields or []))
    known = {"title"}
    for nomination in nominations:
        known |= set(revisable_keys(definition_of(nomination)))
    unknown = [k for k in allowed if k not in known]
    if unknown:
        raise InvalidInput.for_field(
            "fields",
            _("不能修改的表单项：{keys}（附件不能在修改稿中更换）").format(keys="、".join(unknown)),
            code="revision_unknown_field",
        )
    window = RevisionWindow.objects.create(
        campaign=campaign, starts_at=starts, ends_at=ends_at, note=note.strip(), fields=allowed,
        opened_by=actor, opened_at=now,
    )  # fmt: skip
    window.nominations.set(nominations)
    for nomination in nominations:
        events.revision_window_opened(nomination, window_id=window.pk, ends_at=ends_at, note=window.note)
    record_event(
        audit_events.REVISION_WINDOW_OPENED,
        actor=actor,
        target=campaign,
        data={"revision_window": window.pk, "nominations": [n.pk for n in nominations],
              "starts_at": starts.isoformat(), "ends_at": ends_at.isoformat(), "fields": allowed, "note": window.note},
    )  # fmt: skip
    return window


@transaction.atomic(durable=True)
def close_revision_window(window_id: int, *, actor: User) -> RevisionWindow:
    """Close a window before its end (its committee); revised versions already submitted stay."""
    window = (
        RevisionWindow.objects.select_for_update(of=("self",)).select_related("campaign__host_org").get(pk=window_id)
    )
    _check_committee(actor, window.campaign)
    if window.closed_at is not None:
        return window
    window.closed_at = timezone.now()
    window.closed_by = actor
    window.save(update_fields=["closed_at", "closed_by"])
    record_event(
        audit_events.REVISION_WINDOW_CLOSED,
        actor=actor,
        target=window.campaign,
        data={"revision_window": window.pk, "revisions": window.revisions.count()},
    )
    return window


@transaction.atomic(durable=True)
def submit_revision(
    nomination_id: int, *, actor: User, form: dict[str, Any], title: str | None = None
) -> NominationRevision:
    """Submit a revised version of a chosen nomination during an open window (its unit's submitter).

    ``form`` holds the values of the fields the window allows (others are refused: 400
    ``revision_field_not_allowed``); the rest of the form is carried from the current version. The
    whole form is checked as at submission. The version is kept beside the earlier ones, sealed
    with the unit's key in the nomination's seal chain (stage ``revision:<number>``) and audited;
    the sealed original and its seals are never touched.
    """
    nomination = (
        Nomination.objects.select_for_update(of=("self",)).select_related("campaign", "unit").get(pk=nomination_id)
    )
    target = ("approvals.nomination", str(nomination.pk))
    if not permissions.can_nominate_at(actor, nomination.unit):
        raise RevisionNotSubmitter(target=target)
    if nomination.status not in REVISABLE:
        raise RevisionNotChosen(target=target)
    window = open_windows(nomination).first()
    if window is None:
        raise RevisionWindowClosed(target=target)
    definition = definition_of(nomination)
    named = [k for k in window.fields if k != "title"]
    # No fields named: every field but files; only the title named: no form field.
    allowed = revisable_keys(definition, named) if named else ([] if window.fields else revisable_keys(definition))
    title_allowed = not window.fields or "title" in window.fields
    if not isinstance(form, dict):
        raise NominationInvalid(errors={"form": [_("申报表内容必须是对象")]})
    refused = sorted(k for k in form if k not in allowed)
    if refused or (title is not None and not title_allowed):
        labels = forms.field_labels(definition)
        names = [labels.get(k, k) for k in refused]
        if title is not None and not title_allowed:
            names.append(_("申报名称"))
        raise InvalidInput.for_field(
            "form",
            _("本次修改完善期不能修改：{names}").format(names="、".join(names)),
            code="revision_field_not_allowed",
        )
    number, current_title, current_form = current_content(nomination)
    new_title = current_title if title is None else title.strip()
    if not new_title or len(new_title) > TITLE_MAX:
        raise InvalidInput.for_field("title", _("请填写申报名称（不超过 {n} 个字）").format(n=TITLE_MAX))
    errors = forms.validate_form_data(definition, form, partial=True)
    if errors:
        raise NominationInvalid(errors={f"form.{k}": v for k, v in errors.items()})
    # A value given empty (None, "", []) clears the field.
    merged = {**current_form, **forms.clean_form_data(definition, form)}
    new_form = {k: v for k, v in merged.items() if v is not None and v != "" and v != []}
    attachments = live_attachments(nomination)
    data = dict(new_form)
    infos: dict[int, forms.AttachmentInfo] = {}
    for a in attachments:
        data.setdefault(a.field, []).append(a.pk)
        infos[a.pk] = forms.AttachmentInfo(type=a.type, size=a.size, is_image=a.width is not None)
    full = forms.validate_form_data(definition, data, partial=False, attachments=infos, today=timezone.localdate())
    if full:
        raise NominationInvalid(errors={f"form.{k}": v for k, v in full.items()})
    changed = changed_keys(definition, current_form, new_form)
    if new_title != current_title:
        changed = ["title", *changed]
    if not changed:
        raise RevisionUnchanged(target=target)
    number += 1
    files = [[a.field, a.sha256] for a in attachments]
    content_hash = revision_content_hash(
        number=number, kind=nomination.kind, title=new_title, form=new_form, files=[(f, s) for f, s in files]
    )
    seal = seals.create_seal(
        nomination,
        stage=REVISION_STAGE_PREFIX + str(number),
        decision="revision",
        opinion=_("第{n}版（修改稿）").format(n=number),
        signer=actor,
        org=nomination.unit,
        content_hash=content_hash,
    )
    revision = NominationRevision.objects.create(
        nomination=nomination, window=window, number=number, title=new_title, form=new_form, changed=changed,
        files=files, content_hash=content_hash, seal=seal, submitted_by=actor, submitted_at=seal.created_at,
    )  # fmt: skip
    # Field names only: values may be personal data; the content hash pins what changed.
    record_events(
        [
            seals.seal_event(seal),
            (audit_events.NOMINATION_REVISED,
             {"revision": revision.pk, "version": number, "revision_window": window.pk, "changed": changed,
              "content_hash": content_hash, "sequence": seal.sequence}),
        ],
        actor=actor,
        target=nomination,
    )  # fmt: skip
    return revision
