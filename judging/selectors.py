"""Reads of judging, starting from what the user may see (others' → 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts import permissions
from accounts.models import User
from config.errors import NotVisible
from judging.models import Assignment, Round, RoundResult
from workflows import forms
from workflows.models import Campaign


def assignments_of(user: User) -> QuerySet[Assignment]:
    """A judge's own assignments (every other judge's are invisible)."""
    return Assignment.objects.filter(judge_id=user.pk).select_related("round", "nomination")


def get_assignment(user: User, pk: int) -> Assignment:
    """One assignment: its judge, or the host's committee; 404 for everyone else."""
    try:
        assignment = Assignment.objects.select_related(
            "round", "round__campaign__host_org", "nomination", "nomination__unit"
        ).get(pk=pk)
    except Assignment.DoesNotExist:
        raise NotVisible() from None
    if permissions.is_judge_of(user, assignment) or permissions.can_run_judging(user, assignment.round.campaign):
        return assignment
    raise NotVisible()


def masked_content(assignment: Assignment) -> dict[str, Any]:
    """The entry's form as its judges read it: personal data masked (as in 公示)."""
    nomination = assignment.nomination
    definition = (assignment.round.campaign.forms or {}).get(nomination.kind)
    if not definition:
        return {}
    try:
        return forms.mask_form_data(definition, nomination.form or {})
    except forms.InvalidFormDefinition:
        return {}


def get_round(campaign: Campaign, key: str) -> Round | None:
    return Round.objects.filter(campaign=campaign, key=key).first()


def results_for(user: User, campaign: Campaign, key: str) -> list[RoundResult]:
    """A closed round's results: the committee, and the round's judges (404 otherwise, or before close)."""
    current = get_round(campaign, key)
    closed = current is not None and current.status == Round.Status.CLOSED
    judges_it = current is not None and current.assignments.filter(judge_id=user.pk).exists()
    if not permissions.can_read_round_results(user, campaign, judges_the_round=judges_it, closed=closed):
        raise NotVisible()
    if current is None:
        return []
    return list(current.results.select_related("nomination").order_by("kind", "rank", "nomination_id"))


def progress(campaign: Campaign, key: str) -> list[dict[str, Any]]:
    """Per judge: how many entries are pending, submitted, recused (no partial ranking)."""
    current = get_round(campaign, key)
    if current is None:
        return []
    rows = (
        current.assignments.values("judge_id", "judge__display_name", "judge__username")
        .annotate(
            pending=Count("pk", filter=Q(status=Assignment.Status.PENDING)),
            submitted=Count("pk", filter=Q(status=Assignment.Status.SUBMITTED)),
            recused=Count("pk", filter=Q(status=Assignment.Status.RECUSED)),
        )
        .order_by("judge_id")
    )
    return [
        {"judge": r["judge_id"], "name": r["judge__display_name"] or r["judge__username"], "pending": r["pending"],
         "submitted": r["submitted"], "recused": r["recused"]}
        for r in rows
    ]  # fmt: skip
