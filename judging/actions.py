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

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from approvals.models import Nomination, NominationAuthor, SignOff
from audit.trail import record_event
from config.errors import InvalidInput, NotPermitted, NotVisible
from judging import audit_events, lottery, scoring
from judging.exceptions import (
    AlreadyDrawn,
    AlreadyPublished,
    AlreadySubmitted,
    DrawCommitted,
    NoEntries,
    NotALottery,
    NotCommitted,
    NotDrawn,
    NoTie,
    PanelExists,
    PreviousRoundOpen,
    Recused,
    RoundClosed,
    ScoresMissing,
    WrongMethod,
)
from judging.models import Assignment, Draw, ImportBatch, ImportedScore, Round, RoundResult, ScoreCorrection
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


# A panel round's submitted sheets, each the committee's latest correction if any, else the judge's
# scores; a sheet's total is the sum of the rubric's criteria in PostgreSQL's exact numeric (the
# criteria keys are bound parameters, ``{total}`` is filled with one term per criterion).
_SHEETS_SQL = """
WITH corrected AS (
    SELECT DISTINCT ON (c.assignment_id) c.assignment_id, c.new
    FROM judging_scorecorrection c JOIN judging_assignment ca ON ca.id = c.assignment_id
    WHERE ca.round_id = %(round)s ORDER BY c.assignment_id, c.id DESC
), sheets AS (
    SELECT a.judge_id, a.nomination_id, COALESCE(c.new, a.scores) AS s
    FROM judging_assignment a LEFT JOIN corrected c ON c.assignment_id = a.id
    WHERE a.round_id = %(round)s AND a.status = %(submitted)s
), totals AS MATERIALIZED (  -- each sheet added up once, not once per aggregate below
    SELECT judge_id, nomination_id, {total} AS total, (s ->> %(tiebreak)s)::numeric AS tiebreak FROM sheets
)
"""
_PER_SHEET_SQL = _SHEETS_SQL + "SELECT judge_id, nomination_id, total, tiebreak FROM totals"  # noqa: S608 - constants
_PER_ENTRY_SQL = _SHEETS_SQL + (
    "SELECT nomination_id, sum(total), count(*), max(total), min(total), sum(tiebreak), count(tiebreak) "
    "FROM totals GROUP BY nomination_id"
)


@dataclass
class _PanelScores:
    own: dict[int, Decimal]
    tiebreak: dict[int, tuple[Decimal, ...]] | None


