"""State changes of judging; one function per action, atomic, authority checked, audited.

A panel's submits and the round's close both lock the ``Round`` row, so a last submit racing a
close is either counted (it committed first) or refused with ``round_closed``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals.models import Nomination, NominationAuthor, SignOff
from audit.trail import record_event
from config.errors import InvalidInput, NotPermitted, NotVisible
from judging import audit_events, scoring
from judging.exceptions import (
    AlreadySubmitted,
    NoTie,
    PanelExists,
    PreviousRoundOpen,
    Recused,
    RoundClosed,
    ScoresMissing,
    WrongMethod,
)
from judging.models import Assignment, ImportBatch, ImportedScore, Round, RoundResult, ScoreCorrection
from workflows.models import Campaign
from workflows.rounds import decimal_of, full_mark, round_step

_FOUR = Decimal("0.0001")


# --- reading a round's definition -----------------------------------------------------------


def round_definition(campaign: Campaign, key: str) -> dict[str, Any]:
    """The round ``key`` of the campaign's definition; 404 when there is none."""
    for definition in campaign.rounds or []:
        if definition.get("key") == key:
            return dict(definition)
    raise NotVisible(_("评审轮次不存在"))


def _deadline(definition: Mapping[str, Any]) -> Any:
    raw = definition.get("deadline")
    if not raw:
        return None
    parsed = parse_datetime(raw)
    if parsed is None:
        day = parse_date(raw)
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _locked_round(campaign: Campaign, definition: Mapping[str, Any]) -> Round:
    """The round's state row (created on first use), locked until the end of the transaction."""
    Round.objects.get_or_create(campaign=campaign, key=definition["key"], defaults={"deadline": _deadline(definition)})
    return Round.objects.select_for_update().get(campaign=campaign, key=definition["key"])


def _committee_campaign(campaign_id: int, actor: User) -> Campaign:
    campaign = Campaign.objects.select_related("host_org").get(pk=campaign_id)
    if not permissions.can_run_judging(actor, campaign):
        raise NotPermitted(target=("workflows.campaign", str(campaign.pk)))
    return campaign


def _previous_round(campaign: Campaign, definition: Mapping[str, Any], kind: str) -> dict[str, Any] | None:
    previous = None
    for other in campaign.rounds or []:
        if other.get("key") == definition["key"]:
            return previous
        if kind in other.get("kinds", []):
            previous = other
    return previous


def round_entries(campaign: Campaign, definition: Mapping[str, Any]) -> dict[str, list[int]]:
    """kind → the entries of the round: the approved nominations of the kind in its first round,
    else the advancing entries of the kind's previous round (which must be closed, its tie resolved)."""
    entries: dict[str, list[int]] = {}
    for kind in definition["kinds"]:
        previous = _previous_round(campaign, definition, kind)
        ids: Iterable[int]
        if previous is None:
            ids = Nomination.objects.filter(
                campaign=campaign, kind=kind, status=Nomination.Status.APPROVED
            ).values_list("pk", flat=True)
        else:
            before = Round.objects.filter(campaign=campaign, key=previous["key"]).first()
            if before is None or before.status != Round.Status.CLOSED or (before.boundary_tie or {}).get(kind):
                raise PreviousRoundOpen()
            ids = RoundResult.objects.filter(round=before, kind=kind, advanced=True).values_list(
                "nomination_id", flat=True
            )
        entries[kind] = sorted(ids)
    return entries


