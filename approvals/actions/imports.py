"""Batch import: many draft nominations from one Excel file, all or nothing.

Every row is checked before anything is written (unit code, the actor's submitter role at that
unit, title, the draft-level form checks); one bad row refuses the whole file with a report of
every bad row, so a fixed file can simply be uploaded again. A clean file becomes drafts through
``create_nomination_in_transaction`` (each with its ``nomination.created`` event) and one
``import.applied`` event on the campaign, in one durable transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import Organization, User
from approvals import audit_events
from approvals.actions.nominations import _check_window, create_nomination_in_transaction
from approvals.excel import TITLE_HEADER, TITLE_MAX_LENGTH, UNIT_CODE_HEADER, ImportRow, definition_for, form_columns
from audit.trail import record_event
from config.errors import InvalidInput, SealflowError
from workflows import forms
from workflows.models import Campaign

PROGRESS_EVERY = 500

Progress = Callable[[int, int], None]


class ImportRejected(InvalidInput):
    """One or more rows are wrong: nothing was imported.

    ``rows`` is ``[{"line": n, "errors": {column header: [message, ...]}}, ...]`` in line order;
    the API sends it as ``errors = {"rows": rows}``.
    """

    code = "import_rejected"
    message = gettext_lazy("导入文件中有错误，未导入任何申报，请按提示修改后重新上传")

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        detail = _("导入文件中有 {n} 行有错误，未导入任何申报，请按提示修改后重新上传").format(n=len(rows))
        # The error handler sends ``errors`` as JSON whatever its values: here a list of row reports.
        super().__init__(detail, errors=cast(dict[str, list[str]], {"rows": rows}))
        self.rows = rows


@dataclass(frozen=True)
class ImportReport:
    """What a successful import created."""

    created: int
    ids: list[int]
    sha256: str


def _column_errors(errors: forms.Errors, headers: dict[str, str]) -> dict[str, list[str]]:
    """The validator's errors keyed by column header ("members[1].phone" → the person list's column)."""
    result: dict[str, list[str]] = {}
    for path, messages in errors.items():
        key = path.split("[", 1)[0].split(".", 1)[0]
        result.setdefault(headers.get(key, key), []).extend(messages)
    return result


def _add(errors: dict[str, list[str]], column: str, message: str) -> None:
    errors.setdefault(column, []).append(message)


def _resolve_units(actor: User, rows: list[ImportRow]) -> tuple[dict[str, Organization], set[int], set[int]]:
    """Units by code, and which of them the actor may see and submit for: three queries for the whole file."""
    codes = {row.unit_code for row in rows if row.unit_code}
    units = {org.code: org for org in Organization.objects.filter(code__in=codes)}
    ids = [org.pk for org in units.values()]
    visible = set(permissions.visible_orgs(actor).filter(pk__in=ids).values_list("pk", flat=True))
    submitter_at = set(permissions.units_nominating_by(actor).filter(pk__in=ids).values_list("pk", flat=True))
    return units, visible, submitter_at


def _row_errors(
    row: ImportRow,
    *,
    definition: dict[str, Any],
    headers: dict[str, str],
    units: dict[str, Organization],
    visible: set[int],
    submitter_at: set[int],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {column: list(messages) for column, messages in row.errors.items()}
    unit = units.get(row.unit_code)
    if not row.unit_code:
        _add(errors, UNIT_CODE_HEADER, _("请填写申报单位编码"))
    elif unit is None or unit.pk not in visible:
        # The same answer for a unit that does not exist and one the actor may not see.
        _add(errors, UNIT_CODE_HEADER, _("申报单位编码“{code}”不存在或不在您的权限范围内").format(code=row.unit_code))
    elif unit.pk not in submitter_at:
        _add(errors, UNIT_CODE_HEADER, _("您不是“{unit}”的申报经办人，不能为其申报").format(unit=unit.name))
    if not row.title:
        _add(errors, TITLE_HEADER, _("请填写申报名称"))
    elif len(row.title) > TITLE_MAX_LENGTH:
        _add(
            errors,
            TITLE_HEADER,
            _("申报名称不能超过 {max} 个字（现为 {count} 个字）").format(max=TITLE_MAX_LENGTH, count=len(row.title)),
        )
    for column, messages in _column_errors(
        forms.validate_form_data(definition, row.form, partial=True), headers
    ).items():
        errors.setdefault(column, []).extend(messages)
    return errors


def _late_errors(exc: SealflowError, headers: dict[str, str]) -> dict[str, list[str]]:
    """A refusal of ``create_nomination_in_transaction`` as a row report."""
    if isinstance(exc, InvalidInput) and exc.errors:
        return _column_errors({key.removeprefix("form."): messages for key, messages in exc.errors.items()}, headers)
    return {UNIT_CODE_HEADER: [exc.detail]}


@transaction.atomic(durable=True)
def import_nominations(
    *,
    actor: User,
    campaign: Campaign,
    kind: str,
    rows: list[ImportRow],
    progress: Progress | None = None,
    file_sha256: str = "",
) -> ImportReport:
    """Create one draft per row for the rows' units, or none at all if any row is wrong.

    Locks the campaign, then re-checks its window and the kind under the lock (whole-file refusals:
    ``NotOpenYet`` / ``DeadlinePassed`` 409, ``kind_not_accepted`` 400). Checks every row before
    writing (``ImportRejected`` with every bad row's line and messages), then creates the drafts with
    the same checks as ``create_nomination``, each audited as ``nomination.created``, and records one
    ``import.applied`` event on the campaign with the counts and ``file_sha256``. ``progress(done, total)``
    is called every ``PROGRESS_EVERY`` created rows and at the end.
    """
    # FOR NO KEY UPDATE: holds off campaign changes (closing it) and other imports into it, while
    # nominations created elsewhere meanwhile (their foreign key takes FOR KEY SHARE) do not wait.
    campaign = Campaign.objects.select_for_update(no_key=True, of=("self",)).get(pk=campaign.pk)
    target = ("workflows.campaign", str(campaign.pk))
    _check_window(campaign, target)
    definition = definition_for(campaign, kind)
    if not rows:
        raise InvalidInput(_("导入文件中没有申报"), errors={"file": [_("导入文件中没有申报")]}, code="import_empty")
    headers = {column.key: column.header for column in form_columns(definition)}
    units, visible, submitter_at = _resolve_units(actor, rows)

    rejected: list[dict[str, Any]] = []
    for row in rows:
        errors = _row_errors(
            row, definition=definition, headers=headers, units=units, visible=visible, submitter_at=submitter_at
        )
        if errors:
            rejected.append({"line": row.line, "errors": errors})
    if rejected:
        raise ImportRejected(rejected)

    total = len(rows)
    ids: list[int] = []
    for done, row in enumerate(rows, start=1):
        try:
            nomination = create_nomination_in_transaction(
                actor=actor, campaign=campaign, unit=units[row.unit_code], kind=kind, title=row.title, form=row.form
            )
        except SealflowError as exc:
            # Checked above, so only a rule that changed under us gets here; the whole file still rolls back.
            rejected.append({"line": row.line, "errors": _late_errors(exc, headers)})
        else:
            ids.append(nomination.pk)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    if rejected:
        raise ImportRejected(rejected)

    record_event(
        audit_events.IMPORT_APPLIED,
        actor=actor,
        target=campaign,
        data={
            "kind": kind,
            "rows": total,
            "created": len(ids),
            "units": len({row.unit_code for row in rows}),
            "first_id": ids[0],
            "last_id": ids[-1],
            "sha256": file_sha256,
        },
    )
    return ImportReport(created=len(ids), ids=ids, sha256=file_sha256)
