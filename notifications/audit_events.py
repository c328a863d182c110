"""Audit events that notifications writes (registry in audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from audit.registry import register

TASK_URGED = register("task.urged", _("催办审批任务"))
NOTIFICATION_PREFERENCES_CHANGED = register("notification.preferences_changed", _("修改通知偏好"))
