"""Demo organisation tree and accounts, with real names from the seed notices (domain.md).

Built through the audited actions, as a security administrator would build it, so the demo
trail verifies like a real one. Idempotent: what exists (by code / username) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts import actions
from accounts.models import Grant, Organization, User
from accounts.roles import ALLOWED_PARENT_KINDS, ROLE_ORG_KINDS, OrgKind, Role

DEMO_PASSWORD = "Sealflow@2026"  # noqa: S105 - printed for the demo; every account is a demo account

# (code, name, kind, parent code)
SHANGHAI_DISTRICTS = [
    ("PD", "浦东新区"), ("HP", "黄浦区"), ("XH", "徐汇区"), ("CN", "长宁区"), ("JA", "静安区"), ("PT", "普陀区"),
    ("HK", "虹口区"), ("YP", "杨浦区"), ("MH", "闵行区"), ("BS", "宝山区"), ("JD", "嘉定区"), ("JS", "金山区"),
    ("SJ", "松江区"), ("QP", "青浦区"), ("FX", "奉贤区"), ("CM", "崇明区"),
]  # fmt: skip

ORGS: list[tuple[str, str, OrgKind, str | None]] = [
    ("SH", "上海市民政局", OrgKind.CITY, None),
    ("SH-YWTB", "上海市“一网通办”业务技能竞赛组委会", OrgKind.COMMITTEE, "SH"),
    *[(f"SH-{code}", f"{name}民政局", OrgKind.DISTRICT, "SH") for code, name in SHANGHAI_DISTRICTS],
    ("SH-PD-LJZ", "陆家嘴街道", OrgKind.TOWNSHIP, "SH-PD"),
    ("SH-PD-LJZ-C", "陆家嘴社区事务受理服务中心", OrgKind.UNIT, "SH-PD-LJZ"),
    ("SH-PD-LJZ-C-P", "陆家嘴社区事务受理服务中心党支部", OrgKind.PARTY, "SH-PD-LJZ-C"),
    ("SH-PD-HM", "花木街道", OrgKind.TOWNSHIP, "SH-PD"),
    ("SH-PD-HM-C", "花木社区事务受理服务中心", OrgKind.UNIT, "SH-PD-HM"),
    ("SH-PD-HM-C-P", "花木社区事务受理服务中心党支部", OrgKind.PARTY, "SH-PD-HM-C"),
    ("SH-HP-NJD", "南京东路街道", OrgKind.TOWNSHIP, "SH-HP"),
    ("SH-HP-NJD-C", "南京东路街道社区事务受理服务中心", OrgKind.UNIT, "SH-HP-NJD"),
    ("SH-HP-NJD-C-P", "南京东路街道社区事务受理服务中心党支部", OrgKind.PARTY, "SH-HP-NJD-C"),
    ("SH-XH-XJH", "徐家汇街道", OrgKind.TOWNSHIP, "SH-XH"),
    ("SH-XH-XJH-C", "徐家汇街道社区事务受理服务中心", OrgKind.UNIT, "SH-XH-XJH"),
    # [000] Dehua county, Quanzhou
    ("QZ", "泉州市民政局", OrgKind.CITY, None),
    ("QZ-DH", "德化县民政局", OrgKind.DISTRICT, "QZ"),
    ("QZ-DH-CMT", "德化首届民政领域微服务案例评选比赛组委会", OrgKind.COMMITTEE, "QZ-DH"),
    ("QZ-DH-LX", "龙浔镇", OrgKind.TOWNSHIP, "QZ-DH"),
    ("QZ-DH-LX-ZH", "德化县致和社工事务所", OrgKind.UNIT, "QZ-DH-LX"),
    ("QZ-DH-LX-ZH-P", "德化县致和社工事务所党支部", OrgKind.PARTY, "QZ-DH-LX-ZH"),
    ("QZ-DH-SGJD", "德化县社会工作专业人才基地", OrgKind.UNIT, "QZ-DH"),
    # [003] Taishan, Jiangmen
    ("JM", "江门市民政局", OrgKind.CITY, None),
    ("JM-TS", "台山市民政局", OrgKind.DISTRICT, "JM"),
    ("JM-TS-CMT", "台山市党员义工创新服务项目评审组委会", OrgKind.COMMITTEE, "JM-TS"),
    ("JM-TS-TC", "台城街道", OrgKind.TOWNSHIP, "JM-TS"),
    ("JM-TS-TC-YG", "台城街道党员义工服务队", OrgKind.UNIT, "JM-TS-TC"),
    ("JM-TS-TC-YG-P", "台城街道党员义工服务队党支部", OrgKind.PARTY, "JM-TS-TC-YG"),
    ("JM-TS-YGL", "台山市义工联合会", OrgKind.UNIT, "JM-TS"),
    ("JM-TS-YGL-P", "台山市义工联合会党支部", OrgKind.PARTY, "JM-TS-YGL"),
    # [001] Pingshan, Shenzhen
    ("SZ", "深圳市民政局", OrgKind.CITY, None),
    ("SZ-PS", "坪山区民政局", OrgKind.DISTRICT, "SZ"),
    ("SZ-PS-CMT", "坪山区社会组织参与基层社会治理案例征集工作组", OrgKind.COMMITTEE, "SZ-PS"),
    ("SZ-PS-SHZZ", "深圳市坪山区社会组织总会", OrgKind.UNIT, "SZ-PS"),
    ("SZ-PS-HX", "坪山区和谐社区发展中心", OrgKind.UNIT, "SZ-PS"),
    # [004] Shandong: 省民政厅 → 济宁市民政局 → 泗水县民政局
    ("SD", "山东省民政厅", OrgKind.PROVINCE, None),
    ("SD-CMT", "山东省民政工作创新案例评审组", OrgKind.COMMITTEE, "SD"),
    ("SD-JN", "济宁市民政局", OrgKind.CITY, "SD"),
    ("SD-SS", "泗水县民政局", OrgKind.DISTRICT, "SD-JN"),
    ("SD-SS-ETFL", "泗水县儿童福利指导中心", OrgKind.UNIT, "SD-SS"),
    # [003] 一肩挑: the 义工联's president is also its party branch's secretary (see the accounts).
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    org_code: str | None  # None: system-wide
    phone: str = ""


ACCOUNTS = [
    DemoAccount("security", "安全管理员（演示）", Role.SECURITY_ADMIN, None, "13800000001"),
    DemoAccount("auditor", "审计管理员（演示）", Role.AUDITOR, None, "13800000002"),
    DemoAccount("sysadmin", "系统管理员（演示）", Role.SYSTEM_ADMIN, None, "13800000003"),
    DemoAccount("ljz_submitter", "陆家嘴中心经办人", Role.SUBMITTER, "SH-PD-LJZ-C", "13900000001"),
    DemoAccount("ljz_leader", "陆家嘴中心主任", Role.UNIT_LEADER, "SH-PD-LJZ-C", "13900000002"),
    DemoAccount("ljz_party", "陆家嘴中心党支部书记", Role.PARTY_SECRETARY, "SH-PD-LJZ-C-P", "13900000003"),
    DemoAccount("hm_submitter", "花木中心经办人", Role.SUBMITTER, "SH-PD-HM-C", "13900000004"),
    DemoAccount("njd_submitter", "南京东路中心经办人", Role.SUBMITTER, "SH-HP-NJD-C", "13900000005"),
    DemoAccount("pudong_reviewer", "浦东新区民政局审核人", Role.DISTRICT_REVIEWER, "SH-PD", "13900000006"),
    DemoAccount("huangpu_reviewer", "黄浦区民政局审核人", Role.DISTRICT_REVIEWER, "SH-HP", "13900000007"),
    DemoAccount("city_reviewer", "上海市民政局审核人", Role.CITY_REVIEWER, "SH", "13900000008"),
    DemoAccount("committee", "组委会成员", Role.COMMITTEE, "SH-YWTB", "13900000009"),
    DemoAccount("campaign_admin", "上海竞赛活动管理员", Role.CAMPAIGN_ADMIN, "SH-YWTB", "13900000010"),
    DemoAccount("judge", "评审专家", Role.JUDGE, "SH-YWTB", "13900000011"),
    DemoAccount("dehua_admin", "德化活动管理员", Role.CAMPAIGN_ADMIN, "QZ-DH-CMT", "13900000012"),
    DemoAccount("dehua_submitter", "致和社工事务所经办人", Role.SUBMITTER, "QZ-DH-LX-ZH", "13900000013"),
    DemoAccount("dehua_reviewer", "德化县民政局审核人", Role.DISTRICT_REVIEWER, "QZ-DH", "13900000014"),
    DemoAccount("taishan_admin", "台山活动管理员", Role.CAMPAIGN_ADMIN, "JM-TS-CMT", "13900000015"),
    DemoAccount("taishan_submitter", "台城义工服务队经办人", Role.SUBMITTER, "JM-TS-TC-YG", "13900000016"),
    DemoAccount("taishan_party", "台城义工服务队党支部书记", Role.PARTY_SECRETARY, "JM-TS-TC-YG-P", "13900000017"),
    DemoAccount("taishan_leader", "台城义工服务队队长", Role.UNIT_LEADER, "JM-TS-TC-YG", "13900000018"),
    DemoAccount("taishan_committee", "台山评审组委会成员", Role.COMMITTEE, "JM-TS-CMT", "13900000019"),
    DemoAccount("dehua_committee", "德化评选组委会成员", Role.COMMITTEE, "QZ-DH-CMT", "13900000020"),
    DemoAccount("pingshan_admin", "坪山案例征集管理员", Role.CAMPAIGN_ADMIN, "SZ-PS-CMT", "13900000021"),
    DemoAccount("pingshan_committee", "坪山案例评审专家组成员", Role.COMMITTEE, "SZ-PS-CMT", "13900000022"),
    DemoAccount("pingshan_submitter", "和谐社区发展中心经办人", Role.SUBMITTER, "SZ-PS-HX", "13900000023"),
    DemoAccount("shandong_admin", "山东创新案例活动管理员", Role.CAMPAIGN_ADMIN, "SD-CMT", "13900000024"),
    DemoAccount("shandong_committee", "山东创新案例评审组成员", Role.COMMITTEE, "SD-CMT", "13900000025"),
    DemoAccount("sishui_reviewer", "泗水县民政局审核人", Role.DISTRICT_REVIEWER, "SD-SS", "13900000026"),
    DemoAccount("sishui_submitter", "泗水县儿童福利指导中心经办人", Role.SUBMITTER, "SD-SS-ETFL", "13900000027"),
    DemoAccount("jining_reviewer", "济宁市民政局审核人", Role.CITY_REVIEWER, "SD-JN", "13900000033"),
    DemoAccount("shandong_reviewer", "山东省民政厅审核人", Role.PROVINCE_REVIEWER, "SD", "13900000034"),
    # [003] 一肩挑: one person is the unit's leader and its party branch's secretary (two grants).
    DemoAccount("ygl_submitter", "台山市义工联合会经办人", Role.SUBMITTER, "JM-TS-YGL", "13900000035"),
    DemoAccount("ygl_leader", "台山市义工联合会会长", Role.UNIT_LEADER, "JM-TS-YGL", "13900000036"),
    DemoAccount("ygl_leader", "台山市义工联合会会长", Role.PARTY_SECRETARY, "JM-TS-YGL-P", "13900000036"),
    # The expert pools (评审专家) of the other hosts (issue 14, judging).
    DemoAccount("judge2", "评审专家（二）", Role.JUDGE, "SH-YWTB", "13900000028"),
    DemoAccount("dehua_judge", "德化路演评审专家", Role.JUDGE, "QZ-DH-CMT", "13900000029"),
    DemoAccount("taishan_judge", "台山评审专家", Role.JUDGE, "JM-TS-CMT", "13900000030"),
    DemoAccount("pingshan_judge", "坪山评审专家", Role.JUDGE, "SZ-PS-CMT", "13900000031"),
    DemoAccount("shandong_judge", "山东创新案例评审专家", Role.JUDGE, "SD-CMT", "13900000032"),
]

BOOTSTRAP_USERNAME = "security"
SYSTEM_ADMIN_USERNAME = "sysadmin"


def _bootstrapped(username: str, role: Role) -> tuple[User, int]:
    """The demo's security or system administrator, created as the bootstrap commands would."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, 0
    display_name = next(a.display_name for a in ACCOUNTS if a.username == username)
    return actions.bootstrap_admin(role=role, username=username, password=DEMO_PASSWORD, display_name=display_name), 1


