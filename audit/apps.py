from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit import audit_events  # noqa: F401 - registers the audit trail's own events
        from audit.refusals import audit_refusal
        from config.refusals import request_refused

        request_refused.connect(audit_refusal, dispatch_uid="audit.refusals.audit_refusal")
