"""The audit models now belong to the audit app (audit/0001): drop them from approvals' state only.

The tables, their triggers and their rows stay. Existing content types follow the models, so
that permissions and admin log entries keep pointing at them.
"""

from django.db import migrations

MODELS = ["auditevent", "auditanchor", "auditanchorhead"]


def move_content_types(apps, schema_editor, old="approvals", new="audit"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model__in=MODELS).exists():
        ContentType.objects.using(db).filter(app_label=old, model__in=MODELS).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="audit", new="approvals")


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0013_merge_audit_actions"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditAnchorHead"),
                migrations.DeleteModel(name="AuditAnchor"),
                migrations.DeleteModel(name="AuditEvent"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back, elidable=True),
    ]
