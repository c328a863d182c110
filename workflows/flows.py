"""The sign-off chain on viewflow: one generic flow that loops over a campaign's stages.

Description
    submit ─▶ review ─▶ route ─┬─▶ review   (approved, more stages: the next stage's task)
                               ├─▶ review   (退回到指定环节: an earlier stage's task; the later ones run again)
                               ├─▶ approved (approved at the last stage)
                               ├─▶ returned (退回修改: the process ends; a resubmission starts a new one)
                               ├─▶ rejected (不同意: final)
                               └─▶ withdrawn (撤回 by the submitter before the first decision)

Motivation
    Campaigns differ (domain.md), so the chain is data: the stage of each ``review`` task is the
    nomination's current stage, read from the campaign. New campaigns need no code.

viewflow carries the process state (process, one task row per stage activation, the route);
``approvals.actions.sign_offs`` are the only way in: they lock, check authority and write the
sign-off, seal and audit event, then drive the activation. Nothing here checks permissions and
no viewflow UI is mounted (its lists are not scoped by organisation).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation

# Values of ``process.data["outcome"]`` that the route reads, set by the sign-off actions.
NEXT_STAGE = "next_stage"
APPROVED = "approved"
RETURNED = "returned"
# 退回到指定环节: the nomination stays in review and an earlier stage's task opens again.
RETURNED_TO_STAGE = "returned_to_stage"
# The outcomes after which the route opens a review task again.
OPENS_A_STAGE = (NEXT_STAGE, RETURNED_TO_STAGE)
REJECTED = "rejected"
WITHDRAWN = "withdrawn"


def _not_mounted(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """viewflow's task pages are not used: decisions go through the API and our own pages."""
    return HttpResponseNotFound()


def _outcome(value: str) -> Any:
    def condition(activation: Activation) -> bool:
        return bool(activation.process.data.get("outcome") == value)

    return condition


class SignOffFlow(flow.Flow):
    """Sign-off chain (审批链) of one submission of a nomination."""

    # The default takes no lock: two simultaneous approvals would both pass (notes/viewflow.md §3).
    lock_impl = lock.select_for_update_lock

    process_title = "申报审批"

    start = flow.StartHandle(this.start_chain).Next(this.review)

    review = flow.View(_not_mounted).Annotation(title="审批环节").onCreate(this.review_created).Next(this.route)

    route = (
        flow.Switch()
        .Case(this.review, cond=_outcome(NEXT_STAGE))
        .Case(this.review, cond=_outcome(RETURNED_TO_STAGE))
        .Case(this.returned, cond=_outcome(RETURNED))
        .Case(this.rejected, cond=_outcome(REJECTED))
        .Case(this.withdrawn, cond=_outcome(WITHDRAWN))
        .Default(this.approved)
    )

    approved = flow.End()
    returned = flow.End()
    rejected = flow.End()
    withdrawn = flow.End()

    def start_chain(self, activation: Activation, *, nomination_id: int, stage: str) -> Any:
        activation.process.data = {"nomination": nomination_id, "stage": stage, "outcome": ""}
        return activation.process

    def review_created(self, activation: Activation) -> None:
        """Hand the new stage's task to the action that drove the process (no query to find it)."""
        setattr(activation.process, OPENED_TASK, activation.task)


# The in-memory process carries the review task its activation just created (see review_created).
OPENED_TASK = "_sealflow_opened_task"


def opened_task(process: Any) -> Any:
    """The review task the last activation of ``process`` (this Python object) created."""
    task = getattr(process, OPENED_TASK, None)
    assert task is not None, "no review task was created by this activation"
    return task
