"""``manage.py create_system_admin USERNAME``: the first system administrator (api.md, Bootstrap),
with the password from the environment variable ADMIN_PASSWORD (``accounts/management/bootstrap.py``)."""

from __future__ import annotations

from accounts.actions import bootstrap_system_admin
from accounts.management.bootstrap import BootstrapAdminCommand


class Command(BootstrapAdminCommand):
    help = "Create a system-wide system administrator; the password is read from ADMIN_PASSWORD."
    title = "系统管理员"
    bootstrap = staticmethod(bootstrap_system_admin)