def check_scores(definition: Mapping[str, Any], scores: object) -> dict[str, str]:
    """The scores of one sheet, checked against the rubric: criterion → exact decimal text.

    Raises InvalidInput naming each bad criterion (unknown, missing, not a number, below 0,
    over its max, off the round's step).
    """
    errors: dict[str, list[str]] = {}
    if not isinstance(scores, dict):
        raise InvalidInput.for_field("scores", _("评分必须是对象（评分项 → 分数）"))
    criteria = {c["key"]: c for c in definition.get("criteria") or []}
    step = round_step(definition)
    clean: dict[str, str] = {}
    for key in scores:
        if key not in criteria:
            errors[f"scores.{key}"] = [_("未知的评分项")]
    for key, criterion in criteria.items():
        if key not in scores:
            errors[f"scores.{key}"] = [_("缺少此项评分")]
            continue
        value = decimal_of(scores[key])
        maximum = decimal_of(criterion["max"]) or Decimal(0)
        if value is None:
            errors[f"scores.{key}"] = [_("必须是数字")]
        elif value < 0:
            errors[f"scores.{key}"] = [_("不能低于0分")]
        elif value > maximum:
            errors[f"scores.{key}"] = [_("不能超过满分{max}").format(max=criterion["max"])]
        elif value % step != 0:
            errors[f"scores.{key}"] = [_("必须是{step}的整数倍").format(step=step)]
        else:
            clean[key] = str(value.normalize()) if value != value.to_integral() else str(int(value))
    if errors:
        raise InvalidInput(errors=errors)
    return clean


# --- panel ----------------------------------------------------------------------------------


@dataclass
class PanelSetUp:
    assignments: list[Assignment]
    recused: list[Assignment]
    short: list[dict[str, int]] = field(default_factory=list)


def _conflicts(judges: list[User], nominations: list[Nomination]) -> dict[tuple[int, int], str]:
    """(judge, nomination) → why the judge may not score it (automatic recusal)."""
    reasons: dict[tuple[int, int], str] = {}
    affiliation: dict[int, int | None] = {}
    for judge in judges:
        profile = getattr(judge, "judge_profile", None)
        affiliation[judge.pk] = (profile.affiliation_id if profile else None) or judge.org_id
    for nomination in nominations:
        path = [*nomination.unit.ancestor_ids(), nomination.unit_id]
        # The unit and its path up to the district (not the city above it).
        chain = path[path.index(nomination.district_id) :] if nomination.district_id in path else path[-3:]
        for judge in judges:
            if affiliation[judge.pk] in chain:
                reasons[(judge.pk, nomination.pk)] = _("专家所在单位为申报单位或其上级（至区县）")
    judge_ids = [j.pk for j in judges]
    nomination_ids = [n.pk for n in nominations]
    for user_id, nomination_id in NominationAuthor.objects.filter(
        nomination_id__in=nomination_ids, user_id__in=judge_ids
    ).values_list("user_id", "nomination_id"):
        reasons.setdefault((user_id, nomination_id), _("专家参与了该申报的填写、修改、提交或上传附件"))
    for user_id, nomination_id in SignOff.objects.filter(
        nomination_id__in=nomination_ids, signer_id__in=judge_ids
    ).values_list("signer_id", "nomination_id"):
        reasons.setdefault((user_id, nomination_id), _("专家在审批链中签署过该申报"))
    for nomination in nominations:
        for judge in judges:
            if nomination.created_by_id == judge.pk or nomination.submitted_by_id == judge.pk:
                reasons.setdefault((judge.pk, nomination.pk), _("专家参与了该申报的填写、修改、提交或上传附件"))
    return reasons


