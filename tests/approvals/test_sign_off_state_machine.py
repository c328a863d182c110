"""R11: a Hypothesis state machine over intake and the sign-off chain (notes/performance-reliability.md §8).

Random actors of every role create, edit, submit, decide (approve / return / reject, and return
to an earlier stage: 退回到指定环节), transfer (转交) and withdraw nominations through the real
actions, on PostgreSQL, without mocks. A model of who may do what,
written here independently of ``accounts.permissions``, predicts each outcome: an allowed action
must succeed and write exactly its audit events; a refused one must be refused for a reason that
applies (any of them: the order of the checks is the action's business) and change nothing. The
model knows the separation of duties: no author (creator, editor or submitter in any round) signs
a nomination off, nobody signs two consecutive stages except where the campaign allows it (一肩挑:
the unit leader who is also party secretary signs the party stage, sealed with the unit's seal),
and after a transfer only the assignee decides. A return to an earlier stage keeps the nomination
in review in the same round: that stage and the ones after it run again, every earlier opinion and
seal stays. After every step the invariants of the chain are checked against the database.

The actions are durable transactions and the audit, seal and sign-off tables refuse DELETE, so
examples cannot be rolled back: the test is transactional (pytest-django truncates at the end),
each example builds its own organisations and users under a fresh prefix, and every check is
scoped to the example's own objects.

A failure is shrunk (for up to Hypothesis's five minutes) to a short list of steps, printed as
``state.<rule>(...)`` calls with the draws of each step.
"""

from __future__ import annotations

import itertools
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from accounts import permissions
from accounts.models import Grant, Organization
from accounts.roles import OrgKind, Role
from approvals import audit_events, seals
from approvals.actions import (
    add_signer,
    create_nomination,
    sign_off,
    sign_offs,
    submit_nomination,
    transfer_task,
    update_nomination,
    withdraw_nomination,
)
from approvals.exceptions import (
    AlreadySignedStage,
    ConsecutiveSignOffForbidden,
    NominationInvalid,
    NominationNotEditable,
    NotEligible,
    OpinionRequired,
    SeatNotOpenYet,
    SelfApprovalForbidden,
    TaskAlreadyDecided,
    WithdrawNotAllowed,
)
from approvals.models import Delegation, Nomination, NominationAuthor, Seal, SealKey, SignOff, StageSeat
from audit.models import AuditEvent
from audit.verification import verify_audit
from config.errors import InvalidInput, NotPermitted, NotVisible, SealflowError
from tests.campaigns import STAGES, make_campaign, valid_case_form
from tests.factories import OrganizationFactory, UserFactory, user_with_role
from workflows.exceptions import QuotaExceeded
from workflows.flows import SignOffFlow
from workflows.models import Stage
from workflows.specs import signer_org_of

# The unit's cap: 1, so that 20 steps often reach it (a full unit, a withdrawn one coming back).
PER_UNIT_MAX = 1
# The test chain with [003]'s party stage after the unit's: 党组织负责人签名, 单位盖章, and the unit
# leader who is also the party secretary (一肩挑) may sign it right after the unit stage.
CHAIN = [
    STAGES[0],
    {"key": "party_opinion", "name": "党组织意见", "role": "party_secretary", "seal": True, "seal_org": "unit",
     "same_signer_as_previous": True},
    *STAGES[1:],
]  # fmt: skip
STAGE_KEYS = [stage["key"] for stage in CHAIN]
SEALING = {stage["key"] for stage in CHAIN if stage["seal"]}
SAME_SIGNER_ALLOWED = {stage["key"] for stage in CHAIN if stage.get("same_signer_as_previous")}
Status = Nomination.Status
EDITABLE = {Status.DRAFT, Status.RETURNED, Status.WITHDRAWN}
OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED)
NOMINATION = "approvals.nomination"
ORGANIZATION = "accounts.organization"

# --- the model of who may do what (independent of accounts.permissions) ---------------------

UNITS = ("unit", "other_unit")
ACTORS = (
    "sub1", "sub2", "other_sub", "leader1", "leader2", "other_leader", "party_sec", "other_party_sec",
    "district_rev", "other_rev", "committee", "security_admin", "auditor", "deputy",
)  # fmt: skip
# 代签: deputy (no role of its own) decides for district_rev, whose delegation runs all the time;
# it decides what district_rev could, checked as district_rev and as itself.
PRINCIPAL = {"deputy": "district_rev"}
# Where the delegation (district reviewer at the unit's district) reaches: (stage, unit).
DELEGATED = {("district_review", "unit")}
# leader2 holds both roles at the unit: the separation of submitter and signer is exercised.
SUBMITTERS = {"unit": {"sub1", "sub2", "leader2"}, "other_unit": {"other_sub"}}
SIGNERS = {
    ("unit_opinion", "unit"): {"leader1", "leader2"},
    ("unit_opinion", "other_unit"): {"other_leader"},
    # leader1 is also the party secretary (一肩挑: allowed after itself); district_rev is too (not
    # allowed: the district's stage never follows its own signer).
    ("party_opinion", "unit"): {"party_sec", "leader1", "district_rev"},
    ("party_opinion", "other_unit"): {"other_party_sec"},
    ("district_review", "unit"): {"district_rev"},
    ("district_review", "other_unit"): {"other_rev"},
    ("committee_review", "unit"): {"committee"},
    ("committee_review", "other_unit"): {"committee"},
}
# Who signs each stage when the machine starts with nominations part-way along the chain.
USUAL_SIGNER = {
    ("unit_opinion", "unit"): "leader1", ("unit_opinion", "other_unit"): "other_leader",
    ("party_opinion", "unit"): "party_sec", ("party_opinion", "other_unit"): "other_party_sec",
    ("district_review", "unit"): "district_rev", ("district_review", "other_unit"): "other_rev",
}  # fmt: skip
# The organisation at which each stage is decided (and sealed, at a sealing stage), for each unit.
SIGNER_ORG = {
    ("unit_opinion", "unit"): "unit",
    ("unit_opinion", "other_unit"): "other_unit",
    ("party_opinion", "unit"): "party",
    ("party_opinion", "other_unit"): "other_party",
    ("district_review", "unit"): "district",
    ("district_review", "other_unit"): "other_district",
    ("committee_review", "unit"): "committee",
    ("committee_review", "other_unit"): "committee",
}
# Whose seal a sealing stage applies: the signer's organisation, but the unit's at the party stage.
SEAL_ORG = {**SIGNER_ORG, ("party_opinion", "unit"): "unit", ("party_opinion", "other_unit"): "other_unit"}
# 会签 / 或签 (the machines with ``COSIGN_MODE``): the district's stage is signed by its bureau and
# its 社工部; each holder signs once per visit of the stage, at (and sealed with) its own organisation.
COSIGN_STAGE = "district_review"
COSIGN_HOLDERS = {"unit": {"district_rev": "district", "social_rev": "social"},
                  "other_unit": {"other_rev": "other_district", "other_social_rev": "other_social"}}  # fmt: skip

# 加签: whom a signer adds. The nomination's readers (those who see it without a seat of it) can be;
# the others are refused (400 invalid_added_signer), as are its authors, the previous stage's
# signers (unless the stage allows them, 一肩挑), anyone with a seat or a decision at the visit
# already, and the holder of another holder's seat still to decide (会签 / 或签).
ADDABLE = ("sub1", "leader1", "leader2", "party_sec", "district_rev", "committee", "other_leader", "other_rev",
           "deputy", "auditor")  # fmt: skip
READERS = {"unit": {"sub1", "sub2", "leader1", "leader2", "party_sec", "district_rev", "committee"},
           "other_unit": {"other_sub", "other_leader", "other_party_sec", "other_rev", "committee"}}  # fmt: skip
