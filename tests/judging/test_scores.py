"""Score sheets: validated drafts, final submits, declared conflicts, corrections, constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from config.errors import InvalidInput, NotVisible
from judging import actions
from judging.exceptions import AlreadySubmitted, RoundClosed
from judging.models import Assignment, ScoreCorrection
from tests.judging.conftest import make_scene, panel_round, sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(scene):
    actions.set_up_panel(scene.campaign.pk, "review", actor=scene.committee, judge_ids=[j.pk for j in scene.judges])
    return scene


def mine(scene, judge_index=0):
    return Assignment.objects.filter(judge=scene.judges[judge_index]).order_by("id")


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({"process": 10, "effect": 10, "show": 10, "extra": 1}, "scores.extra"),
        ({"process": 10, "effect": 10}, "scores.show"),
        ({"process": -1, "effect": 10, "show": 10}, "scores.process"),
        ({"process": 21, "effect": 10, "show": 10}, "scores.process"),
        ({"process": 10.5, "effect": 10, "show": 10}, "scores.process"),
        ({"process": "many", "effect": 10, "show": 10}, "scores.process"),
    ],
)
def test_bad_scores_are_refused_naming_the_criterion(panel, scores, field):
    assignment = mine(panel).first()
    with pytest.raises(InvalidInput) as refused:
        actions.save_score(assignment.pk, actor=panel.judges[0], scores=scores)
    assert field in refused.value.errors
    assignment.refresh_from_db()
    assert assignment.scores == {}


def test_half_points_pass_with_a_step_of_half(tree, submitter):
    scene = make_scene(tree, submitter, rounds=[panel_round(step="0.5")], entries=1, judges=1)
    actions.set_up_panel(scene.campaign.pk, "review", actor=scene.committee, judge_ids=[scene.judges[0].pk])
    assignment = mine(scene).get()

    actions.save_score(assignment.pk, actor=scene.judges[0], scores={"process": 10.5, "effect": "29.5", "show": 50})

    assignment.refresh_from_db()
    assert assignment.scores == {"process": "10.5", "effect": "29.5", "show": "50"}


def test_a_draft_changes_then_a_submit_is_final(panel):
    judge = panel.judges[0]
    assignment = mine(panel).first()
    actions.save_score(assignment.pk, actor=judge, scores=sheet(10, 20, 30))
    actions.save_score(assignment.pk, actor=judge, scores=sheet(11, 20, 30), comment="很好")
    actions.submit_score(assignment.pk, actor=judge)

    with pytest.raises(AlreadySubmitted):
        actions.save_score(assignment.pk, actor=judge, scores=sheet(1, 1, 1))
    with pytest.raises(AlreadySubmitted):
        actions.submit_score(assignment.pk, actor=judge)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.scores["process"], assignment.comment) == ("submitted", "11", "很好")
    actions_logged = list(
        AuditEvent.objects.filter(object_id=str(assignment.pk), object_type="judging.assignment")
        .order_by("id").values_list("action", flat=True)
    )  # fmt: skip
    assert actions_logged == ["judging.score_saved", "judging.score_saved", "judging.score_submitted"]


def test_another_judges_assignment_is_not_found(panel):
    others = mine(panel, judge_index=1).first()
    with pytest.raises(NotVisible):
        actions.save_score(others.pk, actor=panel.judges[0], scores=sheet(1, 1, 1))


def test_a_declared_conflict_recuses_with_its_reason(panel):
    assignment = mine(panel).first()
    actions.declare_conflict(assignment.pk, actor=panel.judges[0], reason="曾为该单位提供督导")

    assignment.refresh_from_db()
    assert (assignment.status, assignment.recusal_kind, assignment.recusal_reason) == (
        "recused", "declared", "曾为该单位提供督导",
    )  # fmt: skip


def test_a_correction_is_a_new_entry_and_the_sheet_stays(panel):
    assignment = mine(panel).first()
    actions.submit_score(assignment.pk, actor=panel.judges[0], scores=sheet(10, 20, 30))

    with pytest.raises(InvalidInput):
        actions.correct_score(assignment.pk, actor=panel.committee, scores=sheet(10, 20, 31), reason=" ")
    actions.correct_score(assignment.pk, actor=panel.committee, scores=sheet(10, 20, 31), reason="录入错误")

    assignment.refresh_from_db()
    correction = ScoreCorrection.objects.get()
    assert assignment.scores["show"] == "30"
    assert (correction.old["show"], correction.new["show"], correction.reason) == ("30", "31", "录入错误")
    assert AuditEvent.objects.filter(action="judging.score_corrected").count() == 1


def test_saving_a_score_costs_the_same_queries_at_the_first_and_the_thousandth(
    tree, submitter, django_assert_num_queries
):
    scene = make_scene(tree, submitter, rounds=[panel_round()], entries=1000, judges=1)
    actions.set_up_panel(scene.campaign.pk, "review", actor=scene.committee, judge_ids=[scene.judges[0].pk])
    ids = list(mine(scene).values_list("pk", flat=True))
    judge = scene.judges[0]
    with CaptureQueriesContext(connection) as first:
        actions.save_score(ids[0], actor=judge, scores=sheet(1, 1, 1))
    for pk in ids[1:-1]:
        Assignment.objects.filter(pk=pk).update(
            scores={"process": "1", "effect": "1", "show": "1"}, status="submitted"
        )

    with django_assert_num_queries(len(first.captured_queries)):
        actions.save_score(ids[-1], actor=judge, scores=sheet(2, 2, 2))


def test_scores_after_close_are_refused(panel):
    first, second = mine(panel)[:2]
    actions.declare_conflict(first.pk, actor=panel.judges[0], reason="回避")
    for assignment in Assignment.objects.filter(status="pending"):
        judge = next(j for j in panel.judges if j.pk == assignment.judge_id)
        actions.submit_score(assignment.pk, actor=judge, scores=sheet(10, 10, 10))
    actions.close_round(panel.campaign.pk, "review", actor=panel.committee)

    with pytest.raises(RoundClosed):
        actions.save_score(second.pk, actor=panel.judges[0], scores=sheet(1, 1, 1))
    with pytest.raises(RoundClosed):
        actions.correct_score(second.pk, actor=panel.committee, scores=sheet(1, 1, 1), reason="更正")
