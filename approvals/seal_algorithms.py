"""The seal algorithms: key pairs, signatures and fingerprints (no database, no key custody).

Ed25519 (``cryptography``) by default; SM2 with SM3 (GB/T 32918, GB/T 35276; ``gmssl``) for
GB/T 38540-style deployments, with every nonce drawn from ``secrets``. ``approvals.seal_keys``
makes and keeps the keys; ``approvals.seals`` signs and verifies with them.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from approvals.models import SealKey

ED25519 = SealKey.Algorithm.ED25519.value
SM2 = SealKey.Algorithm.SM2.value

# SM2 curve parameters (GB/T 32918.5), as gmssl spells them.
_SM2_P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
_SM2_A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
_SM2_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
_SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


def _sm2(private_hex: str, point_hex: str) -> Any:
    from gmssl import sm2  # type: ignore[import-untyped]

    crypt = sm2.CryptSM2(private_key=private_hex, public_key=point_hex)
    # gmssl strips a leading "04" with str.lstrip("04"), which also eats an x that starts with 0 or 4.
    crypt.public_key = point_hex
    return crypt


def _sm2_point(public_key: str) -> str | None:
    """x‖y (128 hex) of an SM2 public key given as 04‖x‖y, if it is a point on the curve."""
    text = public_key.strip().lower()
    if len(text) != 130 or not text.startswith("04"):
        return None
    try:
        x, y = int(text[2:66], 16), int(text[66:], 16)
    except ValueError:
        return None
    if not (x < _SM2_P and y < _SM2_P) or (y * y - (x * x * x + _SM2_A * x + _SM2_B)) % _SM2_P:
        return None
    return text[2:]


def generate_key_pair(algorithm: str) -> tuple[bytes, str]:
    """A new key pair: (raw private key bytes, public key text)."""
    if algorithm == ED25519:
        private = Ed25519PrivateKey.generate()
        raw = private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        public = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return raw, public.decode()
    if algorithm == SM2:
        d = secrets.randbelow(_SM2_N - 2) + 1  # 1 ≤ d ≤ n-2
        private_hex = f"{d:064x}"
        crypt = _sm2(private_hex, "")
        point = crypt._kg(d, crypt.ecc_table["g"])  # d·G; gmssl has no public key-generation function
        return bytes.fromhex(private_hex), "04" + point
    raise ValueError(f"unknown seal algorithm {algorithm!r}")


def public_key_bytes(algorithm: str, public_key: str) -> bytes:
    """The raw public key: Ed25519's 32 bytes, or SM2's uncompressed point 04‖x‖y (65 bytes)."""
    if algorithm == ED25519:
        loaded = serialization.load_pem_public_key(public_key.encode())
        if not isinstance(loaded, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if algorithm == SM2:
        point = _sm2_point(public_key)
        if point is None:
            raise ValueError("not an SM2 public key (04‖x‖y on the curve)")
        return bytes.fromhex("04" + point)
    raise ValueError(f"unknown seal algorithm {algorithm!r}")


def key_fingerprint(algorithm: str, public_key: str) -> str:
    """A key's id: the first 16 hex digits of SHA-256 over its raw public key bytes."""
    return hashlib.sha256(public_key_bytes(algorithm, public_key)).hexdigest()[:16]


def sign(algorithm: str, raw_private: bytes, public_key: str, message: bytes) -> str:
    """The signature as hex: Ed25519's 64 bytes, or SM2-with-SM3's r‖s (32 + 32 bytes)."""
    if algorithm == ED25519:
        return Ed25519PrivateKey.from_private_bytes(raw_private).sign(message).hex()
    if algorithm == SM2:
        point = _sm2_point(public_key)
        assert point is not None, "stored SM2 public key is not on the curve"
        crypt = _sm2(raw_private.hex(), point)
        while True:
            # Never gmssl's default nonce (random.choice): k from secrets, 1 ≤ k ≤ n-1.
            nonce = f"{secrets.randbelow(_SM2_N - 1) + 1:064x}"
            signature = crypt.sign_with_sm3(message, nonce)
            if signature:  # None when r = 0, r + k = n or s = 0: draw another nonce
                return str(signature)
    raise ValueError(f"unknown seal algorithm {algorithm!r}")


def signature_valid(algorithm: str, public_key: str, message: bytes, signature: str) -> bool:
    try:
        if algorithm == ED25519:
            loaded = serialization.load_pem_public_key(public_key.encode())
            if not isinstance(loaded, Ed25519PublicKey):
                return False
            loaded.verify(bytes.fromhex(signature), message)
            return True
        if algorithm == SM2:
            point = _sm2_point(public_key)
            if point is None or len(signature) != 128:
                return False
            r, s = int(signature[:64], 16), int(signature[64:], 16)
            if not (0 < r < _SM2_N and 0 < s < _SM2_N):
                return False
            return bool(_sm2("", point).verify_with_sm3(signature.lower(), message))
    except (InvalidSignature, ValueError, TypeError, IndexError):
        return False
    return False
