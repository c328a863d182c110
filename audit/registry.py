"""The names of audit events, declared in code by the app that writes them (Sentry's audit-log registry).

Each app lists its events in ``<app>/audit_events.py`` (``NAME = register("thing.done", _("…"))``),
loaded by its ``AppConfig.ready()``. The database column holds the dotted name only: a new event
needs no migration. ``record_events`` refuses a name that is not registered here.
"""

from __future__ import annotations

from django.utils.functional import Promise

_labels: dict[str, str | Promise] = {}


class DuplicateEvent(ValueError):
    """Two declarations of one event name: a programming error, raised at import."""


def register(name: str, label: str | Promise) -> str:
    """Declare the audit event ``name`` (dotted, e.g. ``"nomination.signed_off"``); returns ``name``."""
    if name in _labels:
        raise DuplicateEvent(f"audit event {name!r} is already registered")
    _labels[name] = label
    return name


def is_registered(name: str) -> bool:
    return name in _labels


def label_of(name: str) -> str:
    """The event's label in the active language; the name itself for an event no longer declared."""
    label = _labels.get(name)
    return str(label) if label is not None else name


def all_events() -> list[tuple[str, str]]:
    """Every declared event as (name, label), in declaration order (for filters and pickers)."""
    return [(name, str(label)) for name, label in _labels.items()]