def _sheet_terms(current: Round, definition: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The SQL sum of a sheet's criteria (``{total}`` of ``_SHEETS_SQL``) and the query's parameters."""
    keys = [str(c["key"]) for c in definition.get("criteria") or []]
    params: dict[str, Any] = {f"c{i}": key for i, key in enumerate(keys)}
    params.update(round=current.pk, submitted=Assignment.Status.SUBMITTED, tiebreak=definition.get("tiebreak"))
    total = " + ".join(f"COALESCE((s ->> %(c{i})s)::numeric, 0)" for i in range(len(keys))) or "0"
    return total, params


def _sheets(current: Round, definition: Mapping[str, Any]) -> _PanelScores:
    """The panel round's scores (and tiebreak means) from its submitted sheets, in one query.

    The database adds each sheet up and, unless judges are normalised (``zscore`` needs every
    sheet), aggregates the totals per entry (exact sum, count, highest, lowest): 70,000 sheets
    become 10,000 rows and no Python object per sheet. The math stays in ``scoring``.
    """
    total, params = _sheet_terms(current, definition)
    mark, trim, normalize = full_mark(definition), bool(definition.get("trim")), definition.get("normalize")
    tiebreak_sums: dict[int, tuple[Decimal, int]] = {}
    with connection.cursor() as cursor:
        if normalize:
            cursor.execute(_PER_SHEET_SQL.format(total=total), params)
            sheets = []
            for judge, entry, sheet_total, points in cursor.fetchall():
                sheets.append(scoring.Sheet(judge=judge, entry=entry, criteria={"total": sheet_total}))
                if points is not None:
                    was = tiebreak_sums.get(entry, (Decimal(0), 0))
                    tiebreak_sums[entry] = (was[0] + points, was[1] + 1)
            own = scoring.panel_scores(sheets, full_mark=mark, trim=trim, normalize=normalize)
        else:
            cursor.execute(_PER_ENTRY_SQL.format(total=total), params)
            rows = cursor.fetchall()
            own = scoring.panel_scores_from_totals(
                (scoring.EntryTotals(entry, t, n, hi, lo) for entry, t, n, hi, lo, _s, _c in rows),
                full_mark=mark, trim=trim,
            )  # fmt: skip
            tiebreak_sums = {entry: (points, count) for entry, _t, _n, _h, _l, points, count in rows if count}
    tiebreak: dict[int, tuple[Decimal, ...]] | None = None
    if definition.get("tiebreak"):
        means = scoring.criterion_means_from_sums(tiebreak_sums)
        tiebreak = {entry: (mean,) for entry, mean in means.items()}
    return _PanelScores(own, tiebreak)


def _submitted_sheets(current: Round, definition: Mapping[str, Any]) -> list[scoring.Sheet]:
    """The panel round's submitted sheets, one per (judge, entry), each with its total only (the
    committee's latest correction in place); one query, the same SQL as the close."""
    total, params = _sheet_terms(current, definition)
    with connection.cursor() as cursor:
        cursor.execute(_PER_SHEET_SQL.format(total=total), params)
        return [
            scoring.Sheet(judge=judge, entry=entry, criteria={"total": sheet_total})
            for judge, entry, sheet_total, _points in cursor.fetchall()
        ]


_RESULT_FIELDS = ("round_id", "nomination_id", "kind", "round_score", "score", "rank", "tied", "advanced")


def _insert_results(rows: list[tuple[Any, ...]]) -> list[RoundResult]:
    """``RoundResult.objects.bulk_create`` of ``rows`` (values in ``_RESULT_FIELDS`` order) in one
    ``INSERT ... SELECT FROM unnest``: Django would prepare each of a 10,000-entry round's 80,000
    values one by one. The objects come back as loaded from the database, with their ids."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO judging_roundresult (round_id, nomination_id, kind, round_score, score, rank, tied, "
            "advanced) SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::numeric[], "
            "%s::numeric[], %s::integer[], %s::boolean[], %s::boolean[]) RETURNING id, nomination_id",
            [list(column) for column in columns],
        )
        ids = {nomination_id: pk for pk, nomination_id in cursor.fetchall()}
    names = ["id", *_RESULT_FIELDS]
    return [RoundResult.from_db(connection.alias, names, (ids[row[1]], *row)) for row in rows]


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
        panel = _sheets(current, definition)
        own, tiebreak = panel.own, panel.tiebreak
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
    rows: list[tuple[Any, ...]] = []  # in _RESULT_FIELDS order
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
        rows.extend(
            (current.pk, r.entry, kind, own_scores[r.entry].quantize(_FOUR), ranked_on[r.entry].quantize(_FOUR),
             r.rank, r.tied, r.entry in advancing)
            for r in ranked
        )  # fmt: skip
    results = _insert_results(rows)
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


# --- lottery (抽签) and live results ------------------------------------------------------------

MAX_CONTRIBUTIONS = 100
MAX_CONTRIBUTION_LENGTH = 200


def _lottery_round(campaign: Campaign, round_key: str) -> tuple[dict[str, Any], Round]:
    """The round's definition and its locked state row; only a round whose order is drawn by lottery."""
    definition = round_definition(campaign, round_key)
    if definition.get("order") != "lottery":
        raise NotALottery()
    return definition, _locked_round(campaign, definition)


@transaction.atomic
def commit_draw(campaign_id: int, round_key: str, *, actor: User) -> Draw:
    """Make the round's secret and publish its commitment (SHA-256), once.

    Refused once committed, drawn or not: the commitment is public, and a second secret would
    let the server choose between two orders.
    """
    campaign = _committee_campaign(campaign_id, actor)
    _definition, current = _lottery_round(campaign, round_key)
    if current.status == Round.Status.CLOSED:
        raise RoundClosed()
    existing = Draw.objects.filter(round=current).first()
    if existing is not None:
        raise AlreadyDrawn(draw=existing.pk) if existing.drawn_at else DrawCommitted(draw=existing.pk)
    secret = lottery.new_secret()
    draw = Draw.objects.create(
        round=current, secret=secret, commitment=lottery.commitment(secret), committed_at=timezone.now()
    )
    record_event(
        audit_events.DRAW_COMMITTED, actor=actor, target=current, data={"draw": draw.pk, "commitment": draw.commitment}
    )
    return draw


def _clean_contributions(contributions: object) -> list[str]:
    if not isinstance(contributions, list | tuple) or not contributions:
        raise InvalidInput.for_field("contributions", _("请至少录入一位代表给出的取值"))
    if len(contributions) > MAX_CONTRIBUTIONS:
        raise InvalidInput.for_field("contributions", _("代表取值不能超过{n}个").format(n=MAX_CONTRIBUTIONS))
    errors: dict[str, list[str]] = {}
    clean: list[str] = []
    for i, value in enumerate(contributions):
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            errors[f"contributions[{i}]"] = [_("取值不能为空")]
        elif len(text) > MAX_CONTRIBUTION_LENGTH:
            errors[f"contributions[{i}]"] = [_("取值不能超过{n}个字符").format(n=MAX_CONTRIBUTION_LENGTH)]
        else:
            clean.append(text)
    if errors:
        raise InvalidInput(errors=errors)
    return clean


@transaction.atomic
def perform_draw(campaign_id: int, round_key: str, *, actor: User, contributions: object) -> Draw:
    """Draw the order of presentation, once, with the secret committed before and the
    representatives' values given now; the entries are the round's entries (all its kinds).

    The stored order is the round's order of presentation (``presentation_order``).
    """
    campaign = _committee_campaign(campaign_id, actor)
    definition, current = _lottery_round(campaign, round_key)
    draw = Draw.objects.select_for_update().filter(round=current).first()
    if draw is None:
        raise NotCommitted()
    if draw.drawn_at is not None:
        raise AlreadyDrawn(draw=draw.pk)
    if current.status == Round.Status.CLOSED:
        raise RoundClosed()
    values = _clean_contributions(contributions)
    entries = sorted(i for ids in round_entries(campaign, definition).values() for i in ids)
    if not entries:
        raise NoEntries()
    draw.contributions = values
    draw.entries = entries
    draw.order = lottery.draw_order(draw.secret, values, entries)
    draw.drawn_at = timezone.now()
    draw.save(update_fields=["contributions", "entries", "order", "drawn_at"])
    record_event(
        audit_events.DRAW_PERFORMED,
        actor=actor,
        target=current,
        data={"draw": draw.pk, "secret": draw.secret, "contributions": values, "entries": entries,
              "order": draw.order},
    )  # fmt: skip
    return draw


def presentation_order(current: Round) -> list[int] | None:
    """The round's order of presentation: its draw's order, ``None`` before the draw."""
    draw = Draw.objects.filter(round=current, drawn_at__isnull=False).first()
    return list(draw.order) if draw else None


def presentation_scores(current: Round, definition: Mapping[str, Any], entries: Sequence[int]) -> dict[int, Decimal]:
    """entry -> its round score (0-100) from these entries' own scores only, the committee's
    corrections included; an entry still missing a score is absent.

    Only the given entries' sheets are read, so a published score tells nothing about the others
    (a z-score round normalises among the published entries).
    """
    wanted = set(entries)
    if definition.get("method") == "import":
        rows = ImportedScore.objects.filter(round=current, nomination_id__in=wanted)
        return scoring.import_scores(dict(rows.values_list("nomination_id", "score")))
    open_ids = set(
        current.assignments.filter(status=Assignment.Status.PENDING, nomination_id__in=wanted).values_list(
            "nomination_id", flat=True
        )
    )
    sheets = [s for s in _submitted_sheets(current, definition) if s.entry in wanted and s.entry not in open_ids]
    return scoring.panel_scores(
        sheets, full_mark=full_mark(definition), trim=bool(definition.get("trim")),
        normalize=definition.get("normalize"),
    )  # fmt: skip


@dataclass
class Publication:
    published_through: int
    scores: list[tuple[int, int, Decimal]]  # (place, nomination, score)


@transaction.atomic
def publish_results(
    campaign_id: int, round_key: str, *, actor: User, through: int, partial: bool = False
) -> Publication:
    """Publish the scores of the first ``through`` presentations in the drawn order.

    Only whole groups of the round's ``publish_every`` (and the last, shorter group) unless the
    committee says ``partial``; monotone: what is published stays published. Refused while one of
    those entries still misses a score (``scores_missing``).
    """
    campaign = _committee_campaign(campaign_id, actor)
    definition = round_definition(campaign, round_key)
    if definition.get("method") not in ("panel", "import"):
        raise WrongMethod()
    current = _locked_round(campaign, definition)
    order = presentation_order(current)
    if order is None:
        raise NotDrawn()
    if isinstance(through, bool) or not isinstance(through, int) or not 1 <= through <= len(order):
        raise InvalidInput.for_field("through", _("须在1到{n}之间（本轮共{n}个出场）").format(n=len(order)))
    if through < current.published_through:
        raise AlreadyPublished(published_through=current.published_through)
    every = definition.get("publish_every")
    if every and not partial and through % every and through != len(order):
        raise InvalidInput.for_field(
            "through",
            _("每{n}个出场公布一次：请公布到第{n}的整数倍个，或由组委会确认公布不完整的一组").format(n=every),
        )
    shown = order[:through]
    scores = presentation_scores(current, definition, shown)
    missing = [i for i in shown if i not in scores]
    if missing:
        raise ScoresMissing(missing=missing)
    published = [(place, entry, scores[entry].quantize(_FOUR)) for place, entry in enumerate(shown, start=1)]
    if through > current.published_through:
        before = current.published_through
        current.published_through = through
        current.save(update_fields=["published_through"])
        record_event(
            audit_events.RESULTS_PUBLISHED,
            actor=actor,
            target=current,
            data={"from": before, "through": through, "partial": partial,
                  "scores": [[entry, str(score)] for _place, entry, score in published[before:]]},
        )  # fmt: skip
    return Publication(published_through=current.published_through, scores=published)


def published_scores(campaign_id: int, round_key: str) -> tuple[dict[str, Any], list[tuple[int, int, Decimal]]]:
    """What the public sees of a round's live results: (its definition, [(place, nomination,
    score)] of the published presentations only); 404 for an unknown campaign or round."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise NotVisible()
    definition = round_definition(campaign, round_key)
    current = Round.objects.filter(campaign=campaign, key=round_key).first()
    if current is None or not current.published_through:
        return definition, []
    order = presentation_order(current) or []
    shown = order[: current.published_through]
    scores = presentation_scores(current, definition, shown)
    return definition, [
        (place, entry, scores[entry].quantize(_FOUR)) for place, entry in enumerate(shown, start=1) if entry in scores
    ]


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
