"""The roles of api.md, what each one covers, and where it may be granted.

Pure data, no ORM: ``accounts/permissions.py`` turns it into queries.
"""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUBMITTER = "submitter", _("申报单位经办人")
    UNIT_LEADER = "unit_leader", _("单位负责人")
    PARTY_SECRETARY = "party_secretary", _("党组织书记")
    DISTRICT_REVIEWER = "district_reviewer", _("区（县）民政局审核人")
    CITY_REVIEWER = "city_reviewer", _("市民政局审核人")
    PROVINCE_REVIEWER = "province_reviewer", _("省民政厅审核人")
    COMMITTEE = "committee", _("组委会成员")
    CAMPAIGN_ADMIN = "campaign_admin", _("活动管理员")
    JUDGE = "judge", _("评审专家")
    AUDITOR = "auditor", _("审计管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区（县）")
    TOWNSHIP = "township", _("乡镇（街道）")
    UNIT = "unit", _("单位")
    PARTY = "party", _("党组织")
    COMMITTEE = "committee", _("组委会")


class Scope(enum.Enum):
    """How far below its organisation a grant reaches."""

    EXACT = "exact"  # the organisation itself
    SUBTREE = "subtree"  # the organisation and everything below it


# 三员分立: these three are exclusive on one account, with each other and with every role that
# reads or decides nomination content (design.md, Seals and the audit trail).
ADMIN_ROLES = frozenset({Role.SECURITY_ADMIN, Role.AUDITOR, Role.SYSTEM_ADMIN})

ROLE_SCOPE: dict[Role, Scope] = {
    Role.SUBMITTER: Scope.EXACT,
    Role.UNIT_LEADER: Scope.EXACT,
    Role.PARTY_SECRETARY: Scope.EXACT,
    # A district bureau acts on the nominations of its townships and units (domain.md).
    Role.DISTRICT_REVIEWER: Scope.SUBTREE,
    Role.CITY_REVIEWER: Scope.SUBTREE,
    Role.PROVINCE_REVIEWER: Scope.SUBTREE,
    Role.COMMITTEE: Scope.EXACT,
    Role.CAMPAIGN_ADMIN: Scope.EXACT,
    Role.JUDGE: Scope.EXACT,
    Role.AUDITOR: Scope.SUBTREE,
    Role.SECURITY_ADMIN: Scope.SUBTREE,
    Role.SYSTEM_ADMIN: Scope.SUBTREE,
}

_ANY_KIND = frozenset(OrgKind)

# The kinds of organisation at which each role may be granted.
ROLE_ORG_KINDS: dict[Role, frozenset[OrgKind]] = {
    Role.SUBMITTER: frozenset({OrgKind.UNIT}),
    Role.UNIT_LEADER: frozenset({OrgKind.UNIT}),
    Role.PARTY_SECRETARY: frozenset({OrgKind.PARTY}),
    Role.DISTRICT_REVIEWER: frozenset({OrgKind.DISTRICT}),
    Role.CITY_REVIEWER: frozenset({OrgKind.CITY}),
    Role.PROVINCE_REVIEWER: frozenset({OrgKind.PROVINCE}),
    Role.COMMITTEE: frozenset({OrgKind.COMMITTEE}),
    Role.CAMPAIGN_ADMIN: frozenset(
        {OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT, OrgKind.UNIT, OrgKind.COMMITTEE}
    ),
    Role.JUDGE: frozenset({OrgKind.COMMITTEE}),
    Role.AUDITOR: _ANY_KIND,
    Role.SECURITY_ADMIN: _ANY_KIND,
    Role.SYSTEM_ADMIN: _ANY_KIND,
}

# Only the administrative roles may be granted system-wide (org = null).
SYSTEM_WIDE_ROLES = ADMIN_ROLES

# The kinds of parent each kind of organisation may have (None: a root).
# A province (省) stands above its cities; a county it administers directly (省直管县) may hang under
# it too, and so may the units of the provincial bureau itself.
ALLOWED_PARENT_KINDS: dict[OrgKind, frozenset[OrgKind | None]] = {
    OrgKind.PROVINCE: frozenset({None}),
    OrgKind.CITY: frozenset({OrgKind.PROVINCE, None}),
    OrgKind.DISTRICT: frozenset({OrgKind.CITY, OrgKind.PROVINCE, None}),
    OrgKind.TOWNSHIP: frozenset({OrgKind.DISTRICT}),
    OrgKind.UNIT: frozenset({OrgKind.TOWNSHIP, OrgKind.DISTRICT, OrgKind.CITY, OrgKind.PROVINCE}),
    OrgKind.PARTY: frozenset({OrgKind.UNIT, OrgKind.TOWNSHIP, OrgKind.DISTRICT, OrgKind.CITY, OrgKind.PROVINCE}),
    OrgKind.COMMITTEE: frozenset({OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT, None}),
}

# --- named groups: who acts together (``accounts/permissions.py`` turns them into capabilities) ---

# A unit's own people: they see the unit's nominations, drafts included.
UNIT_ROLES = frozenset({Role.SUBMITTER, Role.UNIT_LEADER})
# The civil-affairs reviewers: their grant covers the units below their bureau.
REVIEWER_ROLES = frozenset({Role.DISTRICT_REVIEWER, Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER})
# The host's organisers: the campaign dashboard, urging, the nominees' personal data.
ORGANISER_ROLES = frozenset({Role.COMMITTEE, Role.CAMPAIGN_ADMIN})
# Everyone serving the host: they see its submitted nominations and may investigate an objection.
HOST_ROLES = ORGANISER_ROLES | {Role.JUDGE}
# Who may be named investigator of an objection (``permissions.can_be_investigator``): only these are
# asked, on every page, whether they were (the 我的核查 entry of the navigation).
INVESTIGATOR_ROLES = HOST_ROLES | REVIEWER_ROLES
# The host's expert judges (评审专家): their tasks in the navigation.
JUDGES = frozenset({Role.JUDGE})
# Those whose quota use is shown next to their inbox.
QUOTA_ROLES = REVIEWER_ROLES | {Role.COMMITTEE}

# Navigation (templates/base.html): which roles are shown the way to which pages.
INBOX_ROLES = REVIEWER_ROLES | {Role.UNIT_LEADER, Role.PARTY_SECRETARY, Role.COMMITTEE}
CAMPAIGN_ROLES = UNIT_ROLES | REVIEWER_ROLES | HOST_ROLES | {Role.PARTY_SECRETARY}
ADMIN_SITE_NAV_ROLES = frozenset({Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN, Role.CAMPAIGN_ADMIN})

# The admin site (accounts/admin_site.py, portal/admin_site.py): who may view / change which model admins.
ADMIN_SITE_ROLES = ADMIN_ROLES | {Role.CAMPAIGN_ADMIN}
CAMPAIGN_ADMINISTRATORS = frozenset({Role.CAMPAIGN_ADMIN})
SYSTEM_ADMINISTRATORS = frozenset({Role.SYSTEM_ADMIN})
SECURITY_ADMINISTRATORS = frozenset({Role.SECURITY_ADMIN})
AUDITORS = frozenset({Role.AUDITOR})

# The roles whose grant reaches everything below its organisation.
SUBTREE_ROLES = frozenset(role for role, scope in ROLE_SCOPE.items() if scope is Scope.SUBTREE)
