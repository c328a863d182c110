"""Electronic seals: keys at rest, the seal chain, every kind of tampering found, offline verification."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from accounts.models import Organization, User
from accounts.roles import Role
from approvals import seal_algorithms, seal_keys, seals
from approvals.actions import create_nomination, submit_nomination
from approvals.models import Nomination, Seal, SealKey
from approvals.sealing import nomination_content_hash
from audit import hashing
from audit.models import AuditEvent
from audit.trail import record_events
from config.errors import NotPermitted
from tests.campaigns import make_campaign, valid_case_form
from tests.factories import OrganizationFactory, user_with_role

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_seals.py"
MASTER_KEY = "test-master-key-0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(autouse=True)
def master_key(settings, tmp_path):
    """A master key from the setting; the key file (dev mode) lives in tmp, never in .sealflow/."""
    settings.SEALFLOW_SEAL_KEY_ENCRYPTION_KEY = MASTER_KEY
    settings.SEALFLOW_SEAL_KEY_FILE = str(tmp_path / "keys" / "seal-master.key")
    return settings


@pytest.fixture
def nomination(tree, submitter) -> Nomination:
    campaign = make_campaign(tree.committee)
    draft = create_nomination(
        actor=submitter, campaign=campaign, unit=tree.unit, kind="case", title="助老服务案例", form=valid_case_form()
    )
    return submit_nomination(draft.pk, actor=submitter)


@pytest.fixture
def committee_member(tree) -> User:
    return user_with_role(Role.COMMITTEE, tree.committee, username="cmt")


def seal(
    nomination: Nomination,
    org: Organization,
    signer: User,
    *,
    opinion: str = "同意推荐",
    stage: str = "district_review",
) -> Seal:
    """What the sign-off action does: lock the nomination, seal and audit it in the same transaction."""
    with transaction.atomic():
        locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
        created = seals.create_seal(
            locked,
            stage=stage,
            decision="approve",
            opinion=opinion,
            signer=signer,
            org=org,
            content_hash=locked.content_hash,
        )
        record_events([seals.seal_event(created)], actor=signer, target=locked)
        return created


@pytest.fixture
def chain(nomination, tree, district_reviewer, committee_member) -> list[Seal]:
    return [
        seal(nomination, tree.district, district_reviewer, opinion="同意推荐"),
        seal(nomination, tree.district, district_reviewer, opinion="复核：材料齐全，同意推荐"),
        seal(nomination, tree.committee, committee_member, opinion="同意", stage="committee_review"),
    ]


@contextlib.contextmanager
def triggers_disabled() -> Iterator[None]:
    """What a database superuser can do: switch off the append-only trigger on seals."""
    table = Seal._meta.db_table
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of this (test) transaction must fire before ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def tamper(sql: str, params: list[Any]) -> None:
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def kinds_at(problems: list[seals.SealProblem], sequence: int) -> set[str]:
    return {p.kind for p in problems if p.sequence == sequence}


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_seals_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    # -I: isolated, so the script cannot lean on the project (no cwd on sys.path, no PYTHON* env).
    return subprocess.run(  # noqa: S603
        [sys.executable, "-I", str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False
    )


# --- keys ---------------------------------------------------------------------------------


def test_first_key_is_made_once_per_org_and_audited(tree):
    with transaction.atomic():
        first = seal_keys.ensure_key(tree.district)
        again = seal_keys.ensure_key(tree.district)
        other = seal_keys.ensure_key(tree.committee)

    assert first.pk == again.pk
    assert other.pk != first.pk
    assert first.algorithm == "ed25519"
    assert first.key_id == seal_algorithms.key_fingerprint("ed25519", first.public_key)
    assert len(first.key_id) == 16
    events = AuditEvent.objects.filter(action="seal_key.created", object_id=str(tree.district.pk))
    assert [e.data["key_id"] for e in events] == [first.key_id]
    assert events[0].data["public_key"] == first.public_key


@pytest.mark.django_db(transaction=True)
def test_ensure_key_outside_a_transaction_is_refused(tree):
    with pytest.raises(AssertionError, match="inside the caller's transaction"):
        seal_keys.ensure_key(tree.district)


@pytest.mark.django_db(transaction=True)
def test_two_processes_making_the_first_key_end_with_one(tree):
    barrier = threading.Barrier(2)
    key_ids: list[str] = []
    errors: list[BaseException] = []

    def make() -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                key_ids.append(seal_keys.ensure_key(tree.district).key_id)
                time.sleep(0.3)  # hold the transaction open while the other one looks
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=make) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(key_ids) == 2
    assert key_ids[0] == key_ids[1]
    assert SealKey.objects.filter(org=tree.district).count() == 1
    assert AuditEvent.objects.filter(action="seal_key.created").count() == 1


def test_private_key_is_encrypted_at_rest(tree):
    with transaction.atomic():
        key = seal_keys.ensure_key(tree.district)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT private_key_encrypted FROM {SealKey._meta.db_table} WHERE id = %s", [key.pk])  # noqa: S608
        stored = bytes(cursor.fetchone()[0])

    raw = seal_keys.decrypt_private_key(stored, algorithm=key.algorithm, key_id=key.key_id)

    assert len(raw) == 32
    assert raw not in stored
    assert raw.hex().encode() not in stored
    public = Ed25519PrivateKey.from_private_bytes(raw).public_key()
    assert public.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    ) == seal_algorithms.public_key_bytes("ed25519", key.public_key)
    # Another row's algorithm/key id (the authenticated data) does not decrypt it either.
    with pytest.raises(seal_keys.SealKeyError):
        seal_keys.decrypt_private_key(stored, algorithm=key.algorithm, key_id="0" * 16)


def test_wrong_master_key_fails_to_decrypt_with_a_clear_error(tree, settings):
    with transaction.atomic():
        key = seal_keys.ensure_key(tree.district)
    settings.SEALFLOW_SEAL_KEY_ENCRYPTION_KEY = "another-master-key-0123456789abcdefghijklmnop"

    with pytest.raises(seal_keys.SealKeyError, match="主密钥") as info:
        seal_keys.decrypt_private_key(key.private_key_encrypted, algorithm=key.algorithm, key_id=key.key_id)
    assert key.key_id in str(info.value)


def test_short_master_key_is_refused(settings):
    settings.SEALFLOW_SEAL_KEY_ENCRYPTION_KEY = "short"

    with pytest.raises(seal_keys.SealKeyError, match="太短"):
        seal_keys.encrypt_private_key(b"x" * 32, algorithm="ed25519", key_id="0" * 16)


def test_without_the_setting_a_0600_key_file_is_made_once(settings, tmp_path):
    settings.SEALFLOW_SEAL_KEY_ENCRYPTION_KEY = ""
    path = Path(settings.SEALFLOW_SEAL_KEY_FILE)
    assert not path.exists()

    blob = seal_keys.encrypt_private_key(b"k" * 32, algorithm="ed25519", key_id="a" * 16)
    master = path.read_bytes()

    assert len(master) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert seal_keys.decrypt_private_key(blob, algorithm="ed25519", key_id="a" * 16) == b"k" * 32
    assert path.read_bytes() == master
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind

    os.chmod(path, 0o644)
    with pytest.raises(seal_keys.SealKeyError, match="权限过宽"):
        seal_keys.decrypt_private_key(blob, algorithm="ed25519", key_id="a" * 16)


def test_rotation_keeps_old_seals_valid_and_new_seals_use_the_new_key(nomination, tree, district_reviewer):
    old_seal = seal(nomination, tree.district, district_reviewer)
    admin = user_with_role(Role.SECURITY_ADMIN, tree.district, username="sec_pd")

    new_key = seal_keys.rotate_key(tree.district, actor=admin)
    new_seal = seal(nomination, tree.district, district_reviewer, opinion="复核同意")

    old_key = SealKey.objects.get(pk=old_seal.key_id)
    assert old_key.retired_at is not None
    assert new_key.retired_at is None
    assert new_key.key_id != old_key.key_id
    assert new_seal.key_id == new_key.pk
    assert SealKey.objects.filter(org=tree.district, retired_at__isnull=True).get() == new_key
    assert seals.verify_seal_chain(nomination, current_content_hash=nomination.content_hash) == []
    exported = seals.export_chain(nomination)
    assert set(exported["public_keys"]) == {old_key.key_id, new_key.key_id}
    event = AuditEvent.objects.get(action="seal_key.rotated")
    assert event.actor == admin
    assert event.data["retired_key_id"] == old_key.key_id
    assert event.data["key_id"] == new_key.key_id


def test_only_a_security_admin_of_the_org_may_rotate(tree, district_reviewer):
    other_admin = user_with_role(Role.SECURITY_ADMIN, tree.other_district, username="sec_hp")

    for actor in (district_reviewer, other_admin):
        with pytest.raises(NotPermitted):
            seal_keys.rotate_key(tree.district, actor=actor)

    assert not SealKey.objects.exists()


# --- sealing and the chain ----------------------------------------------------------------


def test_three_seals_form_a_chain_that_verifies(nomination, chain, district_reviewer):
    first, second, third = chain

    assert [s.sequence for s in chain] == [1, 2, 3]
    assert first.prev_hash == hashing.GENESIS_HASH
    assert second.prev_hash == first.seal_hash
    assert third.prev_hash == second.seal_hash
    payload = json.loads(second.payload)
    assert payload["opinion"] == "复核：材料齐全，同意推荐"
    assert payload["content_hash"] == nomination.content_hash
    assert payload["signer_id"] == district_reviewer.pk
    assert payload["signer_label"] == district_reviewer.label
    assert payload["org_name"] == "浦东新区民政局"
    assert payload["prev_hash"] == first.seal_hash
    assert payload["key_id"] == first.key.key_id
    assert payload["signed_at"].endswith("+00:00")
    assert len(payload["signed_at"]) == len("2026-01-01T00:00:00.000000+00:00")
    assert second.payload == hashing.canonical_json(payload)
    assert third.key.org_id != first.key.org_id
    events = AuditEvent.objects.filter(action="seal.created", object_id=str(nomination.pk)).order_by("seq")
    assert [(e.data["sequence"], e.data["seal_hash"]) for e in events] == [(s.sequence, s.seal_hash) for s in chain]
    assert seals.verify_seal_chain(nomination, current_content_hash=nomination.content_hash) == []
    assert seals.verify_nomination(nomination) == []


@pytest.mark.django_db(transaction=True)
def test_create_seal_outside_a_transaction_is_refused(nomination, tree, district_reviewer):
    with pytest.raises(AssertionError, match="inside the sign-off's transaction"):
        seals.create_seal(
            nomination,
            stage="district_review",
            decision="approve",
            opinion="同意",
            signer=district_reviewer,
            org=tree.district,
            content_hash=nomination.content_hash,
        )


def test_seals_are_append_only_for_the_app(chain):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Seal.objects.filter(pk=chain[0].pk).update(payload="{}")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Seal.objects.filter(pk=chain[0].pk).delete()


def test_changed_opinion_is_found_at_its_seal(nomination, chain):
    tamper(
        f"UPDATE {Seal._meta.db_table} SET payload = replace(payload, %s, %s) WHERE id = %s",  # noqa: S608
        ["复核：材料齐全，同意推荐", "复核：材料不全，不同意", chain[1].pk],
    )

    problems = seals.verify_seal_chain(nomination, current_content_hash=None)

    assert {"hash_mismatch", "bad_signature"} <= kinds_at(problems, 2)
    assert kinds_at(problems, 1) == set()
    assert kinds_at(problems, 3) == set()


def test_changed_opinion_with_its_hash_recomputed_is_still_found(nomination, chain):
    payload = json.loads(chain[1].payload)
    payload["opinion"] = "不同意"
    text = hashing.canonical_json(payload)
    tamper(
        f"UPDATE {Seal._meta.db_table} SET payload = %s, seal_hash = %s WHERE id = %s",  # noqa: S608
        [text, hashlib.sha256(text.encode()).hexdigest(), chain[1].pk],
    )

    problems = seals.verify_seal_chain(nomination, current_content_hash=None)

    assert {"bad_signature", "hash_mismatch"} <= kinds_at(problems, 2)  # hash: against the audit trail
    assert "broken_link" in kinds_at(problems, 3)


def test_non_canonical_payload_is_reported_as_altered(nomination, chain):
    tamper(
        f"UPDATE {Seal._meta.db_table} SET payload = payload || ' ' WHERE id = %s",  # noqa: S608
        [chain[0].pk],
    )

    assert "payload_altered" in kinds_at(seals.verify_seal_chain(nomination, current_content_hash=None), 1)


def test_swapped_seals_break_the_chain(nomination, chain):
    table = Seal._meta.db_table
    tamper(f"UPDATE {table} SET sequence = 99 WHERE id = %s", [chain[1].pk])  # noqa: S608
    tamper(f"UPDATE {table} SET sequence = 2 WHERE id = %s", [chain[2].pk])  # noqa: S608
    tamper(f"UPDATE {table} SET sequence = 3 WHERE id = %s", [chain[1].pk])  # noqa: S608

    problems = seals.verify_seal_chain(nomination, current_content_hash=None)

    assert "broken_link" in kinds_at(problems, 2)
    assert "broken_link" in kinds_at(problems, 3)
    assert kinds_at(problems, 1) == set()


def test_deleted_middle_seal_is_missing(nomination, chain):
    tamper(f"DELETE FROM {Seal._meta.db_table} WHERE id = %s", [chain[1].pk])  # noqa: S608

    problems = seals.verify_seal_chain(nomination, current_content_hash=None)

    assert "missing_seal" in kinds_at(problems, 2)
    assert "broken_link" in kinds_at(problems, 3)


def test_deleted_last_seal_is_found_through_the_audit_trail(nomination, chain):
    tamper(f"DELETE FROM {Seal._meta.db_table} WHERE id = %s", [chain[2].pk])  # noqa: S608

    problems = seals.verify_seal_chain(nomination, current_content_hash=None)

    assert [(p.kind, p.sequence) for p in problems] == [("missing_seal", 3)]


def test_seal_copied_from_another_nomination_is_found(nomination, chain, tree, submitter, district_reviewer):
    other = submit_nomination(
        create_nomination(
            actor=submitter,
            campaign=nomination.campaign,
            unit=tree.unit,
            kind="case",
            title="另一个案例",
            form=valid_case_form(),
        ).pk,
        actor=submitter,
    )
    exported = seals.export_chain(nomination)
    keys = {k: (v["algorithm"], v["public_key"]) for k, v in exported["public_keys"].items()}

    problems = seals.verify_payload_chain(exported["seals"], keys, nomination_id=other.pk)

    assert {p.kind for p in problems} == {"wrong_nomination"}


def test_content_changed_after_sealing_is_found(nomination, chain):
    Nomination.objects.filter(pk=nomination.pk).update(form={**nomination.form, "summary": "篡改后的案例简介内容。"})
    nomination.refresh_from_db()

    problems = seals.verify_seal_chain(nomination, current_content_hash=nomination_content_hash(nomination))

    assert [(p.kind, p.sequence) for p in problems] == [("content_changed_since_seal", 3)]
    assert [(p.kind, p.sequence) for p in seals.verify_nomination(nomination)] == [("content_changed_since_seal", 3)]


def test_content_of_an_editable_nomination_is_not_held_to_its_last_seal(nomination, chain):
    Nomination.objects.filter(pk=nomination.pk).update(
        status=Nomination.Status.RETURNED, form={**nomination.form, "summary": "退回后修改的案例简介。"}
    )
    nomination.refresh_from_db()

    assert seals.content_hash_to_check(nomination) is None
    assert seals.verify_nomination(nomination) == []


# --- SM2 ----------------------------------------------------------------------------------


def sm2_org(tree) -> Organization:
    org = OrganizationFactory.create(name="国密区民政局", code="T-SM2", kind="district", parent=tree.city)
    with transaction.atomic():
        seal_keys.ensure_key(org, algorithm="sm2")
    return org


def test_sm2_seals_round_trip(nomination, tree, district_reviewer):
    org = sm2_org(tree)
    first = seal(nomination, org, district_reviewer)
    second = seal(nomination, org, district_reviewer, opinion="同意")

    assert first.algorithm == second.algorithm == "sm2"
    assert first.key.public_key.startswith("04")
    assert len(first.key.public_key) == 130
    assert len(first.signature) == 128
    assert seals.verify_seal_chain(nomination, current_content_hash=nomination.content_hash) == []
    # Bit-flip in s: refused.
    forged = first.signature[:-1] + ("0" if first.signature[-1] != "0" else "1")
    assert not seal_algorithms.signature_valid("sm2", first.key.public_key, first.payload.encode(), forged)
    tamper(f"UPDATE {Seal._meta.db_table} SET signature = %s WHERE id = %s", [forged, first.pk])  # noqa: S608
    assert kinds_at(seals.verify_seal_chain(nomination, current_content_hash=None), 1) == {"bad_signature"}


def test_sm2_nonces_are_fresh_and_keys_whose_x_starts_with_0_or_4_work():
    message = "盖章".encode()
    # gmssl would damage such a key with lstrip("04"); about one key in eight is one.
    for _ in range(200):
        raw, public_key = seal_algorithms.generate_key_pair("sm2")
        if public_key[2] in "04":
            break
    else:
        pytest.fail("no SM2 key with x starting with 0 or 4 in 200 tries")

    one = seal_algorithms.sign("sm2", raw, public_key, message)
    two = seal_algorithms.sign("sm2", raw, public_key, message)

    assert one != two  # a fresh nonce each time (a repeated nonce would leak the private key)
    assert seal_algorithms.signature_valid("sm2", public_key, message, one)
    assert seal_algorithms.signature_valid("sm2", public_key, message, two)
    assert not seal_algorithms.signature_valid("sm2", public_key, "改过".encode(), one)


# --- export and the offline verifier ------------------------------------------------------


def test_script_canonical_json_matches_the_project():
    script = load_script()
    tricky = {
        "名称": '陆家嘴\u2028中心「社区」"引号" \\ /',
        "nested": {"z": [1.5, 0.1, -0.0, 1e-07, 1e21, 10**20], "a": {"b": None, "a": True}},
        "emoji": "😀",
        "空": {},
        "list": [None, False, "", 0],
    }

    assert script.canonical_json(tricky).encode() == hashing.canonical_json(tricky).encode()


def test_script_and_project_find_the_same_problems(nomination, chain):
    script = load_script()
    exported = seals.export_chain(nomination)
    keys = {k: (v["algorithm"], v["public_key"]) for k, v in exported["public_keys"].items()}
    altered = json.loads(json.dumps(exported["seals"]))
    altered[1]["payload"] = altered[1]["payload"].replace("同意推荐", "不同意")
    altered[2]["sequence"] = 5
    altered[0]["signature"] = altered[2]["signature"]

    malformed = [{**altered[0], "sequence": "1"}, {"payload": 42}, *exported["seals"][1:]]
    for case in (exported["seals"], altered, altered[1:], [altered[2], altered[0]], malformed):
        ours = [
            (p.kind, p.sequence, p.detail) for p in seals.verify_payload_chain(case, keys, nomination_id=nomination.pk)
        ]
        theirs = script.verify_chain(case, keys, nomination.pk)
        assert ours == theirs


def test_exported_chain_verifies_offline_and_an_edit_fails(nomination, tree, district_reviewer, tmp_path):
    seal(nomination, tree.district, district_reviewer)
    seal(nomination, sm2_org(tree), district_reviewer, opinion="同意（国密印章）", stage="committee_review")
    exported = seals.export_chain(nomination)
    assert {k["algorithm"] for k in exported["public_keys"].values()} == {"ed25519", "sm2"}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")

    ok = run_script(str(path))

    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "seal #1 OK" in ok.stdout
    assert "seal #2 OK" in ok.stdout

    exported["seals"][1]["payload"] = exported["seals"][1]["payload"].replace("同意（国密印章）", "不同意")
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    failed = run_script(str(path))

    assert failed.returncode == 1
    assert "seal #1 OK" in failed.stdout
    assert "seal #2 FAIL hash_mismatch" in failed.stdout
    assert "seal #2 FAIL bad_signature" in failed.stdout


def test_offline_verifier_with_trusted_keys_refuses_a_re_signed_chain(nomination, tree, district_reviewer, tmp_path):
    seal(nomination, tree.district, district_reviewer)
    genuine = seals.export_chain(nomination)
    trusted = tmp_path / "keys.json"
    trusted.write_text(json.dumps(genuine["public_keys"]), encoding="utf-8")
    # An attacker with the database re-signs the seal with a key of their own and lists that key.
    forger = Ed25519PrivateKey.generate()
    forged_pem = (
        forger.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    forged_id = seal_algorithms.key_fingerprint("ed25519", forged_pem)
    payload = json.loads(genuine["seals"][0]["payload"])
    payload.update(opinion="不同意", key_id=forged_id)
    text = hashing.canonical_json(payload)
    forged = {
        "nomination": genuine["nomination"],
        "seals": [
            {
                **genuine["seals"][0],
                "payload": text,
                "seal_hash": hashlib.sha256(text.encode()).hexdigest(),
                "signature": forger.sign(text.encode()).hex(),
                "key_id": forged_id,
            }
        ],
        "public_keys": {forged_id: {"algorithm": "ed25519", "public_key": forged_pem}},
    }
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")

    assert run_script(str(path)).returncode == 0  # self-consistent: why the export's own keys prove little
    with_trusted = run_script(str(path), "--keys", str(trusted))
    assert with_trusted.returncode == 1
    assert "key_mismatch" in with_trusted.stdout

    genuine_path = tmp_path / "genuine.json"
    genuine_path.write_text(json.dumps(genuine, ensure_ascii=False), encoding="utf-8")
    assert run_script(str(genuine_path), "--keys", str(trusted)).returncode == 0


# --- the management command ---------------------------------------------------------------


def test_verify_seals_command_passes_on_intact_chains(chain, capsys):
    call_command("verify_seals")

    assert "1 sealed nomination(s): valid" in capsys.readouterr().out


def test_verify_seals_command_names_the_tampered_nomination(nomination, chain, capsys):
    tamper(
        f"UPDATE {Seal._meta.db_table} SET payload = replace(payload, %s, %s) WHERE id = %s",  # noqa: S608
        ["同意推荐", "不同意", chain[0].pk],
    )

    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_seals")

    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert f"PROBLEM hash_mismatch nomination={nomination.pk} seal=1" in out
    assert f"PROBLEM bad_signature nomination={nomination.pk} seal=1" in out


def test_verify_seals_command_finds_a_nomination_whose_seals_were_all_removed(nomination, chain, capsys):
    tamper(f"DELETE FROM {Seal._meta.db_table} WHERE nomination_id = %s", [nomination.pk])  # noqa: S608

    with pytest.raises(SystemExit):
        call_command("verify_seals")

    assert f"PROBLEM missing_seal nomination={nomination.pk} seal=1" in capsys.readouterr().out
