from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("专家评审")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from judging import audit_events  # noqa: F401 - registers the audit events
