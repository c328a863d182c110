"""The audit tables move from approvals to audit in Django's state only.

approvals' migrations created them (0001), made them append-only (0002) and let their action
column's choices grow (0003, 0010, 0011, 0013); the tables, constraints, indexes and triggers stay
as they are, under their approvals_* names. approvals/0014 removes them from approvals' state.
The action column has no choices here: event names are declared in code (audit/registry.py).
"""

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("approvals", "0013_merge_audit_actions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField()),
                ("last_event_id", models.BigIntegerField()),
                ("head_count", models.PositiveIntegerField()),
                ("prev_digest", models.CharField(max_length=64)),
                ("digest", models.CharField(max_length=64)),
                ("signature", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "审计锚点",
                "verbose_name_plural": "审计锚点",
                "db_table": "approvals_auditanchor",
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="AuditAnchorHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("object_type", models.CharField(max_length=64)),
                ("object_id", models.CharField(max_length=64)),
                ("seq", models.PositiveIntegerField()),
                ("hash", models.CharField(max_length=64)),
                (
                    "anchor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="heads", to="audit.auditanchor"
                    ),
                ),
            ],
            options={
                "db_table": "approvals_auditanchorhead",
                "ordering": ["id"],
                "indexes": [models.Index(fields=["object_type", "object_id", "seq"], name="anchorhead_object_idx")],
            },
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("occurred_at", models.DateTimeField(verbose_name="时间")),
                ("action", models.CharField(max_length=64, verbose_name="操作")),
                ("actor_label", models.CharField(max_length=200, verbose_name="操作人")),
                ("object_type", models.CharField(max_length=64, verbose_name="对象类型")),
                ("object_id", models.CharField(max_length=64, verbose_name="对象编号")),
                ("seq", models.PositiveIntegerField()),
                (
                    "data",
                    models.JSONField(
                        default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name="内容"
                    ),
                ),
                ("request_id", models.CharField(blank=True, default="", max_length=64)),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64)),
                (
                    "actor",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="操作人",
                    ),
                ),
            ],
            options={
                "verbose_name": "审计事件",
                "verbose_name_plural": "审计事件",
                "db_table": "approvals_auditevent",
                "ordering": ["id"],
                "indexes": [
                    models.Index(fields=["actor", "id"], name="audit_actor_idx"),
                    models.Index(fields=["action", "id"], name="audit_action_idx"),
                    models.Index(fields=["occurred_at"], name="audit_time_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("object_type", "object_id", "seq"), name="audit_chain_unique_seq")
                ],
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[])]
