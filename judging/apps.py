from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("专家评审")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from judging import audit_events  # noqa: F401 - registers the audit events
        from judging.demo import add_judge_profiles
        from workflows.demo import demo_loaded

        demo_loaded.connect(add_judge_profiles, dispatch_uid="judging.demo")
