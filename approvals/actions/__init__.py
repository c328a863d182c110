"""State changes of a nomination's life; the API, pages, admin and tasks call these only."""

from approvals.actions.imports import import_nominations
from approvals.actions.nominations import (
    add_attachment,
    create_nomination,
    remove_attachment,
    submit_nomination,
    update_nomination,
)
from approvals.actions.sign_offs import sign_off, sign_off_batch, transfer_task, withdraw_nomination

__all__ = [
    "add_attachment",
    "create_nomination",
    "import_nominations",
    "remove_attachment",
    "sign_off",
    "sign_off_batch",
    "transfer_task",
    "submit_nomination",
    "update_nomination",
    "withdraw_nomination",
]
