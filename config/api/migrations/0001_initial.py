"""The idempotency record moves from accounts to config.api in Django's state only.

accounts/0001 created the table; it keeps its name, constraint and index. accounts/0002 removes the
model from accounts' state.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=255)),
                        ("endpoint", models.CharField(max_length=255)),
                        ("body_hash", models.CharField(max_length=64)),
                        ("status_code", models.PositiveSmallIntegerField(null=True)),
                        ("response", models.JSONField(null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_idempotencyrecord",
                        "indexes": [models.Index(fields=["created_at"], name="idempotency_created_idx")],
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "key"), name="idempotency_unique_user_key")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
