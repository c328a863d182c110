"""Public likes: exact counts under concurrency, one phone however spelled, code guessing limited,
the window (409), the limits (429), voiding with a reason, results into the round's RoundResult."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from config.errors import InvalidInput
from judging.models import Round, RoundResult
from notifications.models import OutboxMessage
from tests.voting.conftest import code_for, make_vote_scene, open_window
from voting import actions, selectors
from voting.exceptions import AlreadyVoted, TooManyRequests, VoteLimit, VotingClosed, VotingNotOpen, WrongCode
from voting.models import SmsCode, Vote, VotingWindow

pytestmark = pytest.mark.django_db


def phone(i: int) -> str:
    return f"139{i:08d}"


# --- exact under concurrency ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_100_concurrent_votes_are_counted_exactly(tree, submitter):
    scene = make_vote_scene(tree, submitter, entries=4)
    open_window(scene, per_day=4)
    entries = [e.pk for e in scene.entries]
    # 100 distinct votes (50 phones × 2 entries), each raced by a duplicate of itself.
    ballots = [(phone(i), entries[(i + k) % 4]) for i in range(50) for k in range(2)]
    codes = {p: code_for(p) for p in {p for p, _e in ballots}}
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def voter(mine):
        barrier.wait()
        try:
            for number, entry in mine:
                try:
                    actions.cast_vote(entry, phone=number, code=codes[number], address="10.1.0.1")
                    result = "ok"
                except AlreadyVoted:
                    result = "again"
                with lock:
                    outcomes.append(result)
        finally:
            connection.close()

    # thread t casts ballots t, t+50 and repeats ballot (t+25) % 100: every ballot is raced by a duplicate
    plan = [[ballots[t], ballots[t + 50], ballots[(t + 25) % 100]] for t in range(50)]
    threads = [threading.Thread(target=voter, args=(mine,)) for mine in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("ok") == 100
    assert outcomes.count("again") == 50
    assert Vote.objects.count() == 100
    window = VotingWindow.objects.get()
    expected = {e: sum(1 for _p, x in ballots if x == e) for e in entries}
    assert actions.counts(window) == expected
    assert sum(s.votes for s in selectors.standings(window)) == 100


@pytest.mark.django_db(transaction=True)
def test_one_phone_racing_itself_never_passes_its_daily_limit(tree, submitter):
    scene = make_vote_scene(tree, submitter, entries=10)
    open_window(scene, per_day=3)
    code = code_for("13700000001")
    outcomes: list[str] = []
    barrier = threading.Barrier(10)

    def voter(entry):
        barrier.wait()
        try:
            actions.cast_vote(entry, phone="13700000001", code=code)
            outcomes.append("ok")
        except VoteLimit:
            outcomes.append("limit")
        finally:
            connection.close()

    threads = [threading.Thread(target=voter, args=(e.pk,)) for e in scene.entries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["limit"] * 7 + ["ok"] * 3
    assert Vote.objects.filter(phone="13700000001").count() == 3


# --- one phone, however spelled ---------------------------------------------------------------

SPELLINGS = ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "１３８１２３４５６７８", "(+86)138.1234.5678"]


def test_one_phone_spelled_five_ways_counts_as_one(scene):
    open_window(scene, per_day=2)
    first, second, third = (e.pk for e in scene.entries[:3])
    code = code_for(SPELLINGS[0])

    actions.cast_vote(first, phone=SPELLINGS[1], code=code)
    with pytest.raises(AlreadyVoted):
        actions.cast_vote(first, phone=SPELLINGS[2], code=code)
    actions.cast_vote(second, phone=SPELLINGS[3], code=code)
    with pytest.raises(VoteLimit):
        actions.cast_vote(third, phone=SPELLINGS[4], code=code)

    assert set(Vote.objects.values_list("phone", flat=True)) == {"13812345678"}
    assert Vote.objects.count() == 2


def test_code_limits_count_every_spelling_of_a_phone(scene, settings):
    settings.SEALFLOW_VOTE_CODE_RATE_PER_PHONE = "4/h"
    for spelling in SPELLINGS[:4]:
        actions.send_vote_code(spelling)
    with pytest.raises(TooManyRequests):
        actions.send_vote_code(SPELLINGS[4])
    assert set(SmsCode.objects.values_list("phone", flat=True)) == {"13812345678"}


def test_a_number_that_is_no_mobile_is_refused(scene):
    with pytest.raises(InvalidInput) as refused:
        actions.send_vote_code("021-6123 4567")
    assert "phone" in refused.value.errors


def test_the_code_is_stored_hashed_and_a_new_one_kills_the_old(scene):
    open_window(scene)
    old = code_for("13600000000")
    new = code_for("13600000000")
    assert not SmsCode.objects.filter(code_hash__in=[old, new]).exists()
    if old != new:
        with pytest.raises(WrongCode):
            actions.cast_vote(scene.entries[0].pk, phone="13600000000", code=old)
    actions.cast_vote(scene.entries[0].pk, phone="13600000000", code=new)


# --- code guessing --------------------------------------------------------------------------


def test_code_guessing_is_limited_then_the_code_is_dead(scene):
    open_window(scene)
    code = code_for("13500000000")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(actions.MAX_CODE_ATTEMPTS):
        with pytest.raises(WrongCode):
            actions.cast_vote(scene.entries[0].pk, phone="13500000000", code=wrong)
    assert SmsCode.objects.get().attempts == actions.MAX_CODE_ATTEMPTS
    with pytest.raises(WrongCode):  # the right code, too late
        actions.cast_vote(scene.entries[0].pk, phone="13500000000", code=code)
    assert not Vote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_wrong_guess_is_counted_even_though_the_vote_is_refused(tree, submitter):
    scene = make_vote_scene(tree, submitter)
    open_window(scene)
    code = code_for("13500000001")
    with pytest.raises(WrongCode):
        actions.cast_vote(scene.entries[0].pk, phone="13500000001", code="x" + code[1:])
    assert SmsCode.objects.get().attempts == 1


def test_an_expired_code_is_refused(scene):
    open_window(scene)
    code = code_for("13500000002")
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(WrongCode):
        actions.cast_vote(scene.entries[0].pk, phone="13500000002", code=code)


# --- the window and the limits ---------------------------------------------------------------


def test_outside_the_window_is_409(scene, api):
    window = open_window(scene, starts=timedelta(hours=1))
    code = code_for("13400000000")
    body = {"nomination": scene.entries[0].pk, "phone": "13400000000", "code": code}

    early = api.post("/api/v1/public/votes", body, format="json")
    assert early.status_code == 409
    assert early.json()["code"] == "voting_not_open"

    now = timezone.now()
    VotingWindow.objects.filter(pk=window.pk).update(
        starts_at=now - timedelta(days=8), ends_at=now - timedelta(days=1)
    )
    late = api.post("/api/v1/public/votes", body, format="json")
    assert late.status_code == 409
    assert late.json()["code"] == "voting_closed"
    assert not Vote.objects.exists()
    assert SmsCode.objects.get().attempts == 0  # the window is checked before a guess is spent


def test_over_the_daily_limit_is_429_and_a_wrong_code_is_400(scene, api):
    open_window(scene, per_day=1)
    code = code_for("13300000000")
    first = {"nomination": scene.entries[0].pk, "phone": "13300000000", "code": code}
    assert api.post("/api/v1/public/votes", first, format="json").status_code == 201
    over = api.post("/api/v1/public/votes", {**first, "nomination": scene.entries[1].pk}, format="json")
    assert over.status_code == 429
    assert over.json()["code"] == "vote_limit"
    wrong = api.post("/api/v1/public/votes", {**first, "code": "000000" if code != "000000" else "111111"},
                     format="json")  # fmt: skip
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "wrong_code"
    assert Vote.objects.count() == 1


def test_over_the_address_limit_is_429(scene, api, settings):
    settings.SEALFLOW_VOTE_RATE_PER_ADDRESS = "2/h"
    settings.SEALFLOW_VOTE_CODE_RATE_PER_ADDRESS = "3/h"
    open_window(scene, per_day=5)
    for i in range(3):
        assert api.post("/api/v1/public/votes/code", {"phone": phone(i)}, format="json").status_code == 200
    refused = api.post("/api/v1/public/votes/code", {"phone": phone(3)}, format="json")
    assert refused.status_code == 429
    codes = {
        m.recipients["contacts"][0]["phone"]: m.payload["code"] for m in OutboxMessage.objects.filter(kind="vote_code")
    }
    bodies = [{"nomination": scene.entries[i].pk, "phone": phone(i), "code": codes[phone(i)]} for i in range(3)]
    statuses = [api.post("/api/v1/public/votes", body, format="json").status_code for body in bodies]
    assert statuses == [201, 201, 429]
    assert Vote.objects.count() == 2


# --- voiding, anomalies, results ------------------------------------------------------------


def _votes(scene, window, ballots):
    for number, index, address in ballots:
        actions.cast_vote(scene.entries[index].pk, phone=number, code=code_for(number), address=address)


def test_void_with_a_recorded_reason_leaves_the_votes_out(scene):
    window = open_window(scene, per_day=3)
    _votes(scene, window, [(phone(i), 0, "10.9.9.9") for i in range(12)] + [(phone(50), 1, "10.0.0.2")])

    report = selectors.anomaly_report(window, burst=10)
    assert report["total"] == 13
    assert [a["address"] for a in report["addresses"]] == ["10.9.9.9"]
    assert report["addresses"][0]["votes"] == 12
    assert [p["prefix"] for p in report["phone_prefixes"]] == ["1390000"]
    assert any(m["burst"] for m in report["per_minute"])

    with pytest.raises(InvalidInput):
        actions.void_votes(window.pk, actor=scene.committee, reason=" ", where=actions.VoteFilter(address="10.9.9.9"))
    voided = actions.void_votes(
        window.pk, actor=scene.committee, reason="同一地址一分钟内12票", where=actions.VoteFilter(address="10.9.9.9")
    )
    assert len(voided) == 12
    assert set(Vote.objects.filter(voided=True).values_list("void_reason", "voided_by")) == {
        ("同一地址一分钟内12票", scene.committee.pk)
    }
    event = AuditEvent.objects.get(action="voting.votes_voided")
    assert event.data["reason"] == "同一地址一分钟内12票"
    assert sorted(event.data["votes"]) == sorted(voided)
    assert actions.counts(window)[scene.entries[0].pk] == 0
    assert actions.counts(window)[scene.entries[1].pk] == 1


def test_results_by_votes_feed_the_round_results_with_ties(scene):
    window = open_window(scene, per_day=4)
    e = scene.entries
    _votes(scene, window, [(phone(1), 0, ""), (phone(2), 0, ""), (phone(3), 0, ""), (phone(1), 1, ""),
                           (phone(2), 2, ""), (phone(4), 3, "")])  # fmt: skip
    actions.void_votes(window.pk, actor=scene.committee, reason="测试作废", ids=list(
        Vote.objects.filter(nomination=e[3]).values_list("pk", flat=True)))  # fmt: skip

    with pytest.raises(VotingNotOpen):  # not before the end
        actions.close_voting(window.pk, actor=scene.committee)
    VotingWindow.objects.filter(pk=window.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    actions.close_voting(window.pk, actor=scene.committee)

    results = {r.nomination_id: r for r in RoundResult.objects.filter(round__key="likes")}
    assert {pk: (int(r.score), r.rank, r.tied) for pk, r in results.items()} == {
        e[0].pk: (3, 1, False),
        e[1].pk: (1, 2, True),
        e[2].pk: (1, 2, True),
        e[3].pk: (0, 4, False),
    }
    assert Round.objects.get(key="likes").status == "closed"
    with pytest.raises(VotingClosed):
        actions.close_voting(window.pk, actor=scene.committee)
    with pytest.raises(VotingClosed):
        actions.void_votes(window.pk, actor=scene.committee, reason="晚了", ids=[1])
