"""Celery tasks of the awards package: thin adapters around plain functions."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="awards.build_casebook", ignore_result=True)
def build_casebook_task(casebook_id: int) -> None:
    """Build a queued case book (案例集); a duplicate delivery builds nothing (awards/casebook.py)."""
    from awards.casebook import build_casebook

    build_casebook(casebook_id)
