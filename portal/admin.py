from __future__ import annotations

from portal.admin_site import configure_admin_site

# After every app's admin has registered (portal is the last of the apps).
configure_admin_site()
