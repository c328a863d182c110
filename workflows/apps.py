from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "评选活动"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from workflows import audit_events  # noqa: F401 - registers the audit events this app writes
