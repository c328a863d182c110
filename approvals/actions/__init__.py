"""State changes of a nomination's life; the API, pages, admin and tasks call these only."""

from approvals.actions.entrants import decline_entrant_place, set_entrant_list
from approvals.actions.imports import import_nominations
from approvals.actions.nominations import (
    add_attachment,
    create_nomination,
    delete_draft,
    remove_attachment,
    submit_nomination,
    update_nomination,
)
from approvals.actions.objections import (
    assign_investigator,
    decide_objection,
    file_objection,
    read_objector_identity,
    record_finding,
)
from approvals.actions.publicity import finalize_campaign, notice_ended_windows, start_publicity
from approvals.actions.revisions import close_revision_window, open_revision_window, submit_revision
from approvals.actions.revocations import revoke_nomination
from approvals.actions.sign_offs import add_signer, sign_off, sign_off_batch, transfer_task, withdraw_nomination
from approvals.actions.supplements import SUPPLEMENTABLE, add_supplement
from approvals.actions.templates import add_campaign_template, remove_campaign_template

__all__ = [
    "add_signer",
    "SUPPLEMENTABLE",
    "add_campaign_template",
    "add_supplement",
    "decline_entrant_place",
    "set_entrant_list",
    "remove_campaign_template",
    "assign_investigator",
    "decide_objection",
    "file_objection",
    "finalize_campaign",
    "notice_ended_windows",
    "read_objector_identity",
    "record_finding",
    "revoke_nomination",
    "close_revision_window",
    "open_revision_window",
    "submit_revision",
    "start_publicity",
    "add_attachment",
    "create_nomination",
    "delete_draft",
    "import_nominations",
    "remove_attachment",
    "sign_off",
    "sign_off_batch",
    "transfer_task",
    "submit_nomination",
    "update_nomination",
    "withdraw_nomination",
]