PLAIN = "*"  # the one holder's group of a stage of one holder, once someone added to it

# Why an action may be refused, and the errors that say so.
UNAUTHORISED = "unauthorised"
SELF_APPROVAL = "self_approval"
TASK_DECIDED = "task_decided"
NOT_EDITABLE = "not_editable"
INVALID = "invalid"
INELIGIBLE = "ineligible"
NO_PLACE = "no_place"
NO_OPINION = "no_opinion"
NOT_WITHDRAWABLE = "not_withdrawable"
CONSECUTIVE = "consecutive"
BAD_RECEIVER = "bad_receiver"
BAD_TO_STAGE = "bad_to_stage"
ALREADY_SIGNED = "already_signed"
NOT_OPEN = "not_open_yet"
BAD_ADDED = "bad_added"
ERRORS: dict[str, type[SealflowError]] = {
    NOT_OPEN: SeatNotOpenYet,
    ALREADY_SIGNED: AlreadySignedStage,
    SELF_APPROVAL: SelfApprovalForbidden,
    TASK_DECIDED: TaskAlreadyDecided,
    NOT_EDITABLE: NominationNotEditable,
    INVALID: NominationInvalid,
    INELIGIBLE: NotEligible,
    NO_PLACE: QuotaExceeded,
    NO_OPINION: OpinionRequired,
    NOT_WITHDRAWABLE: WithdrawNotAllowed,
    CONSECUTIVE: ConsecutiveSignOffForbidden,
}


def _refuses_for(error: SealflowError, reason: str) -> bool:
    if reason == UNAUTHORISED:  # 403, or 404 for what the actor may not even see
        return isinstance(error, NotPermitted | NotVisible) and not isinstance(
            error, SelfApprovalForbidden | ConsecutiveSignOffForbidden
        )
    if reason == BAD_RECEIVER:
        return isinstance(error, InvalidInput) and error.code == "invalid_transfer_target"
    if reason == BAD_TO_STAGE:
        return isinstance(error, InvalidInput) and error.code == "invalid_to_stage"
    if reason == BAD_ADDED:
        return isinstance(error, InvalidInput) and error.code == "invalid_added_signer"
    return type(error) is ERRORS[reason]


def _form(kind: str) -> dict[str, Any]:
    form = valid_case_form()
    if kind == "incomplete":  # fine for a draft, not for a submission
        del form["summary"]
    elif kind == "ineligible":  # complete, but carried out more than 3 years ago
        form["carried_out_on"] = (timezone.localdate() - timedelta(days=5 * 366)).isoformat()
    elif kind == "junk":  # refused even in a draft
        form = {"summary": 5}
    return form


FORMS = st.sampled_from(["valid", "valid", "incomplete", "ineligible", "junk"])
TITLES = st.sampled_from(["助老服务案例", "社区食堂（修改）", "", "   "])
DECISIONS = st.sampled_from(SignOff.Decision.values)
OPINIONS = st.sampled_from(["同意推荐", "", "  ", "请补充服务数据"])

_EXAMPLES = itertools.count(1)
# Row counts of every table an action writes, and the last audit event's id, in one query
# (table names from the models, not from input).
_TABLES = [
    m._meta.db_table
    for m in (Nomination, NominationAuthor, SignOff, Seal, SealKey, AuditEvent, Task, Process, StageSeat)
]
_LAST_EVENT = f"(SELECT coalesce(max(id), 0) FROM {AuditEvent._meta.db_table})"  # noqa: S608
_COUNT_ROWS = "SELECT " + ", ".join([*(f"(SELECT count(*) FROM {t})" for t in _TABLES), _LAST_EVENT])  # noqa: S608


@dataclass
class Expected:
    """What the model says a nomination is; the invariants compare the database with it."""

    pk: int
    unit: str
    created_by: str
    title: str
    form_kind: str
    form: dict[str, Any]
    status: str = Status.DRAFT
    stage: str = ""
    version: int = 1
    round: int = 0
    task_id: int | None = None
    submitters: dict[int, str] = field(default_factory=dict)  # round → who submitted it
    # (round, stage, decision, opinion, signer, to_stage, principal or ""), in order
    signoffs: list[tuple[int, str, str, str, str, str, str]] = field(default_factory=list)
    seals: list[tuple[str, str]] = field(default_factory=list)  # (stage, organisation), in order
    seals_when_rejected: int | None = None
    events: Counter[str] = field(default_factory=Counter)
    # Who created, edited or submitted it in any round: none of them may sign it off.
    authors: set[str] = field(default_factory=set)
    assignee: str | None = None  # after a transfer (转交), only this holder decides the open task
    # 会签 / 或签: the holders who approved the open visit of the cosign stage → who signed for them.
    seated: dict[str, str] = field(default_factory=dict)
    # The approvals that stand for each stage in this round (its signers and the holders they
    # signed for): set when an approval decides the stage, dropped when a return reruns it.
    standing: dict[str, set[str]] = field(default_factory=dict)
    # 加签 at the open visit: the holders' groups someone took as their own by adding (group →
    # owner: the holder's name at the cosign stage, PLAIN at another), the groups whose owner waits
    # for a 前加签, and the seats added: [kind, person, status, group].
    owners: dict[str, str] = field(default_factory=dict)
    waiting: set[str] = field(default_factory=set)
    added: list[list[str]] = field(default_factory=list)

    def visit_people(self) -> set[str]:
        """Who decided a seat of the open visit (and whom they signed for)."""
        holders = {p for pair in self.seated.items() for p in pair if p != PLAIN}
        return holders | {who for _kind, who, status, _g in self.added if status not in ("open", "pending")}

    def new_visit(self) -> None:
        self.seated, self.owners, self.waiting, self.added = {}, {}, set(), []

    def previous_signers(self) -> set[str]:
        """Who signed the stage before the current one in this round (nobody signs two in a row):
        its standing approval's signers and the holders they signed for; nobody at the first stage."""
        index = STAGE_KEYS.index(self.stage)
        if index == 0:
            return set()
        return self.standing.get(STAGE_KEYS[index - 1], set())


