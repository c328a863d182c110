from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("奖项")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from approvals import hooks
        from awards import audit_events  # noqa: F401 - registers the audit events
        from awards import hooks as award_hooks

        hooks.register_publicity_labeller(award_hooks.publicity_labels)
        hooks.register_publicity_tier_reader(award_hooks.publicity_tiers)
        hooks.nomination_revoked.connect(award_hooks.on_nomination_revoked, dispatch_uid="awards.revoked")
        from workflows.signals import intake_closed

        intake_closed.connect(award_hooks.on_intake_closed, dispatch_uid="awards.intake_closed")
