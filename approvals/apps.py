from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "审批"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from approvals import audit_events  # noqa: F401 - registers the audit events this app writes
        from approvals.demo import add_demo_entrant_list, add_demo_templates
        from workflows.demo import demo_campaign_drafted, demo_loaded

        demo_loaded.connect(add_demo_templates, dispatch_uid="approvals.demo")
        demo_campaign_drafted.connect(add_demo_entrant_list, dispatch_uid="approvals.demo_entrants")
