from __future__ import annotations

from config.admin_site import configure_admin_site

# After every app's admin has registered (approvals comes after the third-party apps and audit).
configure_admin_site()
