"""``manage.py create_security_admin USERNAME``: the first security administrator (api.md, Bootstrap),
with the password from the environment variable ADMIN_PASSWORD (``accounts/management/bootstrap.py``)."""

from __future__ import annotations

from accounts.actions import bootstrap_security_admin
from accounts.management.bootstrap import BootstrapAdminCommand


class Command(BootstrapAdminCommand):
    help = "Create a system-wide security administrator; the password is read from ADMIN_PASSWORD."
    title = "安全管理员"
    bootstrap = staticmethod(bootstrap_security_admin)
