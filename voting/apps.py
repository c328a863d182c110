from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("网络点赞")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from voting import audit_events  # noqa: F401 - registers the audit events
