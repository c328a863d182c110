#!/usr/bin/env python3
"""Verify a nomination's electronic seals offline, without sealflow or its database.

Usage::

    python docs/verify_seals.py export.json                  # keys from the export itself
    python docs/verify_seals.py export.json --keys keys.json  # keys you trust (safer)

``export.json`` is what sealflow's ``approvals.seals.export_chain`` produces::

    {"nomination": 12,
     "seals": [{"sequence": 1, "payload": "<the exact signed JSON text>", "seal_hash": "…",
                "prev_hash": "…", "signature": "<hex>", "key_id": "…", "algorithm": "ed25519"}, …],
     "public_keys": {"<key_id>": {"algorithm": "ed25519", "public_key": "<PEM or 04‖x‖y hex>"}}}

For each seal it checks that the payload is canonical JSON (sorted keys, no spaces, UTF-8 kept)
whose SHA-256 is ``seal_hash``; that it names this nomination; that ``prev_hash`` is the previous
seal's hash (64 zeros for the first) with no sequence number missing; that the key's id is the
first 16 hex digits of SHA-256 over its raw public key and matches the payload; and that the
signature over the payload's UTF-8 bytes verifies (Ed25519, or SM2 with SM3 and the default
user id ``1234567812345678``). It prints one line per seal, OK or FAIL, and exits 1 on any problem.

Which keys to trust: with the export alone, the check proves the chain is intact and was signed
by the keys *listed in the same file*; whoever could rewrite the seals could also replace those
keys. ``--keys keys.json`` (same shape as ``public_keys``: ``{key_id: {algorithm, public_key}}``)
uses only keys you obtained separately (e.g. published by the sealing organisation, or from an
earlier export you kept), so a re-signed chain fails. Prefer it.

Needs Python 3.11+ and ``cryptography``; SM2 seals also need ``gmssl``. This file must stay in
step with ``approvals/seals.py`` (``verify_payload_chain``) and ``audit/hashing.py``
(``canonical_json``); the sealflow test suite checks both.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS_HASH = "0" * 64
SEAL_FORMAT = "sealflow.seal/1"
PAYLOAD_FIELDS = frozenset(
    {
        "format",
        "nomination_id",
        "content_hash",
        "stage",
        "decision",
        "opinion",
        "signer_id",
        "signer_label",
        "org_id",
        "org_name",
        "signed_at",
        "prev_hash",
        "key_id",
        "algorithm",
    }
)

# SM2 curve parameters (GB/T 32918.5).
SM2_P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
SM2_A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
SM2_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)

Problem = tuple[str, int | None, str]  # (kind, sequence, detail)


def canonical_json(value: Any) -> str:
    """One spelling for one value: sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sm2_point(public_key: str) -> str | None:
    """x‖y (128 hex) of an SM2 public key given as 04‖x‖y, if it is a point on the curve."""
    text = public_key.strip().lower()
    if len(text) != 130 or not text.startswith("04"):
        return None
    try:
        x, y = int(text[2:66], 16), int(text[66:], 16)
    except ValueError:
        return None
    if not (x < SM2_P and y < SM2_P) or (y * y - (x * x * x + SM2_A * x + SM2_B)) % SM2_P:
        return None
    return text[2:]


