"""Settings for the product as the Quick start runs it on one machine."""

from .base import *  # noqa: F403

# Email: base.py writes each message to a file under .sealflow/mail unless SMTP is configured.