@transaction.atomic
def set_up_panel(
    campaign_id: int, round_key: str, *, actor: User, judge_ids: list[int], per_entry: int | None = None
) -> PanelSetUp:
    """Assign the round's entries to judges of the host: all of them, or ``per_entry`` drawn at
    random and balanced; conflicts are recused automatically and stored with their reason."""
    campaign = _committee_campaign(campaign_id, actor)
    definition = round_definition(campaign, round_key)
    if definition.get("method") != "panel":
        raise WrongMethod()
    current = _locked_round(campaign, definition)
    if current.status == Round.Status.CLOSED:
        raise RoundClosed()
    if current.assignments.exists():
        raise PanelExists()
    wanted_ids = list(dict.fromkeys(judge_ids))
    judges = list(
        permissions.judges_of_host(campaign.host_org_id).filter(pk__in=wanted_ids).select_related("judge_profile")
    )
    unknown = sorted(set(wanted_ids) - {j.pk for j in judges})
    if not wanted_ids or unknown:
        message = _("以下用户不是本活动主办方的评审专家：{ids}").format(ids=", ".join(map(str, unknown)))
        raise InvalidInput(errors={"judges": [message if unknown else _("至少需要一名评审专家")]})
    if per_entry is not None and not 1 <= per_entry <= len(judges):
        raise InvalidInput.for_field("per_entry", _("每件申报的评审人数须在1到专家人数之间"))
    ids = [i for kind_ids in round_entries(campaign, definition).values() for i in kind_ids]
    nominations = list(Nomination.objects.filter(pk__in=ids).select_related("unit").order_by("pk"))
    conflicts = _conflicts(judges, nominations)
    judges.sort(key=lambda j: j.pk)
    wanted = per_entry or len(judges)
    rng = random.SystemRandom()
    load = {j.pk: 0 for j in judges}
    rows: list[Assignment] = []
    short: list[dict[str, int]] = []
    order = list(nominations)
    rng.shuffle(order)
    for nomination in order:
        eligible = [j.pk for j in judges if (j.pk, nomination.pk) not in conflicts]
        rng.shuffle(eligible)
        eligible.sort(key=lambda pk: load[pk])  # stable: the least loaded first, random among equals
        chosen = eligible[:wanted]
        for pk in chosen:
            load[pk] += 1
            rows.append(Assignment(round=current, judge_id=pk, nomination=nomination))
        if len(chosen) < wanted:
            short.append({"nomination": nomination.pk, "judges": len(chosen), "wanted": wanted})
    recused = [
        Assignment(
            round=current, judge_id=judge_id, nomination_id=nomination_id, status=Assignment.Status.RECUSED,
            recusal_kind=Assignment.RecusalKind.AUTO, recusal_reason=reason,
        )
        for (judge_id, nomination_id), reason in sorted(conflicts.items())
    ]  # fmt: skip
    created = Assignment.objects.bulk_create(rows + recused)
    short.sort(key=lambda s: s["nomination"])
    record_event(
        audit_events.PANEL_SET_UP,
        actor=actor,
        target=current,
        data={
            "judges": [j.pk for j in judges],
            "per_entry": per_entry,
            "assignments": len(rows),
            "recused": [[a.judge_id, a.nomination_id, a.recusal_reason] for a in recused],
            "short": short,
        },
    )
    from notifications import events

    for judge in judges:
        events.judge_assigned(campaign, judge_id=judge.pk, round_key=current.key, count=load[judge.pk])
    return PanelSetUp(assignments=created[: len(rows)], recused=created[len(rows) :], short=short)


def _own_assignment(assignment_id: int, actor: User, *, lock: bool = False) -> Assignment:
    """The judge's own assignment; anyone else's is 404 (a judge sees only their own)."""
    assignments = Assignment.objects.select_related("round", "round__campaign")
    if lock:
        assignments = assignments.select_for_update(of=("self",))
    try:
        assignment = assignments.get(pk=assignment_id)
    except Assignment.DoesNotExist:
        raise NotVisible() from None
    if not permissions.is_judge_of(actor, assignment):
        raise NotVisible()
    return assignment


def _check_scorable(assignment: Assignment, current: Round) -> None:
    if current.status == Round.Status.CLOSED:
        raise RoundClosed(target=("judging.round", str(current.pk)))
    if assignment.status == Assignment.Status.SUBMITTED:
        raise AlreadySubmitted(target=("judging.assignment", str(assignment.pk)))
    if assignment.status == Assignment.Status.RECUSED:
        raise Recused(target=("judging.assignment", str(assignment.pk)))