class SignOffMachine(RuleBasedStateMachine):
    """Intake and the sign-off chain driven by random actors of every role."""

    nominations = Bundle("nominations")
    # "all" (会签) or "any" (或签): the district's stage is signed by its bureau and its 社工部.
    COSIGN_MODE = ""

    def __init__(self) -> None:
        super().__init__()
        prefix = f"H{next(_EXAMPLES)}-{uuid.uuid4().hex[:8]}"

        def org(key: str, name: str, kind: OrgKind, parent: Organization | None) -> Organization:
            return OrganizationFactory.create(name=f"{name}{prefix}", code=f"{prefix}-{key}", kind=kind, parent=parent)

        city = org("city", "市民政局", OrgKind.CITY, None)
        committee = org("cmt", "组委会", OrgKind.COMMITTEE, city)
        district = org("pd", "浦东新区民政局", OrgKind.DISTRICT, city)
        township = org("ljz", "陆家嘴街道", OrgKind.TOWNSHIP, district)
        unit = org("ljzc", "陆家嘴中心", OrgKind.UNIT, township)
        party = org("ljzp", "陆家嘴中心党支部", OrgKind.PARTY, unit)
        other_district = org("hp", "黄浦区民政局", OrgKind.DISTRICT, city)
        other_township = org("njd", "南京东路街道", OrgKind.TOWNSHIP, other_district)
        other_unit = org("njdc", "南京东路中心", OrgKind.UNIT, other_township)
        other_party = org("njdp", "南京东路中心党支部", OrgKind.PARTY, other_unit)
        self.orgs = {
            "city": city, "committee": committee, "district": district, "unit": unit, "party": party,
            "other_district": other_district, "other_unit": other_unit, "other_party": other_party,
        }  # fmt: skip
        self.signers = {key: set(names) for key, names in SIGNERS.items()}
        self.actors: tuple[str, ...] = ACTORS
        if self.COSIGN_MODE:
            # Each district's 社工部 sits right below its bureau (whose reviewers' grants cover it).
            self.orgs["social"] = org("pdsg", "社工部", OrgKind.DISTRICT, district)
            self.orgs["other_social"] = org("hpsg", "社工部", OrgKind.DISTRICT, other_district)
            for unit_key, holders in COSIGN_HOLDERS.items():
                self.signers[(COSIGN_STAGE, unit_key)] = set(holders)
            self.actors = (*ACTORS, "social_rev", "other_social_rev")
        grants: dict[str, tuple[Role, Organization | None]] = {
            "sub1": (Role.SUBMITTER, unit),
            "sub2": (Role.SUBMITTER, unit),
            "other_sub": (Role.SUBMITTER, other_unit),
            "leader1": (Role.UNIT_LEADER, unit),
            "leader2": (Role.UNIT_LEADER, unit),
            "other_leader": (Role.UNIT_LEADER, other_unit),
            "party_sec": (Role.PARTY_SECRETARY, party),
            "other_party_sec": (Role.PARTY_SECRETARY, other_party),
            "district_rev": (Role.DISTRICT_REVIEWER, district),
            "other_rev": (Role.DISTRICT_REVIEWER, other_district),
            "committee": (Role.COMMITTEE, committee),
            "security_admin": (Role.SECURITY_ADMIN, None),
            "auditor": (Role.AUDITOR, None),
        }
        if self.COSIGN_MODE:
            grants["social_rev"] = (Role.DISTRICT_REVIEWER, self.orgs["social"])
            grants["other_social_rev"] = (Role.DISTRICT_REVIEWER, self.orgs["other_social"])
        self.users = {
            name: user_with_role(role, where, username=f"{prefix}-{name}") for name, (role, where) in grants.items()
        }
        Grant.objects.create(user=self.users["leader2"], role=Role.SUBMITTER, org=unit)
        Grant.objects.create(user=self.users["leader1"], role=Role.PARTY_SECRETARY, org=party)
        Grant.objects.create(user=self.users["district_rev"], role=Role.PARTY_SECRETARY, org=party)
        self.users["deputy"] = UserFactory.create(username=f"{prefix}-deputy")
        now = timezone.now()
        Delegation.objects.create(
            principal=self.users["district_rev"], delegate=self.users["deputy"], role=Role.DISTRICT_REVIEWER,
            org=district, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30),
        )  # fmt: skip
        self.names = {user.pk: name for name, user in self.users.items()}
        self.campaign = make_campaign(committee, per_unit_max=PER_UNIT_MAX)
        self.campaign.stages.all().delete()
        for i, stage in enumerate(CHAIN):
            Stage.objects.create(campaign=self.campaign, position=i, signer_org=signer_org_of(stage), **stage)
        if self.COSIGN_MODE:
            department = f"社工部{prefix}"  # the organisations' names end with the example's prefix
            specs = [{"role": "district_reviewer", "signer_org": "district", "department": ""},
                       {"role": "district_reviewer", "signer_org": "district", "department": department}]  # fmt: skip
            self.campaign.stages.filter(key=COSIGN_STAGE).update(holders=specs, mode=self.COSIGN_MODE)
        self.model: dict[int, Expected] = {}
        self.decided_tasks: list[tuple[int, int, str]] = []  # (task id, nomination, stage it was at)
        self.keyed_orgs: set[str] = set()
        self.seen_signoffs: dict[int, tuple[Any, ...]] = {}
        self.mark = 0
        # Seals need a master key file; the settings change last, so that teardown always undoes it.
        self.key_dir = tempfile.TemporaryDirectory()
        self.override = override_settings(SEALFLOW_SEAL_KEY_FILE=str(Path(self.key_dir.name) / "seal-master.key"))
        self.override.enable()

    def teardown(self) -> None:
        self.override.disable()
        self.key_dir.cleanup()

    # --- helpers ---------------------------------------------------------------------------

    def _actor(self, plausible: set[str]) -> st.SearchStrategy[str]:
        """Someone holding a role that fits (so the chain moves on), or anyone at all."""
        return st.sampled_from(sorted(plausible)) | st.sampled_from(self.actors)

    def _cosign(self, n: Expected) -> bool:
        return bool(self.COSIGN_MODE) and n.stage == COSIGN_STAGE

    def _snapshot(self) -> tuple[Any, ...]:
        """The example's nominations, the row counts and the last audit event's id."""
        rows = Nomination.objects.filter(pk__in=list(self.model)).order_by("pk")
        with connection.cursor() as cursor:
            cursor.execute(_COUNT_ROWS)
            counts = cursor.fetchone()
        return (
            list(rows.values_list("pk", "status", "stage", "version", "round", "task_id", "title", "form")),
            counts,
        )

    def _attempt(self, what: str, reasons: set[str], call: Callable[[], Any]) -> tuple[bool, Any]:
        """Run the action; a refusal must give an applicable reason and leave everything as it was."""
        before = self._snapshot()
        self.mark = before[1][-1]
        error: SealflowError | None = None
        try:
            result = call()
        except SealflowError as refusal:
            error = refusal
        if error is not None:
            assert reasons, f"{what} was refused ({type(error).__name__}, {error.code}) although it is allowed"
            assert any(_refuses_for(error, reason) for reason in reasons), (
                f"{what} was refused with {type(error).__name__} ({error.code}), expected one of {sorted(reasons)}"
            )
            assert self._snapshot() == before, f"{what} was refused but changed something"
            return False, None
        assert not reasons, f"{what} succeeded although it must be refused: {sorted(reasons)}"
        return True, result

    def _expect_events(self, expected: list[tuple[str, int, str, str | None]]) -> None:
        """The events the action just wrote: (object type, object id, action, actor name), in order."""
        written = AuditEvent.objects.filter(id__gt=self.mark).order_by("id")
        rows = written.values_list("object_type", "object_id", "action", "actor_id")
        got = [(t, i, a, self.names.get(u) if u else None) for t, i, a, u in rows]
        assert got == [(t, str(i), str(a), who) for t, i, a, who in expected]
        for _type, pk, action, _who in expected:
            if _type == NOMINATION:
                self.model[pk].events[str(action)] += 1

    def _holding(self, unit: str) -> int:
        return sum(1 for n in self.model.values() if n.unit == unit and n.status in Nomination.HOLDS_PLACE)

    def _create(self, actor: str, unit: str, title: str, form_kind: str) -> int | None:
        reasons = set()
        if actor not in SUBMITTERS[unit]:
            reasons.add(UNAUTHORISED)
        if form_kind == "junk":
            reasons.add(INVALID)
        form = _form(form_kind)
        ok, nomination = self._attempt(
            "create_nomination",
            reasons,
            lambda: create_nomination(
                actor=self.users[actor],
                campaign=self.campaign,
                unit=self.orgs[unit],
                kind="case",
                title=title,
                form=form,
            ),
        )
        if not ok:
            return None
        self.model[nomination.pk] = Expected(nomination.pk, unit, actor, title, form_kind, form, authors={actor})
        self._expect_events([(NOMINATION, nomination.pk, audit_events.NOMINATION_CREATED, actor)])
        return int(nomination.pk)

    def _submit(self, pk: int, actor: str) -> None:
        n = self.model[pk]
        reasons = set()
        if actor not in SUBMITTERS[n.unit]:
            reasons.add(UNAUTHORISED)
        if n.status not in EDITABLE:
            reasons.add(NOT_EDITABLE)
        if n.form_kind == "incomplete" or not n.title.strip():
            reasons.add(INVALID)
        if n.form_kind == "ineligible":
            reasons.add(INELIGIBLE)
        first = n.status in (Status.DRAFT, Status.WITHDRAWN)
        if first and self._holding(n.unit) >= PER_UNIT_MAX:
            reasons.add(NO_PLACE)
        ok, nomination = self._attempt(
            "submit_nomination", reasons, lambda: submit_nomination(pk, actor=self.users[actor])
        )
        if not ok:
            return
        n.status, n.stage, n.task_id = Status.IN_REVIEW, STAGE_KEYS[0], nomination.task_id
        n.round += 1
        n.version += 1
        n.submitters[n.round] = actor
        n.authors.add(actor)
        n.standing = {}
        n.new_visit()
        self._expect_events([(NOMINATION, pk, audit_events.NOMINATION_SUBMITTED, actor)])

    def _leave_task(self, n: Expected) -> None:
        assert n.task_id is not None
        self.decided_tasks.append((n.task_id, n.pk, n.stage))
        n.task_id = None
        n.assignee = None
        n.new_visit()

    # --- rules -----------------------------------------------------------------------------

    @initialize(
        target=nominations,
        drafts=st.lists(
            st.tuples(
                st.sampled_from(
                    [("sub1", "unit"), ("sub2", "unit"), ("leader2", "unit"), ("other_sub", "other_unit")]
                ),
                st.booleans(),
            ),
            min_size=1,
            max_size=4,
        ),
        signed=st.lists(st.integers(min_value=0, max_value=3), min_size=4, max_size=4),
        adds=st.lists(st.sampled_from(["", "", "before", "after"]), min_size=4, max_size=4),
    )
    def start_with_nominations(
        self, drafts: list[tuple[tuple[str, str], bool]], signed: list[int], adds: list[str]
    ) -> Any:
        """A few drafts, some already submitted and signed through the first stages by their usual
        signers, so that 20 steps reach the end of the chain and returns to earlier stages; at
        some of them the open stage's signer added someone before or after themselves (加签)."""
        created = []
        for ((actor, unit), submitted), stages, add in zip(drafts, signed, adds, strict=False):
            pk = self._create(actor, unit, "助老服务案例", "valid")
            assert pk is not None
            n = self.model[pk]
            if submitted:
                self._submit(pk, actor)
                for stage in STAGE_KEYS[:stages] if n.status == Status.IN_REVIEW else []:
                    self._sign(n, USUAL_SIGNER[(stage, unit)], SignOff.Decision.APPROVE, "同意推荐")
                if add and n.status == Status.IN_REVIEW:
                    adder = USUAL_SIGNER.get((n.stage, unit), "committee")
                    self._add(n, adder, self._likely_added(n, adder)[0], add)
            created.append(pk)
        return multiple(*created)

    @rule(target=nominations, data=st.data(), unit=st.sampled_from(UNITS), title=TITLES, form_kind=FORMS)
    def create(self, data: st.DataObject, unit: str, title: str, form_kind: str) -> Any:
        actor = data.draw(self._actor(SUBMITTERS[unit]), label="actor")
        pk = self._create(actor, unit, title, form_kind)
        return multiple() if pk is None else pk

    @rule(data=st.data(), pk=nominations, title=st.none() | TITLES, form_kind=st.none() | FORMS)
    def edit(self, data: st.DataObject, pk: int, title: str | None, form_kind: str | None) -> None:
        n = self.model[pk]
        actor = data.draw(self._actor(SUBMITTERS[n.unit]), label="actor")
        reasons = set()
        if actor not in SUBMITTERS[n.unit]:
            reasons.add(UNAUTHORISED)
        if n.status not in EDITABLE:
            reasons.add(NOT_EDITABLE)
        if form_kind == "junk":
            reasons.add(INVALID)
        form = _form(form_kind) if form_kind is not None else None
        ok, _result = self._attempt(
            "update_nomination",
            reasons,
            lambda: update_nomination(pk, actor=self.users[actor], title=title, form=form),
        )
        if not ok:
            return
        changed = (title is not None and title != n.title) or (form is not None and form != n.form)
        if title is not None:
            n.title = title
        if form is not None and form_kind is not None:
            n.form, n.form_kind = form, form_kind
        if changed:
            n.version += 1
            n.authors.add(actor)
            self._expect_events([(NOMINATION, pk, audit_events.NOMINATION_UPDATED, actor)])
        else:
            self._expect_events([])

    @rule(data=st.data())
    def submit(self, data: st.DataObject) -> None:
        # Returned and withdrawn ones first, then drafts: resubmissions get reached.
        order = sorted(self.model.values(), key=lambda n: (n.status not in EDITABLE, n.status == Status.DRAFT, n.pk))
        n = data.draw(st.sampled_from(order), label="nomination")
        self._submit(n.pk, data.draw(self._actor(SUBMITTERS[n.unit]), label="actor"))

    @precondition(lambda self: any(n.status == Status.IN_REVIEW for n in self.model.values()))
    @rule(data=st.data(), opinion=OPINIONS)
    def approve(self, data: st.DataObject, opinion: str) -> None:
        self._decide(data, SignOff.Decision.APPROVE, opinion)

    @precondition(lambda self: any(n.status == Status.IN_REVIEW for n in self.model.values()))
    @rule(
        data=st.data(), decision=st.sampled_from([SignOff.Decision.RETURN, SignOff.Decision.REJECT]), opinion=OPINIONS
    )
    def return_or_reject(self, data: st.DataObject, decision: SignOff.Decision, opinion: str) -> None:
        self._decide(data, decision, opinion)

    @precondition(
        lambda self: any(n.status == Status.IN_REVIEW and n.stage != STAGE_KEYS[0] for n in self.model.values())
    )
    @rule(data=st.data(), opinion=OPINIONS)
    def return_to_an_earlier_stage(self, data: st.DataObject, opinion: str) -> None:
        self._decide(data, SignOff.Decision.RETURN, opinion, to_stage=True)

    def _decide(self, data: st.DataObject, decision: SignOff.Decision, opinion: str, to_stage: bool = False) -> None:
        # The furthest along first: returns and rejections after a seal get reached.
        in_review = sorted(
            (
                n
                for n in self.model.values()
                if n.status == Status.IN_REVIEW and (n.stage != STAGE_KEYS[0] or not to_stage)
            ),
            key=lambda n: (-STAGE_KEYS.index(n.stage), n.pk),
        )
        n = data.draw(st.sampled_from(in_review), label="nomination")
        earlier = STAGE_KEYS[: STAGE_KEYS.index(n.stage)]
        back = ""
        if decision == SignOff.Decision.RETURN and earlier:
            # Mostly an earlier stage; sometimes this one, a later one or no stage at all; a plain
            # return (to the unit) too, unless the rule asks for a stage.
            stages = st.sampled_from(earlier) | st.sampled_from([*STAGE_KEYS[len(earlier) :], "nowhere"])
            back = data.draw(stages if to_stage else st.just("") | stages, label="to_stage")
        plausible = self.signers[(n.stage, n.unit)] | {"deputy"}
        # 加签: mostly whoever's seat is open now (the person added first, 前加签, or the adder).
        now = [a[1] for a in n.added if a[2] == "open"]
        now += [owner for g, owner in n.owners.items() if g not in n.waiting and g not in n.seated]
        pick = st.sampled_from(sorted(now)) | self._actor(plausible | set(now)) if now else self._actor(plausible)
        actor = data.draw(pick, label="actor")
        self._sign(n, actor, decision, opinion, back)

    def _sign(self, n: Expected, actor: str, decision: SignOff.Decision, opinion: str, back: str = "") -> None:
        """``actor`` decides ``n``'s open task (and returns it to stage ``back``, when given)."""
        earlier = STAGE_KEYS[: STAGE_KEYS.index(n.stage)]
        signers = self.signers[(n.stage, n.unit)]
        # A proxy decides as its principal: only where the principal holds the stage's role.
        principal = PRINCIPAL.get(actor, "") if actor not in signers and (n.stage, n.unit) in DELEGATED else ""
        decider = principal or actor
        reasons = set()
        if decider not in signers or (n.assignee is not None and decider != n.assignee):
            reasons.add(UNAUTHORISED)
        if {actor, principal} & n.authors:
            reasons.add(SELF_APPROVAL)
        if {actor, principal} & n.previous_signers() and n.stage not in SAME_SIGNER_ALLOWED:
            reasons.add(CONSECUTIVE)
        if decision != SignOff.Decision.APPROVE and not opinion.strip():
            reasons.add(NO_OPINION)
        if back and back not in earlier:
            reasons.add(BAD_TO_STAGE)
        cosign = self._cosign(n)
        # 会签 / 或签: one decision per holder (and per person) in a visit of the stage.
        if cosign and {actor, principal} & (set(n.seated) | set(n.seated.values())):
            reasons.add(ALREADY_SIGNED)
        seat: tuple[str, Any, str] | None = None
        if n.owners:  # 加签 at this visit: the seats say who decides now
            reasons -= {UNAUTHORISED, ALREADY_SIGNED, CONSECUTIVE, SELF_APPROVAL}
            found = self._seat_for(n, actor)
            if isinstance(found, set):
                reasons |= found
                principal = ""
            else:
                seat, principal = found, found[2]
                decider = principal or actor
            if {actor, principal} & n.authors:
                reasons.add(SELF_APPROVAL)
            if {actor, principal} & n.previous_signers() and n.stage not in SAME_SIGNER_ALLOWED:
                reasons.add(CONSECUTIVE)
        assert n.task_id is not None
        task_id = n.task_id
        ok, signoff = self._attempt(
            f"sign_off {decision} at {n.stage}" + (f" to {back}" if back else ""),
            reasons,
            lambda: sign_off(task_id, actor=self.users[actor], decision=decision, opinion=opinion, to_stage=back),
        )
        if not ok:
            return
        stage = n.stage
        sealed = stage in SEALING and decision == SignOff.Decision.APPROVE
        assert (signoff.decision, signoff.seal_id is not None) == (decision, sealed)
        n.signoffs.append((n.round, stage, str(decision), opinion.strip(), actor, back, principal))
        n.version += 1
        expected: list[tuple[str, int, str, str | None]] = []
        holders = COSIGN_HOLDERS[n.unit]
        # The holder's group decided in: an added seat's adder's, or the holder's own.
        group = (n.added[seat[1]][3] if seat[0] == "added" else seat[1]) if seat else decider if cosign else PLAIN
        if sealed:
            # At the cosign stage each holder (and whom they added) seals with its own organisation's seal.
            seal_org = holders[group] if cosign else SEAL_ORG[(stage, n.unit)]
            if seal_org not in self.keyed_orgs:  # the organisation's first seal makes its key
                self.keyed_orgs.add(seal_org)
                expected.append((ORGANIZATION, self.orgs[seal_org].pk, audit_events.SEAL_KEY_CREATED, None))
            expected.append((NOMINATION, n.pk, audit_events.SEAL_CREATED, actor))
            n.seals.append((stage, seal_org))
        if decision == SignOff.Decision.APPROVE:
            if seat is not None and seat[0] == "added":
                mine = n.added[seat[1]]
                mine[2] = "approved"
                befores = [a for a in n.added if a[3] == group and a[0] == "before"]
                if mine[0] == "before" and all(a[2] == "approved" for a in befores):
                    n.waiting.discard(group)  # 前加签 done: the task comes back to the adder
            else:
                n.seated[group] = actor
                for a in n.added:  # 后加签: open once the adder approved
                    if a[3] == group and a[2] == "pending":
                        a[2] = "open"
            if not self._stage_decided(n, group):
                # 会签, or seats added (加签) still to sign: the stage waits; the task stays open.
                expected.append((NOMINATION, n.pk, audit_events.NOMINATION_COSIGNED, actor))
                self._expect_events(expected)
                return
        if decision == SignOff.Decision.APPROVE:
            # Everyone who approved this visit signed the stage (nobody signs the next one after them).
            n.standing[stage] = n.visit_people() | {actor, principal} - {""}
        elif back:
            for rerun in STAGE_KEYS[STAGE_KEYS.index(back) : STAGE_KEYS.index(stage) + 1]:
                n.standing.pop(rerun, None)
        n.seated = {}
        self._leave_task(n)
        index = STAGE_KEYS.index(stage)
        if decision == SignOff.Decision.APPROVE and index + 1 < len(STAGE_KEYS):
            n.stage = STAGE_KEYS[index + 1]
            n.task_id = Nomination.objects.values_list("task_id", flat=True).get(pk=n.pk)
            expected.append((NOMINATION, n.pk, audit_events.NOMINATION_SIGNED_OFF, actor))
        elif back:  # 退回到指定环节: still in review, at the earlier stage, in the same round
            n.stage = back
            n.task_id = Nomination.objects.values_list("task_id", flat=True).get(pk=n.pk)
            expected.append((NOMINATION, n.pk, audit_events.NOMINATION_RETURNED_TO_STAGE, actor))
        elif decision == SignOff.Decision.APPROVE:
            n.status = Status.APPROVED
            expected.append((NOMINATION, n.pk, audit_events.NOMINATION_APPROVED, actor))
        elif decision == SignOff.Decision.RETURN:
            n.status = Status.RETURNED
            expected.append((NOMINATION, n.pk, audit_events.NOMINATION_RETURNED, actor))
        else:
            n.status = Status.REJECTED
            n.seals_when_rejected = len(n.seals)
            expected.append((NOMINATION, n.pk, audit_events.NOMINATION_REJECTED, actor))
        self._expect_events(expected)

    def _stage_decided(self, n: Expected, group: str) -> bool:
        """After an approval in ``group``: is the stage decided? A holder's group (its seat and the
        seats added to it) is approved when all of them are; 或签 needs one group, else every one."""
        cosign = self._cosign(n)

        def done(g: str) -> bool:
            return g in n.seated and all(a[2] == "approved" for a in n.added if a[3] == g)

        if cosign and self.COSIGN_MODE == "any":
            return done(group)
        return all(done(g) for g in (COSIGN_HOLDERS[n.unit] if cosign else [PLAIN]))

    def _seat_for(self, n: Expected, actor: str) -> tuple[str, Any, str] | set[str]:
        """At a visit with seats: the seat ``actor`` decides now, ("added", index, "") or ("holder",
        group, principal), or why they may not. Their own open seat first; none while their own
        seat waits (前加签) or is pending (后加签); then a holder's seat nobody took, in person or as
        a proxy (代签); one decision per person (and per principal) in a visit."""
        people = n.visit_people()
        mine = [i for i, a in enumerate(n.added) if a[1] == actor and a[2] == "open"]
        if mine:
            return ("added", mine[0], "")
        owned = [g for g, owner in n.owners.items() if owner == actor and g not in n.seated]
        if owned and owned[0] not in n.waiting:
            return ("holder", owned[0], "")
        if owned or any(a[1] == actor and a[2] == "pending" for a in n.added):
            return {NOT_OPEN}
        reasons = {UNAUTHORISED}
        if self._cosign(n):
            free = [h for h in COSIGN_HOLDERS[n.unit] if h not in n.owners and h not in n.seated]
            if actor in free:
                return {ALREADY_SIGNED} if actor in people else ("holder", actor, "")
            principal = PRINCIPAL.get(actor, "") if (n.stage, n.unit) in DELEGATED else ""
            if principal in free:
                return {ALREADY_SIGNED} if {actor, principal} & people else ("holder", principal, principal)
            if principal and principal not in n.owners and principal in people:
                reasons.add(ALREADY_SIGNED)
        if actor in people:
            reasons.add(ALREADY_SIGNED)
        return reasons

    @precondition(lambda self: any(n.status == Status.IN_REVIEW for n in self.model.values()))
    @rule(data=st.data())
    def add_a_signer_before(self, data: st.DataObject) -> None:
        """前加签: someone adds a person before themselves."""
        self._add_drawn(data, "before")

    @precondition(lambda self: any(n.status == Status.IN_REVIEW for n in self.model.values()))
    @rule(data=st.data())
    def add_a_signer_after(self, data: st.DataObject) -> None:
        """后加签: someone adds a person after themselves."""
        self._add_drawn(data, "after")

    def _add_drawn(self, data: st.DataObject, position: str) -> None:
        in_review = sorted((n for n in self.model.values() if n.status == Status.IN_REVIEW), key=lambda n: n.pk)
        n = data.draw(st.sampled_from(in_review), label="nomination")
        plausible = sorted(self.signers[(n.stage, n.unit)] | set(n.owners.values()))
        actor = data.draw(st.sampled_from(plausible) | self._actor(set(plausible)), label="actor")
        added = data.draw(st.sampled_from(self._likely_added(n, actor)) | st.sampled_from(ADDABLE), label="added")
        self._add(n, actor, added, position)

    def _likely_added(self, n: Expected, actor: str) -> list[str]:
        """Mostly someone who may be added, so that the seats added get decided."""
        return sorted(READERS[n.unit] - n.authors - n.previous_signers() - {actor} - n.visit_people()) or list(ADDABLE)

    def _add(self, n: Expected, actor: str, added: str, position: str) -> None:
        """``actor`` adds ``added`` before or after themselves at ``n``'s open task (加签)."""
        signers = self.signers[(n.stage, n.unit)]
        cosign = self._cosign(n)
        reasons: set[str] = set()
        group = ""
        if not n.owners and not cosign:
            # A stage of one holder: its holder adds (not a proxy), and after a transfer only the assignee.
            if actor not in signers or (n.assignee is not None and actor != n.assignee):
                reasons.add(UNAUTHORISED)
            group = PLAIN
        else:
            found = self._seat_for(n, actor)
            if isinstance(found, set):
                reasons |= found
            elif found[0] == "added" or found[2]:  # added signers and proxies add nobody
                reasons.add(UNAUTHORISED)
            else:
                group = found[1]
        if actor in n.authors:
            reasons.add(SELF_APPROVAL)
        previous = n.previous_signers() if n.stage not in SAME_SIGNER_ALLOWED else set()
        if actor in previous:
            reasons.add(CONSECUTIVE)
        # Nobody who could not then sign the seat (or would be asked to sign twice) is added.
        seated = set(n.owners.values()) | {a[1] for a in n.added} | n.visit_people()
        free = {h for h in COSIGN_HOLDERS[n.unit] if h not in n.owners and h not in n.seated and h != group}
        if (
            added == actor
            or added not in READERS[n.unit]
            or added in n.authors | previous | seated
            or (cosign and added in free)
        ):
            reasons.add(BAD_ADDED)
        assert n.task_id is not None
        task_id = n.task_id
        ok, _seat = self._attempt(
            f"add_signer {position} at {n.stage}",
            reasons,
            lambda: add_signer(task_id, actor=self.users[actor], user_id=self.users[added].pk, position=position,
                               reason="请协助把关"),
        )  # fmt: skip
        if not ok:
            return
        n.owners.setdefault(group, actor)
        if position == "before":
            n.waiting.add(group)
        n.added.append([position, added, "open" if position == "before" else "pending", group])
        n.version += 1
        self._expect_events([(NOMINATION, n.pk, audit_events.SIGNER_ADDED, actor)])

    @precondition(lambda self: bool(self.decided_tasks))
    @rule(data=st.data(), decision=DECISIONS, opinion=OPINIONS)
    def decide_a_decided_task(self, data: st.DataObject, decision: SignOff.Decision, opinion: str) -> None:
        task_id, pk, stage = data.draw(st.sampled_from(self.decided_tasks), label="task")
        n = self.model[pk]
        signers = self.signers[(stage, n.unit)]
        actor = data.draw(self._actor(signers), label="actor")
        reasons = {TASK_DECIDED}  # and whatever else applies: the order of the checks is the action's
        if actor not in signers:
            reasons.add(UNAUTHORISED)
        if actor in n.authors:
            reasons.add(SELF_APPROVAL)
        if decision != SignOff.Decision.APPROVE and not opinion.strip():
            reasons.add(NO_OPINION)
        self._attempt(
            "sign_off on a decided task",
            reasons,
            lambda: sign_off(task_id, actor=self.users[actor], decision=decision, opinion=opinion),
        )

    @precondition(lambda self: any(n.status == Status.IN_REVIEW for n in self.model.values()))
    @rule(data=st.data())
    def transfer(self, data: st.DataObject) -> None:
        n = data.draw(st.sampled_from([n for n in self.model.values() if n.status == Status.IN_REVIEW]), label="nom")
        signers = self.signers[(n.stage, n.unit)]
        actor = data.draw(self._actor(signers), label="actor")
        receiver = data.draw(self._actor(signers), label="receiver")
        reasons = set()
        if actor not in signers or (n.assignee is not None and actor != n.assignee):
            reasons.add(UNAUTHORISED)
        # 会签, 加签: each holder signs in person
        if receiver not in signers or receiver == actor or self._cosign(n) or n.owners:
            reasons.add(BAD_RECEIVER)
        if receiver in n.authors:
            reasons.add(SELF_APPROVAL)
        assert n.task_id is not None
        task_id, to_user = n.task_id, self.users[receiver].pk
        ok, _result = self._attempt(
            f"transfer_task at {n.stage}",
            reasons,
            lambda: transfer_task(task_id, actor=self.users[actor], to_user_id=to_user, reason="工作调整"),
        )
        if not ok:
            return
        n.assignee = receiver
        n.version += 1
        self._expect_events([(NOMINATION, n.pk, audit_events.TASK_TRANSFERRED, actor)])

    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        # The ones in review first, the furthest along first (a decision forbids it); then the rest.
        order = sorted(
            self.model.values(),
            key=lambda n: (n.status != Status.IN_REVIEW, -STAGE_KEYS.index(n.stage) if n.stage else 0, n.pk),
        )
        n = data.draw(st.sampled_from(order), label="nomination")
        pk = n.pk
        actor = data.draw(self._actor(SUBMITTERS[n.unit]), label="actor")
        reasons = set()
        if actor not in SUBMITTERS[n.unit]:
            reasons.add(UNAUTHORISED)
        if n.status != Status.IN_REVIEW or any(s[0] == n.round for s in n.signoffs):
            reasons.add(NOT_WITHDRAWABLE)
        ok, _result = self._attempt(
            "withdraw_nomination", reasons, lambda: withdraw_nomination(pk, actor=self.users[actor])
        )
        if not ok:
            return
        self._leave_task(n)
        n.status, n.stage = Status.WITHDRAWN, ""
        n.version += 1
        self._expect_events([(NOMINATION, pk, audit_events.NOMINATION_WITHDRAWN, actor)])

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def nominations_are_as_the_model_says(self) -> None:
        rows = Nomination.objects.filter(pk__in=list(self.model)).values(
            "pk", "status", "stage", "version", "round", "title", "form", "created_by_id", "submitted_by_id"
        )
        assert len(rows) == len(self.model)
        for row in rows:
            n = self.model[row["pk"]]
            assert row["status"] in Status.values
            submitter = self.users[n.submitters[n.round]].pk if n.round else None
            assert (row["status"], row["version"], row["round"], row["title"], row["form"]) == (
                n.status, n.version, n.round, n.title, n.form,
            )  # fmt: skip
            assert (row["created_by_id"], row["submitted_by_id"]) == (self.users[n.created_by].pk, submitter)
            if n.status in (Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN):
                assert row["stage"] == n.stage

    @invariant()
    def in_review_exactly_when_an_open_task_and_a_stage(self) -> None:
        open_tasks: dict[int, set[int]] = {}
        for task_id, nomination_id in Task.objects.filter(
            process__data__nomination__in=list(self.model), status__in=OPEN_TASK, flow_task=SignOffFlow.review
        ).values_list("pk", "process__data__nomination"):
            open_tasks.setdefault(int(nomination_id), set()).add(task_id)
        for nomination in Nomination.objects.filter(pk__in=list(self.model)):
            tasks = open_tasks.get(nomination.pk, set())
            in_review = nomination.status == Status.IN_REVIEW
            assert in_review == bool(nomination.task_id in tasks and nomination.stage), nomination.pk
            if in_review:
                assert tasks == {nomination.task_id}, (nomination.pk, tasks)
                assert nomination.stage_org_id is not None
                assert nomination.stage_role
                assert Task.objects.get(pk=nomination.task_id).process_id == nomination.process_id
            else:
                assert not tasks, (nomination.pk, tasks)
                assert nomination.task_id is None, nomination.pk

    @invariant()
    def one_audit_event_per_change(self) -> None:
        got: dict[int, Counter[str]] = {pk: Counter() for pk in self.model}
        for object_id, action in AuditEvent.objects.filter(
            object_type=NOMINATION, object_id__in=[str(pk) for pk in self.model]
        ).values_list("object_id", "action"):
            got[int(object_id)][action] += 1
        assert got == {pk: n.events for pk, n in self.model.items()}
        orgs = {str(org.pk): name for name, org in self.orgs.items()}
        org_events = Counter(
            (orgs[i], a) for i, a in AuditEvent.objects.filter(
                object_type=ORGANIZATION, object_id__in=list(orgs)).values_list("object_id", "action")
        )  # fmt: skip
        assert org_events == Counter((name, str(audit_events.SEAL_KEY_CREATED)) for name in self.keyed_orgs)
        assert not AuditEvent.objects.filter(actor__in=list(self.names)).exclude(object_type=NOMINATION).exists()

    @invariant()
    def authors_are_recorded_as_the_model_says(self) -> None:
        got: dict[int, set[str]] = {pk: set() for pk in self.model}
        for nomination_id, user_id in NominationAuthor.objects.filter(nomination__in=list(self.model)).values_list(
            "nomination_id", "user_id"
        ):
            got[nomination_id].add(self.names[user_id])
        assert got == {pk: n.authors for pk, n in self.model.items()}

    @invariant()
    def seals_verify_and_none_after_a_rejection(self) -> None:
        for nomination in Nomination.objects.filter(pk__in=list(self.model)).select_related("campaign"):
            assert seals.verify_nomination(nomination) == [], nomination.pk
        stored: dict[int, list[tuple[str, str]]] = {pk: [] for pk in self.model}
        org_names = {org.pk: name for name, org in self.orgs.items()}
        for nomination_id, stage, org_id in (
            Seal.objects.filter(nomination__in=list(self.model))
            .order_by("nomination", "sequence")
            .values_list("nomination_id", "stage", "key__org_id")
        ):
            stored[nomination_id].append((stage, org_names[org_id]))
        for pk, n in self.model.items():
            assert stored[pk] == n.seals, pk
            if n.seals_when_rejected is not None:
                assert len(stored[pk]) == n.seals_when_rejected, f"nomination {pk} sealed after its rejection"

    @invariant()
    def audit_trail_verifies(self) -> None:
        report = verify_audit()
        assert report.valid, [p.as_dict() for p in report.problems[:5]]

    @invariant()
    def unit_places_are_never_exceeded(self) -> None:
        for unit in UNITS:
            holding = Nomination.objects.filter(
                campaign=self.campaign, unit=self.orgs[unit], status__in=Nomination.HOLDS_PLACE
            ).count()
            assert holding <= PER_UNIT_MAX, (unit, holding)

    @invariant()
    def sign_offs_follow_the_chain_and_are_kept(self) -> None:
        rows = list(
            SignOff.objects.filter(nomination__in=list(self.model))
            .order_by("id")
            .values_list("id", "nomination_id", "round", "stage", "decision", "opinion", "signer_id", "org_id",
                         "seal_id", "to_stage", "on_behalf_of_id", "task_id", "seat_id")
        )  # fmt: skip
        # Earlier opinions are never lost or changed: what was seen before is still there, as it was.
        now = {row[0]: row[1:] for row in rows}
        for pk, seen in self.seen_signoffs.items():
            assert now.get(pk) == seen, f"sign-off {pk} changed or vanished"
        self.seen_signoffs = now
        # pk → (kind, user, the holder's seat it belongs to, organisation, status, task)
        seats = {
            pk: (kind, user, added_from or pk, org, status, task)
            for pk, kind, user, added_from, org, status, task in StageSeat.objects.filter(
                nomination__in=list(self.model)
            ).values_list("pk", "kind", "user_id", "added_from_id", "org_id", "status", "task_id")
        }
        holder_orgs = {self.orgs[w].pk for h in COSIGN_HOLDERS.values() for w in h.values() if w in self.orgs}
        by_round: dict[tuple[int, int], list[tuple[str, str, str, set[str | None], int, int | None]]] = {}
        for (_id, nomination_id, round_, stage, decision, opinion, signer_id, org_id, seal_id, back, for_id, task,
             seat_id) in rows:  # fmt: skip
            n = self.model[nomination_id]
            signer, principal = self.names.get(signer_id), self.names.get(for_id) if for_id else None
            by_round.setdefault((nomination_id, round_), []).append(
                (stage, decision, back, {signer, principal}, task, seat_id)
            )
            cosign = bool(self.COSIGN_MODE) and stage == COSIGN_STAGE
            holder = principal or signer or ""
            seat = seats.get(seat_id) if seat_id else None
            if seat is not None and seat[0] != StageSeat.Kind.HOLDER:
                # 加签: the person added decides their seat in person, at the organisation of the
                # holder who added them.
                assert (seat[1], principal) == (signer_id, None), (nomination_id, stage, signer)
                assert org_id == seats[seat[2]][3], (nomination_id, stage, org_id)
                assert org_id in holder_orgs if cosign else org_id == self.orgs[SIGNER_ORG[(stage, n.unit)]].pk
            else:
                # Nobody without the stage's role at the stage's organisation signs, nor the author;
                # a proxy never exceeds its principal: it signs only what the principal could.
                if principal is None:
                    assert signer in self.signers[(stage, n.unit)], (nomination_id, stage, signer)
                else:
                    assert PRINCIPAL.get(signer or "") == principal, (nomination_id, stage, signer, principal)
                    assert (stage, n.unit) in DELEGATED, (nomination_id, stage, signer, principal)
                    assert principal in self.signers[(stage, n.unit)], (nomination_id, stage, signer, principal)
                # At the cosign stage each holder signs at its own organisation.
                where = COSIGN_HOLDERS[n.unit][holder] if cosign else SIGNER_ORG[(stage, n.unit)]
                assert org_id == self.orgs[where].pk, (nomination_id, stage, org_id)
            for who in (signer, principal):
                assert who not in (n.created_by, n.submitters[round_]), (nomination_id, stage, who)
            sealed = stage in SEALING and decision == SignOff.Decision.APPROVE
            assert (seal_id is not None) == sealed, (nomination_id, stage, decision)
            assert opinion or decision == SignOff.Decision.APPROVE, (nomination_id, stage, decision)
        current = dict(
            Nomination.objects.filter(pk__in=list(self.model), status=Status.IN_REVIEW).values_list("pk", "task_id")
        )
        live = (StageSeat.Status.OPEN, StageSeat.Status.WAITING, StageSeat.Status.PENDING)
        for key, decided in by_round.items():
            # No stage skipped: each round walks the chain from its first stage, one visit of a stage
            # after the other; an approval moves to the next stage, a return to an earlier stage goes
            # back there (and the stages from it run again), any other decision ends the round.
            # A visit takes one decision, or, with seats (会签 / 或签, 加签), one per seat, by
            # different people, approvals until the one that decides it: every seat approved (会签,
            # and a stage of one holder with the people added to it) or one holder's group (或签),
            # or a return or rejection. No seat of a decided visit is still to sign (an added seat
            # is decided before the stage moves on). One person signs two stages in a row only where
            # the later stage allows it (一肩挑): every approval of the stage before counts.
            at: int | None = 0
            standing: dict[str, set[str | None]] = {}
            visits: list[tuple[int, list[tuple[str, str, str, set[str | None], int, int | None]]]] = []
            for row in decided:
                if visits and visits[-1][0] == row[4]:
                    visits[-1][1].append(row)
                else:
                    visits.append((row[4], [row]))
            for task, visit in visits:
                assert at is not None, (key, decided)
                stage = visit[0][0]
                assert {row[0] for row in visit} == {STAGE_KEYS[at]}, (key, decided)
                people: set[str | None] = set()
                for _stage, _decision, _back, signers, _task, _seat in visit:
                    assert not (people - {None}) & signers, (key, decided)  # one decision per person per visit
                    people |= signers
                    if at > 0:
                        before = standing.get(STAGE_KEYS[at - 1], set()) - {None}
                        assert not before & signers or stage in SAME_SIGNER_ALLOWED, (key, decided)
                assert all(row[1] == SignOff.Decision.APPROVE for row in visit[:-1]), (key, decided)
                seat_ids = [row[5] for row in visit if row[5] is not None]
                assert len(seat_ids) == len(set(seat_ids)), (key, decided)  # each seat decided once
                mine = [seat for seat in seats.values() if seat[5] == task]
                if current.get(key[0]) == task:  # the open visit: approvals that left it waiting
                    assert visit[-1][1] == SignOff.Decision.APPROVE, (key, decided)
                    assert mine, (key, decided)
                    break
                assert not [seat for seat in mine if seat[4] in live], (key, task, mine)
                _stage, decision, back, _signers, _task, last_seat = visit[-1]
                assert mine or len(visit) == 1, (key, decided)
                if mine and decision == SignOff.Decision.APPROVE:
                    roots = {seat[2] for seat in mine}

                    def approved(root: int, mine: list[Any] = mine) -> bool:
                        return all(seat[4] == StageSeat.Status.APPROVED for seat in mine if seat[2] == root)

                    if self.COSIGN_MODE == "any" and stage == COSIGN_STAGE:
                        assert last_seat is not None, (key, decided)
                        assert approved(seats[last_seat][2]), (key, decided)
                    else:
                        assert all(approved(root) for root in roots), (key, decided)
                if decision == SignOff.Decision.APPROVE:
                    standing[stage] = people
                    at = at + 1 if at + 1 < len(STAGE_KEYS) else None
                elif back:
                    assert decision == SignOff.Decision.RETURN, (key, decided)
                    assert STAGE_KEYS.index(back) < at, (key, decided)
                    for rerun in STAGE_KEYS[STAGE_KEYS.index(back) : at + 1]:
                        standing.pop(rerun, None)
                    at = STAGE_KEYS.index(back)
                else:
                    at = None
        for pk, n in self.model.items():
            mine_ = [(r[2], r[3], r[4], r[5], self.names.get(r[6]), r[9], self.names.get(r[10]) if r[10] else "")
                     for r in rows if r[1] == pk]  # fmt: skip
            assert mine_ == n.signoffs, pk

    @invariant()
    def seats_are_as_the_model_says(self) -> None:
        # 加签: the seats added at each open visit, and the holders waiting for a 前加签; no seat
        # is still to sign at a task that is no longer open (decided or withdrawn).
        by_org = {
            self.orgs[where].pk: holder
            for holders in COSIGN_HOLDERS.values()
            for holder, where in holders.items()
            if where in self.orgs
        }
        open_tasks = {n.task_id: n for n in self.model.values() if n.status == Status.IN_REVIEW}
        added: dict[int, list[tuple[str, str, str]]] = {}
        waiting: dict[int, set[str]] = {}
        for kind, user, status, org, task in (
            StageSeat.objects.filter(nomination__in=list(self.model))
            .order_by("task_id", "position")
            .values_list("kind", "user_id", "status", "org_id", "task_id")
        ):
            n = open_tasks.get(task)
            if n is None:
                assert status not in (StageSeat.Status.OPEN, StageSeat.Status.WAITING, StageSeat.Status.PENDING), task
                continue
            if kind != StageSeat.Kind.HOLDER:
                added.setdefault(task, []).append((kind, self.names[user], status))
            elif status == StageSeat.Status.WAITING:
                waiting.setdefault(task, set()).add(by_org[org] if self._cosign(n) else PLAIN)
        for open_task, n in open_tasks.items():
            task = open_task or 0
            assert added.get(task, []) == [(a[0], a[1], a[2]) for a in n.added], n.pk
            assert waiting.get(task, set()) == n.waiting, n.pk


