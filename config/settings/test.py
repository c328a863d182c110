"""Settings for the test suite: same PostgreSQL engine and broker as production, fast hasher."""

from config import embedded

# The suite starts (or attaches to) the embedded servers itself when no server is configured.
embedded.bootstrap_env()

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# No background publishing from the test process; the worker tests turn it on.
SEALFLOW_OUTBOX_NUDGE = env.bool("SEALFLOW_OUTBOX_NUDGE", default=False)
SEALFLOW_CASEBOOK_BACKGROUND = env.bool("SEALFLOW_CASEBOOK_BACKGROUND", default=False)
# Each test run gets its own cache namespace so that lockout counters never leak between runs.
for _cache in CACHES.values():  # noqa: F405
    _cache["KEY_PREFIX"] = env("SEALFLOW_CACHE_PREFIX", default="sealflow-test")
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
