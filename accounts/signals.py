"""Signals that accounts sends to the layers above it (accounts may not import them).

``password_reset_code_issued`` is sent inside the issuing transaction with ``user``, ``code``,
``expires_at`` and ``code_id``; a receiver (notifications) must deliver the code to the owner's
phone / e-mail, writing its outbox row in that transaction. The action refuses to issue a code
nobody would deliver.
"""

from django.dispatch import Signal

password_reset_code_issued = Signal()