HYPOTHESIS_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.django_db(transaction=True)
def test_random_actions_by_every_role_keep_the_chain_invariants() -> None:
    run_state_machine_as_test(SignOffMachine, settings=HYPOTHESIS_SETTINGS)


class _CosignAllMachine(SignOffMachine):
    COSIGN_MODE = "all"


class _CosignAnyMachine(SignOffMachine):
    COSIGN_MODE = "any"


@pytest.mark.parametrize("machine", [_CosignAllMachine, _CosignAnyMachine], ids=["会签", "或签"])
@pytest.mark.django_db(transaction=True)
def test_random_actions_with_a_cosign_district_stage_keep_the_chain_invariants(machine: type) -> None:
    # The same machine with the district's stage signed by its bureau and its 社工部: one decision
    # per holder and per person in each visit, every seal verifies, no stage skipped.
    run_state_machine_as_test(machine, settings=settings(HYPOTHESIS_SETTINGS, max_examples=12))


class _EveryoneHoldsEveryRole:
    """``accounts.permissions`` as a broken sign-off module would see it: every role everywhere."""

    def __getattr__(self, name: str) -> Any:
        return getattr(permissions, name)

    @staticmethod
    def has_role_at(user: Any, role: Any, org: Any) -> bool:
        return True

    # The role checks sign_offs asks by name (accounts.permissions capabilities).
    @staticmethod
    def can_decide_stage(user: Any, nomination: Any) -> bool:
        return True

    @staticmethod
    def can_nominate_at(user: Any, unit: Any) -> bool:
        return True


@pytest.mark.django_db(transaction=True)
def test_machine_notices_when_sign_off_stops_checking_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: sign_off and withdraw_nomination no longer check the actor's role
    monkeypatch.setattr(sign_offs, "permissions", _EveryoneHoldsEveryRole())

    # when / then: a fixed run (no shrinking) finds an actor who is let through
    with pytest.raises(AssertionError, match="must be refused"):
        run_state_machine_as_test(
            SignOffMachine,
            settings=settings(
                HYPOTHESIS_SETTINGS, phases=[Phase.generate], derandomize=True, report_multiple_bugs=False
            ),
        )