@transaction.atomic
def save_score(assignment_id: int, *, actor: User, scores: object, comment: str | None = None) -> Assignment:
    """Save a judge's draft score sheet (changeable until submitted); a constant number of queries."""
    assignment = _own_assignment(assignment_id, actor, lock=True)
    _check_scorable(assignment, assignment.round)
    definition = round_definition(assignment.round.campaign, assignment.round.key)
    assignment.scores = check_scores(definition, scores)
    if comment is not None:
        assignment.comment = comment
    assignment.saved_at = timezone.now()
    assignment.save(update_fields=["scores", "comment", "saved_at"])
    record_event(audit_events.SCORE_SAVED, actor=actor, target=assignment, data={"scores": assignment.scores})
    return assignment


@transaction.atomic
def submit_score(assignment_id: int, *, actor: User, scores: object = None, comment: str | None = None) -> Assignment:
    """Make the sheet final (the saved draft, or ``scores`` given here); it never changes after."""
    found = _own_assignment(assignment_id, actor)
    current = Round.objects.select_for_update().get(pk=found.round_id)
    assignment = Assignment.objects.select_for_update().get(pk=found.pk)
    _check_scorable(assignment, current)
    definition = round_definition(found.round.campaign, current.key)
    assignment.scores = check_scores(definition, assignment.scores if scores is None else scores)
    if comment is not None:
        assignment.comment = comment
    assignment.status = Assignment.Status.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["scores", "comment", "status", "submitted_at"])
    record_event(audit_events.SCORE_SUBMITTED, actor=actor, target=assignment, data={"scores": assignment.scores})
    return assignment


@transaction.atomic
def declare_conflict(assignment_id: int, *, actor: User, reason: str) -> Assignment:
    """The judge recuses themself from an entry (the entry is judged without them)."""
    found = _own_assignment(assignment_id, actor)
    current = Round.objects.select_for_update().get(pk=found.round_id)
    assignment = Assignment.objects.select_for_update().get(pk=found.pk)
    _check_scorable(assignment, current)
    assignment.status = Assignment.Status.RECUSED
    assignment.recusal_kind = Assignment.RecusalKind.DECLARED
    assignment.recusal_reason = reason
    assignment.save(update_fields=["status", "recusal_kind", "recusal_reason"])
    record_event(audit_events.CONFLICT_DECLARED, actor=actor, target=assignment, data={"reason": reason})
    return assignment


@transaction.atomic
def correct_score(assignment_id: int, *, actor: User, scores: object, reason: str) -> ScoreCorrection:
    """The committee corrects a submitted score, with a reason: a new entry; the sheet stays."""
    try:
        found = Assignment.objects.select_related("round", "round__campaign__host_org").get(pk=assignment_id)
    except Assignment.DoesNotExist:
        raise NotVisible() from None
    campaign = found.round.campaign
    if not permissions.can_run_judging(actor, campaign):
        raise NotPermitted(target=("judging.assignment", str(found.pk)))
    current = Round.objects.select_for_update().get(pk=found.round_id)
    if current.status == Round.Status.CLOSED:
        raise RoundClosed()
    if found.status != Assignment.Status.SUBMITTED:
        raise InvalidInput.for_field("assignment", _("只能更正已提交的评分"))
    if not reason.strip():
        raise InvalidInput.for_field("reason", _("请填写更正原因"))
    new = check_scores(round_definition(campaign, current.key), scores)
    last = found.corrections.order_by("-id").first()
    correction = ScoreCorrection.objects.create(
        assignment=found, committee=actor, reason=reason, old=last.new if last else found.scores, new=new
    )
    record_event(
        audit_events.SCORE_CORRECTED,
        actor=actor,
        target=found,
        data={"old": correction.old, "new": new, "reason": reason, "correction": correction.pk},
    )
    return correction


# --- imported scores ------------------------------------------------------------------------


