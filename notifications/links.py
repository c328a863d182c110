"""Where each notification points: paths of the web pages (relative; email and SMS prefix them with
``SEALFLOW_PUBLIC_BASE_URL``). One place, so the web pages can move without touching the events."""

from __future__ import annotations

from django.conf import settings


def nomination(nomination_id: int) -> str:
    return f"/nominations/{nomination_id}/"


def task(task_id: int) -> str:
    return f"/tasks/{task_id}/"


def campaign(campaign_id: int) -> str:
    return f"/campaigns/{campaign_id}/"


def publicity(campaign_id: int) -> str:
    return f"/publicity/{campaign_id}"


def objection(objection_id: int) -> str:
    return f"/objections/{objection_id}/"


def public_objection(receipt: str) -> str:
    """The receipt lookup; the code (in the message's text) is typed there, never put in an address."""
    return "/objections/receipt/"


def password_reset() -> str:
    return "/password/reset/"


def judging() -> str:
    return "/judging/"


def absolute(link: str) -> str:
    """The link as a full URL for email and SMS."""
    if not link or "://" in link:
        return link
    return settings.SEALFLOW_PUBLIC_BASE_URL.rstrip("/") + link
