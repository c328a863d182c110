"""``manage.py import_nominations CAMPAIGN_ID KIND FILE --as USERNAME``: import drafts from an Excel file.

The same action as the API (all rows or none), acting as ``USERNAME``. Progress goes to stderr
("… 500/10000 rows"); a rejected file prints every bad row and exits 1.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from approvals import actions, excel
from approvals.actions.imports import ImportRejected
from config.errors import InvalidInput, SealflowError
from workflows.models import Campaign


class Command(BaseCommand):
    help = "Import draft nominations of one kind into a campaign from an .xlsx made from the import template."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("kind")
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", required=True, help="the submitter the drafts are created as")

    def handle(self, *args: Any, campaign_id: int, kind: str, file: Path, username: str, **options: Any) -> None:
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {username!r}")
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise CommandError(f"no campaign {campaign_id}")
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        digest = hashlib.sha256()
        with file.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 16), b""):
                digest.update(chunk)
            stream.seek(0)
            try:
                rows = excel.read_rows(campaign, kind, stream)
                self.stderr.write(f"{len(rows)} rows read from {file}")
                report = actions.import_nominations(
                    actor=actor,
                    campaign=campaign,
                    kind=kind,
                    rows=rows,
                    progress=lambda done, total: self.stderr.write(f"… {done}/{total} rows"),
                    file_sha256=digest.hexdigest(),
                )
            except ImportRejected as exc:
                self.stdout.write(f"REJECTED {exc.code}: {exc.detail}")
                for row in exc.rows:
                    for column, messages in row["errors"].items():
                        for message in messages:
                            self.stdout.write(f"line {row['line']}: {column}: {message}")
                sys.exit(1)
            except SealflowError as exc:
                lines = [f"{exc.code}: {exc.detail}"]
                if isinstance(exc, InvalidInput):
                    lines += [f"  {field}: {'; '.join(map(str, messages))}" for field, messages in exc.errors.items()]
                raise CommandError("\n".join(lines)) from exc
        self.stdout.write(f"imported {report.created} draft nominations (ids {report.ids[0]}–{report.ids[-1]})")
