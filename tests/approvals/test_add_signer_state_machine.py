"""加签 under a Hypothesis state machine: random people add signers before or after themselves and
decide, at a sealing district stage, through the real actions on PostgreSQL.

A small model, written here independently of the actions, predicts each outcome: who holds a
seat, which seats are open, waiting (前加签: the signer waits for the person added) or pending
(后加签: the person added waits for the signer's approval), and when the stage is decided (every
seat approved, or a return or rejection by anyone). A refusal must give a reason that applies and
change nothing. Invariants after every step: the seats are as the model says, one decision per
person per visit of the stage, no stage completed while a seat is still to sign, seals verify.
"""

from __future__ import annotations

import itertools
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import Organization
from accounts.roles import OrgKind, Role
from approvals import audit_events, seals
from approvals.actions import add_signer, create_nomination, sign_off, submit_nomination
from approvals.exceptions import AlreadySignedStage, OpinionRequired, SeatNotOpenYet
from approvals.models import Nomination, SignOff, StageSeat
from audit.models import AuditEvent
from config.errors import InvalidInput, NotPermitted, NotVisible, SealflowError
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import OrganizationFactory, user_with_role

STAGE = "district_review"
HOLDERS = ("chief", "colleague", "expert")  # district reviewers: each may decide the stage alone
PEOPLE = (*HOLDERS, "committee", "outsider", "sub")
_EXAMPLES = itertools.count(1)


@dataclass
class Seat:
    kind: str
    user: str
    status: str
    added_from: int | None = None  # index in the model's seat list


@dataclass
class Expected:
    pk: int
    task_id: int
    at_stage: bool = True
    seats: list[Seat] = field(default_factory=list)
    signed: list[str] = field(default_factory=list)  # who decided at this visit, in order
    adds: int = 0


def _refused_as(error: SealflowError, reasons: set[str]) -> bool:
    checks = {
        "unauthorised": isinstance(error, NotPermitted | NotVisible),
        "already_signed": isinstance(error, AlreadySignedStage),
        "not_open_yet": isinstance(error, SeatNotOpenYet),
        "no_opinion": isinstance(error, OpinionRequired),
        "bad_position": isinstance(error, InvalidInput) and error.code == "invalid_position",
        "bad_reason": isinstance(error, InvalidInput) and error.code == "add_signer_reason_required",
        "bad_added": isinstance(error, InvalidInput) and error.code == "invalid_added_signer",
    }
    return any(checks[reason] for reason in reasons)


class AddSignerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        prefix = f"A{next(_EXAMPLES)}-{uuid.uuid4().hex[:8]}"

        def org(key: str, name: str, kind: OrgKind, parent: Organization | None) -> Organization:
            return OrganizationFactory.create(name=f"{name}{prefix}", code=f"{prefix}-{key}", kind=kind, parent=parent)

        city = org("city", "市民政局", OrgKind.CITY, None)
        committee = org("cmt", "组委会", OrgKind.COMMITTEE, city)
        district = org("pd", "浦东新区民政局", OrgKind.DISTRICT, city)
        unit = org("u", "陆家嘴中心", OrgKind.UNIT, org("t", "陆家嘴街道", OrgKind.TOWNSHIP, district))
        other = org("hp", "黄浦区民政局", OrgKind.DISTRICT, city)
        where = {"chief": (Role.DISTRICT_REVIEWER, district), "colleague": (Role.DISTRICT_REVIEWER, district),
                 "expert": (Role.DISTRICT_REVIEWER, district), "committee": (Role.COMMITTEE, committee),
                 "outsider": (Role.DISTRICT_REVIEWER, other), "sub": (Role.SUBMITTER, unit),
                 "leader": (Role.UNIT_LEADER, unit)}  # fmt: skip
        self.users = {name: user_with_role(r, o, username=f"{prefix}-{name}") for name, (r, o) in where.items()}
        self.names = {user.pk: name for name, user in self.users.items()}
        self.unit = unit
        self.campaign = make_campaign(committee, per_unit_max=100)
        self.model: dict[int, Expected] = {}
        self.key_dir = tempfile.TemporaryDirectory()
        self.override = override_settings(SEALFLOW_SEAL_KEY_FILE=str(Path(self.key_dir.name) / "seal-master.key"))
        self.override.enable()

    def teardown(self) -> None:
        self.override.disable()
        self.key_dir.cleanup()

    @initialize(count=st.integers(min_value=1, max_value=2))
    def at_the_district(self, count: int) -> None:
        for _ in range(count):
            self._arrive()

    @rule()
    def another_arrives(self) -> None:
        """A further nomination reaches the district's stage (so that a run never runs dry)."""
        self._arrive()

    def _arrive(self) -> None:
        n = create_nomination(actor=self.users["sub"], campaign=self.campaign, unit=self.unit, kind="case",
                              title=f"加签案例{len(self.model)}", form=valid_case_form())  # fmt: skip
        n = submit_nomination(n.pk, actor=self.users["sub"])
        assert n.task_id is not None
        sign_off(n.task_id, actor=self.users["leader"], decision="approve", opinion="同意")
        n.refresh_from_db()
        assert n.task_id is not None
        self.model[n.pk] = Expected(n.pk, n.task_id)

    def _open(self) -> list[Expected]:
        return [n for n in self.model.values() if n.at_stage]

    def _attempt(self, what: str, reasons: set[str], call: Any) -> bool:
        before = (SignOff.objects.count(), StageSeat.objects.count(), AuditEvent.objects.count())
        error: SealflowError | None = None
        try:
            call()
        except SealflowError as refusal:
            error = refusal
        if error is not None:
            assert reasons, f"{what} was refused ({error.code}) although it is allowed"
            assert _refused_as(error, reasons), f"{what} refused with {error.code}, expected one of {sorted(reasons)}"
            assert (SignOff.objects.count(), StageSeat.objects.count(), AuditEvent.objects.count()) == before
            return False
        assert not reasons, f"{what} succeeded although it must be refused: {sorted(reasons)}"
        return True

    def _authority(self, n: Expected, actor: str) -> tuple[int | None, set[str]]:
        """The seat ``actor`` acts from (index; -1: the stage's one holder seat, not yet made), or why not."""
        if not n.seats:
            if actor in HOLDERS:
                return -1, set()
            return None, {"unauthorised"}
        mine = [i for i, s in enumerate(n.seats) if s.user == actor and s.status == "open"]
        if mine:
            return mine[0], set()
        if actor in n.signed:
            return None, {"already_signed"}
        if actor == "outsider":
            return None, {"unauthorised"}
        if any(s.user == actor and s.status in ("waiting", "pending") for s in n.seats):
            return None, {"not_open_yet"}
        return None, {"unauthorised"}

    @precondition(lambda self: bool(self._open()))
    @rule(data=st.data(), position=st.sampled_from(["before", "after", "after", "middle"]),
          reason=st.sampled_from(["请专家把关", "", "请复核"]))  # fmt: skip
    def add(self, data: st.DataObject, position: str, reason: str) -> None:
        n = data.draw(st.sampled_from(self._open()), label="nomination")
        actor = data.draw(st.sampled_from(HOLDERS) | st.sampled_from(PEOPLE), label="actor")
        added = data.draw(st.sampled_from(PEOPLE), label="added")
        seat, reasons = self._authority(n, actor)
        if seat is not None and seat >= 0 and n.seats[seat].kind != "holder":
            reasons.add("unauthorised")
        if position not in ("before", "after"):
            reasons.add("bad_position")
        if not reason:
            reasons.add("bad_reason")
        if added in (actor, "outsider", "sub") or added in n.signed or any(s.user == added for s in n.seats):
            reasons.add("bad_added")
        ok = self._attempt(f"add_signer {position}", reasons, lambda: add_signer(
            n.task_id, actor=self.users[actor], user_id=self.users[added].pk, position=position, reason=reason,
        ))  # fmt: skip
        if not ok:
            return
        if seat == -1:
            n.seats.append(Seat("holder", actor, "open"))
            seat = 0
        assert seat is not None
        n.seats[seat].user = actor
        if position == "before":
            n.seats[seat].status = "waiting"
        n.seats.append(Seat(position, added, "open" if position == "before" else "pending", seat))
        n.adds += 1

    @precondition(lambda self: bool(self._open()))
    @rule(data=st.data(), decision=st.sampled_from(["approve", "approve", "return", "reject"]),
          opinion=st.sampled_from(["同意", "", "请补充数据"]))  # fmt: skip
    def decide(self, data: st.DataObject, decision: str, opinion: str) -> None:
        n = data.draw(st.sampled_from(self._open()), label="nomination")
        candidates = [s.user for s in n.seats if s.status == "open"] or list(HOLDERS)
        actor = data.draw(st.sampled_from(candidates) | st.sampled_from(PEOPLE), label="actor")
        seat, reasons = self._authority(n, actor)
        if decision != "approve" and not opinion:
            reasons.add("no_opinion")
        ok = self._attempt(f"sign_off {decision}", reasons, lambda: sign_off(
            n.task_id, actor=self.users[actor], decision=decision, opinion=opinion,
        ))  # fmt: skip
        if not ok:
            return
        n.signed.append(actor)
        if seat == -1:  # a stage of one holder, nobody added: decided at once
            n.at_stage = False
            return
        assert seat is not None
        me = n.seats[seat]
        me.status = {"approve": "approved", "return": "returned", "reject": "rejected"}[decision]
        if decision == "approve":
            if me.kind == "before":
                befores = [s for s in n.seats if s.added_from == me.added_from and s.kind == "before"]
                adder = n.seats[me.added_from] if me.added_from is not None else None
                if adder is not None and adder.status == "waiting" and all(s.status == "approved" for s in befores):
                    adder.status = "open"
            elif me.kind == "holder":
                for s in n.seats:
                    if s.added_from == seat and s.status == "pending":
                        s.status = "open"
        decided = decision != "approve" or all(s.status == "approved" for s in n.seats)
        if decided:
            for s in n.seats:
                if s.status in ("open", "waiting", "pending"):
                    s.status = "cancelled"
            n.at_stage = False

    @invariant()
    def seats_and_stage_are_as_the_model_says(self) -> None:
        for n in self.model.values():
            rows = list(
                StageSeat.objects.filter(task_id=n.task_id)
                .order_by("position")
                .values_list("kind", "user_id", "status")
            )
            assert rows == [(s.kind, self.users[s.user].pk, s.status) for s in n.seats], n.pk
            nomination = Nomination.objects.get(pk=n.pk)
            # No stage completed while a seat is still to sign, and none held open once decided.
            assert (nomination.task_id == n.task_id and nomination.stage == STAGE) == n.at_stage, n.pk

    @invariant()
    def one_decision_per_person_per_visit_and_seals_verify(self) -> None:
        for n in self.model.values():
            decided = list(
                SignOff.objects.filter(task_id=n.task_id)
                .order_by("id")
                .values_list("signer_id", "decision", "seal_id")
            )
            assert [self.names[signer] for signer, _d, _s in decided] == n.signed, n.pk
            assert len(set(n.signed)) == len(n.signed), n.pk
            assert all((seal is not None) == (d == "approve") for _signer, d, seal in decided), n.pk
            assert seals.verify_nomination(Nomination.objects.get(pk=n.pk)) == [], n.pk
            events = AuditEvent.objects.filter(object_id=str(n.pk), action=audit_events.SIGNER_ADDED).count()
            assert events == n.adds, n.pk


@pytest.mark.django_db(transaction=True)
def test_random_additions_and_decisions_keep_the_add_signer_invariants() -> None:
    run_state_machine_as_test(
        AddSignerMachine,
        settings=settings(max_examples=10, stateful_step_count=15, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )  # fmt: skip
