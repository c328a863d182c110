"""Logins per second with Argon2id (now) vs PBKDF2 (before): the password hash decides a login.

Each login is a real web login (``POST /login/`` through the whole middleware stack, django-axes,
the session and the audit event), in this process with Django's test client, for a user whose
password is hashed with the hasher under test; ``PASSWORD_HASHERS`` is set so that nothing is
rehashed in between. Reported side by side from one run: logins/s of one client (wall clock)
and CPU seconds per login (process time, all threads: what saturates the cores on a deadline
morning, where the throughput is about cores / CPU per login).
"""

from __future__ import annotations

import time

from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django.utils.timezone import now

from accounts.models import User
from bench.timing import row

PASSWORD = "Bench-Login-2026"  # noqa: S105 - a benchmark account in the benchmark's own database
HASHERS = {
    "PBKDF2": "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # before: Django's default
    "Argon2id": "config.passwords.Argon2idPasswordHasher",  # now: 19 MiB, t=2, p=1
    "Django-Argon2id": "django.contrib.auth.hashers.Argon2PasswordHasher",  # 100 MiB, t=2, p=8
}


def _measure(name: str, logins: int) -> tuple[float, float, str]:
    """(logins/s, CPU s per login, the stored hash's algorithm) for a user hashed with ``name``."""
    with override_settings(PASSWORD_HASHERS=[HASHERS[name]], AXES_ENABLED=False):
        username = f"bench_login_{name.lower()}"
        User.objects.filter(username=username).delete()
        user = User.objects.create(username=username, password=make_password(PASSWORD), password_changed_at=now())
        client = Client(REMOTE_ADDR="10.9.9.9", SERVER_NAME="localhost")
        body = {"username": username, "password": PASSWORD}
        first = client.post("/login/", body)
        assert first.status_code == 302, f"the benchmark login failed: {first.status_code} {first.content[:300]!r}"
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(logins):
            client.logout()
            response = client.post("/login/", body)
            assert response.status_code == 302
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        user.refresh_from_db()
        return logins / wall, cpu / logins, user.password.split("$", 1)[0]


def login_ratios(*, logins: int) -> dict[str, dict[str, object]]:
    rate, cpu = {}, {}
    for name in HASHERS:
        rate[name], cpu[name], algorithm = _measure(name, logins)
        assert algorithm == ("pbkdf2_sha256" if name == "PBKDF2" else "argon2"), (name, algorithm)
    ratio = rate["Argon2id"] / rate["PBKDF2"]
    cpu_ratio = cpu["PBKDF2"] / cpu["Argon2id"]
    default_ratio = cpu["PBKDF2"] / cpu["Django-Argon2id"]
    return {
        "web logins/s, Argon2id / PBKDF2 (1 client)": row(
            ratio, ">= 2.0", ratio >= 2.0, f"{rate['Argon2id']:.1f} vs {rate['PBKDF2']:.1f} logins/s, {logins} each"
        ),
        "CPU per web login, PBKDF2 / Argon2id": row(
            cpu_ratio,
            ">= 2.0",
            cpu_ratio >= 2.0,
            f"{cpu['PBKDF2'] * 1000:.0f} vs {cpu['Argon2id'] * 1000:.0f} ms of CPU per login",
        ),
        "CPU per web login, PBKDF2 / Django's Argon2 defaults": row(
            default_ratio,
            "report",
            True,
            f"{cpu['PBKDF2'] * 1000:.0f} vs {cpu['Django-Argon2id'] * 1000:.0f} ms (100 MiB, t=2, p=8)",
        ),
    }
