"""What the API plumbing stores: the first response to a POST sent with an ``Idempotency-Key``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an ``Idempotency-Key`` (api.md, Conventions).

    A key belongs to the signed-in user who sent it, or, for an anonymous caller (the public
    objection form), to the client address it came from: ``user`` is then empty and ``client`` holds
    the address.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    client = models.CharField(max_length=64, blank=True, default="")
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=255)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response: models.JSONField[Any, Any] = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "accounts_idempotencyrecord"  # created by accounts/0001, moved here in state only
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key"),
            models.UniqueConstraint(
                fields=["client", "key"], condition=models.Q(user__isnull=True), name="idempotency_unique_client_key"
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.user_id or self.client}:{self.key}"
