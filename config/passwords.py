"""The password hasher: Argon2id with the parameters OWASP recommends (19 MiB, 2 passes, 1 lane).

Django's own Argon2PasswordHasher uses 100 MiB and 8 lanes: measured here it costs as much CPU
per login as PBKDF2 at 1,000,000 iterations (~0.26 s, bench/README.md), which is what saturates
two cores on a deadline morning. With 19 MiB, t=2, p=1 (OWASP Password Storage Cheat Sheet,
first Argon2id configuration; memory-hard, so a GPU guesses no faster) a login costs about a
fifth. Same algorithm name as Django's, so a hash made with other parameters (Django's) is
checked and rehashed with these at its next login, as a PBKDF2 hash is.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
