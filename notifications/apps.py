from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "通知"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.signals import password_reset_code_issued
        from notifications import audit_events  # noqa: F401 - registers the audit events this app writes
        from notifications.events import on_password_reset_code_issued

        password_reset_code_issued.connect(on_password_reset_code_issued, dispatch_uid="notifications.reset_code")
