"""Setting up a panel: judges of the host only, balanced random assignment, automatic recusal."""

from __future__ import annotations

from collections import Counter

import pytest

from accounts.roles import Role
from approvals.models import NominationAuthor, SignOff
from audit.models import AuditEvent
from config.errors import InvalidInput, NotPermitted
from judging import actions
from judging.exceptions import PanelExists
from judging.models import Assignment, JudgeProfile
from tests.factories import user_with_role
from tests.judging.conftest import make_scene, panel_round

pytestmark = pytest.mark.django_db


def test_without_per_entry_every_judge_gets_every_entry(scene):
    panel = actions.set_up_panel(
        scene.campaign.pk, "review", actor=scene.committee, judge_ids=[j.pk for j in scene.judges]
    )

    assert len(panel.assignments) == 9
    assert panel.recused == []
    assert panel.short == []
    assert AuditEvent.objects.filter(action="judging.panel_set_up").count() == 1


def test_per_entry_is_drawn_balanced(tree, submitter):
    scene = make_scene(tree, submitter, rounds=[panel_round()], entries=12, judges=4)

    panel = actions.set_up_panel(
        scene.campaign.pk, "review", actor=scene.committee, judge_ids=[j.pk for j in scene.judges], per_entry=2
    )

    per_entry = Counter(a.nomination_id for a in panel.assignments)
    per_judge = Counter(a.judge_id for a in panel.assignments)
    assert set(per_entry.values()) == {2}
    assert sorted(per_judge.values()) == [6, 6, 6, 6]


def test_only_judges_of_the_host_and_only_the_committee(tree, scene):
    outsider = user_with_role(Role.JUDGE, tree.city)
    with pytest.raises(InvalidInput) as refused:
        actions.set_up_panel(scene.campaign.pk, "review", actor=scene.committee, judge_ids=[outsider.pk])
    assert "judges" in refused.value.errors
    with pytest.raises(NotPermitted):
        actions.set_up_panel(scene.campaign.pk, "review", actor=scene.judges[0], judge_ids=[scene.judges[0].pk])
    actions.set_up_panel(scene.campaign.pk, "review", actor=scene.committee, judge_ids=[scene.judges[0].pk])
    with pytest.raises(PanelExists):
        actions.set_up_panel(scene.campaign.pk, "review", actor=scene.committee, judge_ids=[scene.judges[0].pk])


def test_recusal_by_organisation_path_up_to_the_district(tree, scene):
    # given: one judge works at the entries' district bureau, one at the city above it
    district_judge, city_judge = scene.judges[0], scene.judges[1]
    JudgeProfile.objects.create(user=district_judge, expertise="社会工作", affiliation=tree.district)
    JudgeProfile.objects.create(user=city_judge, expertise="社会工作", affiliation=tree.city)
    own = [e.pk for e in scene.entries if e.unit_id == tree.unit.pk]

    panel = actions.set_up_panel(
        scene.campaign.pk, "review", actor=scene.committee, judge_ids=[district_judge.pk, city_judge.pk]
    )

    recused = {(a.judge_id, a.nomination_id) for a in panel.recused}
    assert recused == {(district_judge.pk, pk) for pk in own}
    assert all(a.status == "recused" and a.recusal_kind == "auto" and a.recusal_reason for a in panel.recused)
    assert not any(a.judge_id == district_judge.pk and a.nomination_id in own for a in panel.assignments)
    # entries left with fewer judges than wanted are reported
    assert {s["nomination"] for s in panel.short} == set(own)


def test_recusal_by_participation_in_the_chain(tree, scene):
    from django.utils import timezone

    author, signer = scene.judges[0], scene.judges[1]
    first, second = scene.entries[0], scene.entries[1]
    NominationAuthor.objects.create(nomination=first, user=author, kind="edited", first_at=timezone.now())
    SignOff.objects.create(
        nomination=second, round=1, stage="committee_review", stage_name="组委会意见", role="committee",
        decision="approve", signer=signer, signer_label="x", org=tree.committee, task_id=990001,
        content_hash="0" * 64, signed_at=timezone.now(),
    )  # fmt: skip

    panel = actions.set_up_panel(
        scene.campaign.pk, "review", actor=scene.committee, judge_ids=[j.pk for j in scene.judges]
    )

    assert {(a.judge_id, a.nomination_id) for a in panel.recused} == {(author.pk, first.pk), (signer.pk, second.pk)}
    assert Assignment.objects.filter(status="pending").count() == 9 - 2
