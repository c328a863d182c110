"""The content-addressed file store under ``MEDIA_ROOT``: a file is stored once, under its hash.

Uploads (attachments, objection evidence) are checked by approvals/uploads.py first; ``store``
then writes the bytes to a temporary file of its own in the target folder and renames it into
place, so two simultaneous uploads of the same bytes never write the same temporary file, and a
reader never sees a half-written one.

A full disk (``ENOSPC``), a quota (``EDQUOT``) or a file-size limit (``EFBIG``) raises
``StorageFull`` (HTTP 507, ``storage_full``) after the partial file is removed; the caller's
transaction then rolls back, so no attachment row is left without its file.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import IO

from django.conf import settings

from approvals import uploads
from config.errors import StorageFull

CHUNK = 1 << 16
FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def path_of(storage_name: str) -> Path:
    """Where the stored file of ``storage_name`` (as kept on an attachment row) lies."""
    return Path(settings.MEDIA_ROOT) / storage_name


def store(info: uploads.UploadInfo, stream: IO[bytes]) -> str:
    """Write ``stream`` under its hash unless that content is stored already; its storage name."""
    name = uploads.storage_name(info.sha256, info.type)
    path = path_of(name)
    if path.exists():
        return name
    try:
        _write(path, stream)
    except OSError as exc:
        if exc.errno in FULL:
            raise StorageFull() from exc
        raise
    return name


def _write(path: Path, stream: IO[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                out.write(chunk)
            out.flush()
            # On the disk before the row that names it commits; a full disk can surface only here.
            os.fsync(out.fileno())
        os.chmod(partial, 0o644)  # mkstemp makes it 0600; stored files are as readable as before
        os.replace(partial, path)  # the same bytes under the same name: the last rename wins, harmlessly
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
