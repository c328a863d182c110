from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与组织"
    default_auto_field = "django.db.models.BigAutoField"
