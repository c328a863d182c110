from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "评选活动"
    default_auto_field = "django.db.models.BigAutoField"