def load_demo() -> tuple[int, int, int]:
    """Create what is missing; returns how many (organisations, users, grants) were created.

    三员分立 holds in the demo too: the security administrator builds the tree and grants the
    roles, the system administrator creates the accounts. The demo accounts keep the README's
    password (no change forced at the first sign-in).
    """
    admin, created_users = _bootstrapped(BOOTSTRAP_USERNAME, Role.SECURITY_ADMIN)
    sysadmin, created = _bootstrapped(SYSTEM_ADMIN_USERNAME, Role.SYSTEM_ADMIN)
    created_users += created
    orgs: dict[str, Organization] = {o.code: o for o in Organization.objects.filter(code__in=[c for c, *_ in ORGS])}
    created_orgs = 0
    for code, name, kind, parent_code in ORGS:
        if code in orgs or (parent_code and parent_code not in orgs):
            continue
        parent = orgs[parent_code] if parent_code else None
        if parent is not None and OrgKind(parent.kind) not in ALLOWED_PARENT_KINDS[kind]:
            # A demo loaded before the tree had this shape (山东省民政厅 was loaded as a city):
            # what exists is left alone, and what cannot hang below it is not added.
            continue
        orgs[code] = actions.create_organization(actor=admin, name=name, code=code, kind=kind, parent=parent)
        created_orgs += 1
    created_grants = 0
    for account in ACCOUNTS:
        if account.org_code and account.org_code not in orgs:
            continue
        org = orgs[account.org_code] if account.org_code else None
        if org is not None and OrgKind(org.kind) not in ROLE_ORG_KINDS[account.role]:
            continue  # the same older tree: its 山东省民政厅 cannot hold a province reviewer
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = actions.create_user(
                actor=sysadmin,
                username=account.username,
                password=DEMO_PASSWORD,
                display_name=account.display_name,
                phone=account.phone,
                org=org,
                must_change_password=False,
            )
            created_users += 1
        if (
            user.pk not in (admin.pk, sysadmin.pk)
            and not Grant.objects.filter(user=user, role=account.role, org=org).exists()
        ):
            actions.grant_role(actor=admin, user_id=user.pk, role=account.role, org=org)
            created_grants += 1
    return created_orgs, created_users, created_grants


def describe_accounts() -> list[str]:
    lines_by_user: dict[str, int] = {}
    lines: list[str] = []
    for account in ACCOUNTS:
        where = next((name for code, name, *_ in ORGS if code == account.org_code), "全系统")
        if account.username in lines_by_user:
            lines[lines_by_user[account.username]] += f"、{account.role.label}（{where}）"
            continue
        lines_by_user[account.username] = len(lines)
        lines.append(f"  {account.username:<18} {account.role.label}（{where}）")
    return lines


__all__ = ["DEMO_PASSWORD", "describe_accounts", "load_demo"]
