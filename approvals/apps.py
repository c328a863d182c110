from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "审批与审计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from approvals.refusals import audit_refusal
        from config.refusals import request_refused

        request_refused.connect(audit_refusal, dispatch_uid="approvals.refusals.audit_refusal")