@transaction.atomic
def import_scores(
    campaign_id: int,
    round_key: str,
    *,
    actor: User,
    rows: list[tuple[str, object, object]],
    sha256: str,
    filename: str = "",
) -> ImportBatch:
    """Scores of an ``import`` round from outside: ``rows`` are (label, nomination, score 0–100).

    All rows or none: any bad row refuses the whole import, naming each bad row by its label.
    A later import replaces the round's scores; the file's (or body's) hash is kept.
    """
    campaign = _committee_campaign(campaign_id, actor)
    definition = round_definition(campaign, round_key)
    if definition.get("method") != "import":
        raise WrongMethod()
    current = _locked_round(campaign, definition)
    if current.status == Round.Status.CLOSED:
        raise RoundClosed()
    entries = {i for ids in round_entries(campaign, definition).values() for i in ids}
    errors: dict[str, list[str]] = {}
    clean: dict[int, Decimal] = {}
    for label, nomination, score in rows:
        problems: list[str] = []
        nomination_id = nomination if isinstance(nomination, int) and not isinstance(nomination, bool) else None
        if nomination_id is None and isinstance(nomination, str) and nomination.strip().isdigit():
            nomination_id = int(nomination.strip())
        if nomination_id is None or nomination_id not in entries:
            problems.append(_("申报编号不是本轮的参评申报"))
        elif nomination_id in clean:
            problems.append(_("申报编号重复"))
        value = decimal_of(score)
        if value is None or not 0 <= value <= 100:
            problems.append(_("分数必须是0到100之间的数字"))
        if problems:
            errors[label] = problems
        elif nomination_id is not None and value is not None:
            clean[nomination_id] = value
    if not rows:
        errors["scores"] = [_("没有可导入的成绩")]
    if errors:
        raise InvalidInput(errors=errors)
    ImportedScore.objects.filter(round=current).delete()
    batch = ImportBatch.objects.create(
        round=current, sha256=sha256, filename=filename[:200], row_count=len(clean), imported_by=actor
    )
    ImportedScore.objects.bulk_create(
        ImportedScore(round=current, batch=batch, nomination_id=i, score=v) for i, v in clean.items()
    )
    record_event(
        audit_events.SCORES_IMPORTED,
        actor=actor,
        target=current,
        data={"sha256": sha256, "filename": filename, "rows": len(clean), "batch": batch.pk},
    )
    return batch


# --- closing ---------------------------------------------------------------------------------


def _sheets(current: Round) -> list[scoring.Sheet]:
    """The submitted sheets of a panel round, the committee's latest correction in place; one query."""
    latest = ScoreCorrection.objects.filter(assignment=OuterRef("pk")).order_by("-id").values("new")[:1]
    rows = (
        Assignment.objects.filter(round=current, status=Assignment.Status.SUBMITTED)
        .annotate(corrected=Subquery(latest))
        .values_list("judge_id", "nomination_id", "scores", "corrected")
    )
    return [
        scoring.Sheet(judge=judge, entry=entry, criteria={k: Decimal(v) for k, v in (corrected or scores).items()})
        for judge, entry, scores, corrected in rows
    ]


def _weighted_before(campaign: Campaign, definition: Mapping[str, Any]) -> dict[str, list[tuple[Decimal, str]]]:
    """kind → (weight, key) of the kind's weighted rounds before this one."""
    before: dict[str, list[tuple[Decimal, str]]] = {kind: [] for kind in definition["kinds"]}
    for other in campaign.rounds or []:
        if other.get("key") == definition["key"]:
            break
        weight = decimal_of(other.get("weight", 0)) or Decimal(0)
        for kind in other.get("kinds", []):
            if kind in before and weight:
                before[kind].append((weight, other["key"]))
    return before


def _running_total(parts: Sequence[tuple[Decimal, Mapping[int, Decimal]]], ids: list[int]) -> dict[int, Decimal]:
    """The kind's weighted total so far: the final score (scoring.combine) once its weights reach
    100, before that the weighted points collected by the rounds closed (an entry missing scores 0)."""
    if sum(weight for weight, _scores in parts) == 100:
        return scoring.combine(parts, ids)
    return {i: sum((w * scores.get(i, Decimal(0)) for w, scores in parts), Decimal(0)) / 100 for i in ids}


