from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "审批与审计"
    default_auto_field = "django.db.models.BigAutoField"
