"""Settings for the product as the Quick start runs it on one machine."""

from .base import *  # noqa: F403
from .base import env

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