@transaction.atomic
def close_round(campaign_id: int, round_key: str, *, actor: User) -> list[RoundResult]:
    """Close a round and rank its entries, in a constant number of queries.

    Refused (``scores_missing``) while a panel assignment that is not recused is open, or an
    import round lacks an entry's score. The ranked score is the kind's weighted total so far
    (a round of weight 0 ranks by its own score). With ``advance: N`` the top N of each kind go
    on; a tie across that boundary is broken by the round's ``tiebreak`` criterion, else
    reported and left to the committee (``resolve_tie``), never broken by id.
    """
    campaign = _committee_campaign(campaign_id, actor)
    definition = round_definition(campaign, round_key)
    current = _locked_round(campaign, definition)
    if current.status == Round.Status.CLOSED:
        raise RoundClosed()
    entries = round_entries(campaign, definition)
    method = definition.get("method")
    tiebreak: dict[int, tuple[Decimal, ...]] | None = None
    if method == "panel":
        open_count = current.assignments.filter(status=Assignment.Status.PENDING).count()
        if open_count or not current.assignments.exists():
            raise ScoresMissing(open=open_count)
        sheets = _sheets(current)
        own = scoring.panel_scores(
            sheets, full_mark=full_mark(definition), trim=bool(definition.get("trim")),
            normalize=definition.get("normalize"),
        )  # fmt: skip
        if definition.get("tiebreak"):
            means = scoring.criterion_means(sheets, definition["tiebreak"])
            tiebreak = {entry: (mean,) for entry, mean in means.items()}
    elif method == "import":
        imported = dict(ImportedScore.objects.filter(round=current).values_list("nomination_id", "score"))
        missing = [i for ids in entries.values() for i in ids if i not in imported]
        if missing:
            raise ScoresMissing(missing=missing)
        own = scoring.import_scores(imported)
    else:
        raise WrongMethod()
    weight = decimal_of(definition.get("weight", 0)) or Decimal(0)
    before = _weighted_before(campaign, definition)
    earlier_keys = {key for parts in before.values() for _w, key in parts}
    earlier: dict[str, dict[int, Decimal]] = {}
    if weight and earlier_keys:
        for key, nomination_id, score in RoundResult.objects.filter(
            round__campaign=campaign, round__key__in=earlier_keys
        ).values_list("round__key", "nomination_id", "round_score"):
            earlier.setdefault(key, {})[nomination_id] = score
    advance = definition.get("advance")
    results: list[RoundResult] = []
    ties: dict[str, list[int]] = {}
    for kind, ids in entries.items():
        own_scores = {i: own.get(i, Decimal(0)) for i in ids}
        if weight:
            parts = [(w, earlier.get(key, {})) for w, key in before[kind]] + [(weight, own_scores)]
            ranked_on = _running_total(parts, ids)
        else:
            ranked_on = own_scores
        ranked = scoring.rank(ranked_on, tiebreak=tiebreak)
        if advance:
            cut = scoring.cut(ranked, advance)
            advancing = set(cut.advancing)
            if cut.boundary_tie:
                ties[kind] = sorted(cut.boundary_tie)
        else:
            advancing = set(ids)
        results.extend(
            RoundResult(
                round=current, nomination_id=r.entry, kind=kind, round_score=own_scores[r.entry].quantize(_FOUR),
                score=ranked_on[r.entry].quantize(_FOUR), rank=r.rank, tied=r.tied, advanced=r.entry in advancing,
            )
            for r in ranked
        )  # fmt: skip
    RoundResult.objects.bulk_create(results)
    current.status = Round.Status.CLOSED
    current.closed_at = timezone.now()
    current.closed_by = actor
    current.boundary_tie = ties
    current.save(update_fields=["status", "closed_at", "closed_by", "boundary_tie"])
    record_event(
        audit_events.ROUND_CLOSED,
        actor=actor,
        target=current,
        data={"entries": len(results), "advanced": sum(r.advanced for r in results), "boundary_tie": ties},
    )
    from notifications import events

    events.judging_round_closed(campaign, round_key=current.key, round_id=current.pk)
    return results