def public_key_bytes(algorithm: str, public_key: str) -> bytes:
    if algorithm == "ed25519":
        loaded = serialization.load_pem_public_key(public_key.encode())
        if not isinstance(loaded, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if algorithm == "sm2":
        point = sm2_point(public_key)
        if point is None:
            raise ValueError("not an SM2 public key")
        return bytes.fromhex("04" + point)
    raise ValueError(f"unknown algorithm {algorithm!r}")


def key_fingerprint(algorithm: str, public_key: str) -> str:
    return hashlib.sha256(public_key_bytes(algorithm, public_key)).hexdigest()[:16]


def signature_valid(algorithm: str, public_key: str, message: bytes, signature: str) -> bool:
    try:
        if algorithm == "ed25519":
            loaded = serialization.load_pem_public_key(public_key.encode())
            if not isinstance(loaded, Ed25519PublicKey):
                return False
            loaded.verify(bytes.fromhex(signature), message)
            return True
        if algorithm == "sm2":
            from gmssl import sm2  # type: ignore[import-untyped]

            point = sm2_point(public_key)
            if point is None or len(signature) != 128:
                return False
            r, s = int(signature[:64], 16), int(signature[64:], 16)
            if not (0 < r < SM2_N and 0 < s < SM2_N):
                return False
            crypt = sm2.CryptSM2(private_key="", public_key=point)
            crypt.public_key = point  # gmssl's lstrip("04") would damage an x starting with 0 or 4
            return bool(crypt.verify_with_sm3(signature.lower(), message))
    except (InvalidSignature, ValueError, TypeError, IndexError):
        return False
    return False


def parse_payload(text: str) -> tuple[dict[str, Any] | None, str]:
    try:
        value = json.loads(text)
    except ValueError:
        return None, "payload is not JSON"
    if not isinstance(value, dict):
        return None, "payload is not an object"
    if canonical_json(value) != text:
        return None, "payload is not in canonical form"
    if set(value) != PAYLOAD_FIELDS or value.get("format") != SEAL_FORMAT:
        return None, "payload fields differ from " + SEAL_FORMAT
    return value, ""


def sequence_of(seal: dict[str, Any]) -> int:
    sequence = seal.get("sequence")
    return sequence if isinstance(sequence, int) else 0


def verify_chain(
    seals: list[dict[str, Any]], public_keys: dict[str, tuple[str, str]], nomination_id: int | None
) -> list[Problem]:
    """Every problem of the chain; the same checks as sealflow's ``verify_payload_chain``."""
    problems: list[Problem] = []
    expected_sequence, expected_prev = 1, GENESIS_HASH
    for seal in sorted(seals, key=sequence_of):
        sequence = seal.get("sequence")
        if not isinstance(sequence, int):
            problems.append(("missing_seal", None, "seal without a sequence number"))
            continue
        if sequence > expected_sequence:
            problems.extend(
                ("missing_seal", missing, "no seal with this sequence number")
                for missing in range(expected_sequence, sequence)
            )
        elif sequence < expected_sequence:
            problems.append(("broken_link", sequence, "sequence number used twice"))
        text = str(seal.get("payload", ""))
        message = text.encode()
        payload, why = parse_payload(text)
        if payload is None:
            problems.append(("payload_altered", sequence, why))
        if hashlib.sha256(message).hexdigest() != seal.get("seal_hash"):
            problems.append(("hash_mismatch", sequence, "seal_hash is not SHA-256 of payload"))
        signed_prev = payload["prev_hash"] if payload is not None else seal.get("prev_hash")
        if seal.get("prev_hash") != expected_prev or signed_prev != expected_prev:
            detail = f"prev_hash does not match seal #{sequence - 1}" if sequence > 1 else "first seal is not GENESIS"
            problems.append(("broken_link", sequence, detail))
        if payload is not None and nomination_id is not None and payload["nomination_id"] != nomination_id:
            problems.append(("wrong_nomination", sequence, f"payload is for nomination {payload['nomination_id']}"))
        key_id, algorithm = seal.get("key_id"), seal.get("algorithm")
        known = public_keys.get(str(key_id))
        if known is None:
            problems.append(("key_mismatch", sequence, f"unknown key {key_id}"))
        else:
            key_algorithm, public_key = known
            try:
                fingerprint_ok = key_fingerprint(key_algorithm, public_key) == key_id
            except ValueError:
                fingerprint_ok = False
            if not fingerprint_ok:
                problems.append(("key_mismatch", sequence, f"key {key_id} is not its public key"))
            elif key_algorithm != algorithm or (
                payload is not None and (payload["key_id"] != key_id or payload["algorithm"] != key_algorithm)
            ):
                problems.append(("key_mismatch", sequence, "payload names another key"))
            if not signature_valid(key_algorithm, public_key, message, str(seal.get("signature", ""))):
                problems.append(("bad_signature", sequence, f"signature does not verify ({key_id})"))
        expected_sequence = max(expected_sequence, sequence + 1)
        expected_prev = str(seal.get("seal_hash"))
    return problems


def load_keys(raw: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {str(key_id): (str(k["algorithm"]), str(k["public_key"])) for key_id, k in raw.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an exported sealflow seal chain offline.")
    parser.add_argument("export", help="the JSON file from export_chain")
    parser.add_argument("--keys", help="JSON {key_id: {algorithm, public_key}} of keys you trust (safer)")
    args = parser.parse_args(argv)
    with open(args.export, encoding="utf-8") as f:
        export = json.load(f)
    if args.keys:
        with open(args.keys, encoding="utf-8") as f:
            keys = load_keys(json.load(f))
        source = "trusted keys from " + args.keys
    else:
        keys = load_keys(export.get("public_keys") or {})
        source = "keys listed in the export itself (use --keys to trust keys you hold)"
    seals = export.get("seals") or []
    nomination_id = export.get("nomination")
    problems = verify_chain(seals, keys, nomination_id if isinstance(nomination_id, int) else None)
    out = sys.stdout
    out.write(f"nomination {nomination_id}: {len(seals)} seal(s); {source}\n")
    by_sequence: dict[int | None, list[Problem]] = {}
    for problem in problems:
        by_sequence.setdefault(problem[1], []).append(problem)
    listed: set[int] = {s["sequence"] for s in seals if isinstance(s.get("sequence"), int)}
    reported = {sequence for sequence in by_sequence if sequence is not None}
    for sequence in sorted(listed | reported):
        found = by_sequence.get(sequence, [])
        if not found:
            out.write(f"seal #{sequence} OK\n")
        for kind, _sequence, detail in found:
            out.write(f"seal #{sequence} FAIL {kind}: {detail}\n")
    for kind, _sequence, detail in by_sequence.get(None, []):
        out.write(f"FAIL {kind}: {detail}\n")
    if problems:
        out.write(f"校验失败：发现 {len(problems)} 个问题\n")
        return 1
    out.write(f"校验通过：{len(seals)} 枚印章完整有效\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
