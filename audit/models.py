"""The audit trail's tables: events (hash-chained per object), anchors and their heads.

All three are append-only (a trigger refuses UPDATE and DELETE, approvals/migrations/0002). They
were created by approvals' migrations and keep their table names (audit/migrations/0001).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.labels import object_label, readable_data
from audit.registry import label_of


class AuditEvent(models.Model):
    """Append-only record of who did what to which object, written in the action's transaction.

    A database trigger refuses UPDATE and DELETE; ``hash`` chains the events of one object
    (``object_type``, ``object_id``) in ``seq`` order (audit/hashing.py).
    """

    occurred_at = models.DateTimeField(_("时间"))
    # A dotted name declared in some app's audit_events.py (audit/registry.py), not a choice:
    # a new event needs no migration.
    action = models.CharField(_("操作"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人"), max_length=200)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    seq = models.PositiveIntegerField()
    data: models.JSONField[Any, Any] = models.JSONField(_("内容"), default=dict, encoder=DjangoJSONEncoder)
    request_id = models.CharField(max_length=64, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "approvals_auditevent"  # created by approvals' migrations; kept where it is
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id", "seq"], name="audit_chain_unique_seq"),
        ]
        indexes = [
            models.Index(fields=["actor", "id"], name="audit_actor_idx"),
            models.Index(fields=["action", "id"], name="audit_action_idx"),
            models.Index(fields=["occurred_at"], name="audit_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}#{self.seq}"

    @property
    def action_label(self) -> str:
        """The action's label in the active language (audit/registry.py)."""
        return label_of(self.action)

    @property
    def object_label(self) -> str:
        """申报 12, 用户 3: the chain's object as the auditor reads it (audit/labels.py)."""
        return object_label(self.object_type, self.object_id)

    @property
    def readable_data(self) -> list[tuple[str, str]]:
        """The content as (Chinese label, value) pairs (audit/labels.py)."""
        return readable_data(self.data)


class AuditAnchor(models.Model):
    """A signed snapshot of the chain heads changed since the previous anchor (append-only).

    Verification checks that every anchored head still exists with the same hash, which finds
    a deleted or rewritten tail that a chain alone cannot show.
    """

    created_at = models.DateTimeField()
    last_event_id = models.BigIntegerField()
    head_count = models.PositiveIntegerField()
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)

    class Meta:
        db_table = "approvals_auditanchor"
        verbose_name = _("审计锚点")
        verbose_name_plural = _("审计锚点")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"anchor {self.pk} ≤ {self.last_event_id}"


class AuditAnchorHead(models.Model):
    anchor = models.ForeignKey(AuditAnchor, on_delete=models.PROTECT, related_name="heads")
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "approvals_auditanchorhead"
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"], name="anchorhead_object_idx")]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}#{self.seq}"
