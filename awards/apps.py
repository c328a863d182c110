from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("奖项")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from awards import audit_events  # noqa: F401 - registers the audit events