@transaction.atomic
def resolve_tie(campaign_id: int, round_key: str, *, actor: User, advancing: Iterable[int]) -> list[int]:
    """The committee decides which of the entries tied across a round's advance boundary go on."""
    campaign = _committee_campaign(campaign_id, actor)
    definition = round_definition(campaign, round_key)
    current = _locked_round(campaign, definition)
    if current.status != Round.Status.CLOSED or not current.boundary_tie:
        raise NoTie()
    chosen = sorted(set(advancing))
    kind = next((k for k, ids in current.boundary_tie.items() if set(chosen) <= set(ids)), None)
    if kind is None or not chosen:
        raise InvalidInput.for_field("advancing", _("只能从同分的申报中选择"))
    already = RoundResult.objects.filter(round=current, kind=kind, advanced=True).count()
    places = int(definition.get("advance") or 0) - already
    if len(chosen) != places:
        raise InvalidInput.for_field("advancing", _("须恰好选择{n}件申报晋级").format(n=places))
    RoundResult.objects.filter(round=current, nomination_id__in=chosen).update(advanced=True)
    tied = current.boundary_tie.pop(kind)
    current.save(update_fields=["boundary_tie"])
    record_event(
        audit_events.TIE_RESOLVED, actor=actor, target=current, data={"kind": kind, "tied": tied, "advancing": chosen}
    )
    return chosen


@transaction.atomic
def urge_judges(campaign_id: int, round_key: str, *, actor: User) -> list[int]:
    """催评: remind the judges who still have open assignments in the round; returns their ids."""
    campaign = _committee_campaign(campaign_id, actor)
    definition = round_definition(campaign, round_key)
    current = _locked_round(campaign, definition)
    if current.status == Round.Status.CLOSED:
        raise RoundClosed()
    judge_ids = sorted(
        set(current.assignments.filter(status=Assignment.Status.PENDING).values_list("judge_id", flat=True))
    )
    record_event(audit_events.JUDGES_URGED, actor=actor, target=current, data={"judges": judge_ids})
    from notifications import events

    for judge_id in judge_ids:
        events.judges_urged(campaign, judge_id=judge_id, round_key=current.key, actor=actor)
    return judge_ids


# --- results written from outside (a vote round's likes, by voting) --------------------------


@transaction.atomic
def record_vote_results(
    campaign_id: int, round_key: str, *, actor: User, votes: Mapping[int, int]
) -> list[RoundResult]:
    """Close a ``vote`` round with its entries' counted votes (entry → votes): each kind ranked by
    votes, equal counts sharing the rank (1, 2, 2, 4), every entry advancing (the round of weight 0
    carries its own tiers). ``votes`` must name every entry; the caller (voting) counts them."""
    campaign = _committee_campaign(campaign_id, actor)
    definition = round_definition(campaign, round_key)
    if definition.get("method") != "vote":
        raise WrongMethod()
    current = _locked_round(campaign, definition)
    if current.status == Round.Status.CLOSED:
        raise RoundClosed()
    kinds = dict(Nomination.objects.filter(pk__in=list(votes)).values_list("pk", "kind"))
    results: list[RoundResult] = []
    for kind in definition["kinds"]:
        own = {i: Decimal(n) for i, n in votes.items() if kinds.get(i) == kind}
        ranked = scoring.rank(own)
        results.extend(
            RoundResult(
                round=current, nomination_id=r.entry, kind=kind, round_score=own[r.entry], score=own[r.entry],
                rank=r.rank, tied=r.tied, advanced=True,
            )
            for r in ranked
        )  # fmt: skip
    RoundResult.objects.bulk_create(results)
    current.status = Round.Status.CLOSED
    current.closed_at = timezone.now()
    current.closed_by = actor
    current.save(update_fields=["status", "closed_at", "closed_by"])
    record_event(
        audit_events.ROUND_CLOSED,
        actor=actor,
        target=current,
        data={"entries": len(results), "advanced": len(results), "boundary_tie": {}, "method": "vote"},
    )
    from notifications import events

    events.judging_round_closed(campaign, round_key=current.key, round_id=current.pk)
    return results
