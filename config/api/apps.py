from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The API's own plumbing that keeps state: the idempotency records (``config.api.idempotency``)."""

    name = "config.api"
    label = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"
