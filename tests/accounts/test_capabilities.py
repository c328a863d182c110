"""The named capabilities of ``accounts.permissions``: role × organisation → answer, one table per
capability; and each queryset form agrees with its check (one rule, not two)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts import permissions
from accounts.models import Organization, User
from accounts.roles import OrgKind, Role
from approvals.models import Nomination
from tests.campaigns import make_campaign
from tests.conftest import Tree
from tests.factories import GrantFactory, OrganizationFactory, user_with_role
from workflows.models import Campaign, Stage

pytestmark = pytest.mark.django_db

# Who: a role at one organisation of the test tree (None: system-wide).
CASES: dict[str, tuple[Role, str | None]] = {
    "submitter": (Role.SUBMITTER, "unit"),
    "other_submitter": (Role.SUBMITTER, "other_unit"),
    "unit_leader": (Role.UNIT_LEADER, "unit"),
    "party_secretary": (Role.PARTY_SECRETARY, "party"),
    "district_reviewer": (Role.DISTRICT_REVIEWER, "district"),
    "other_district_reviewer": (Role.DISTRICT_REVIEWER, "other_district"),
    "city_reviewer": (Role.CITY_REVIEWER, "city"),
    "committee": (Role.COMMITTEE, "committee"),
    "other_committee": (Role.COMMITTEE, "other_committee"),
    "campaign_admin": (Role.CAMPAIGN_ADMIN, "committee"),
    "other_campaign_admin": (Role.CAMPAIGN_ADMIN, "other_committee"),
    "judge": (Role.JUDGE, "committee"),
    "auditor": (Role.AUDITOR, None),
    "security_admin": (Role.SECURITY_ADMIN, None),
    "system_admin": (Role.SYSTEM_ADMIN, None),
}

HOST_STAFF = {"committee", "campaign_admin", "judge"}
ORGANISERS = {"committee", "campaign_admin"}
REVIEWERS_OVER_UNIT = {"district_reviewer", "city_reviewer"}


class Scene:
    def __init__(self, tree: Tree) -> None:
        other = OrganizationFactory.create(name="另一组委会", code="T-CMT2", kind=OrgKind.COMMITTEE, parent=tree.city)
        self.orgs: dict[str, Organization] = {
            "unit": tree.unit, "other_unit": tree.other_unit, "party": tree.party, "district": tree.district,
            "other_district": tree.other_district, "city": tree.city, "committee": tree.committee,
            "other_committee": other,
        }  # fmt: skip
        self.users: dict[str, User] = {
            name: user_with_role(role, self.orgs[org] if org else None, username=name)
            for name, (role, org) in CASES.items()
        }
        self.campaign: Campaign = make_campaign(tree.committee, status=Campaign.Status.REVIEWING)
        # Only attributes are read: the unit, the campaign's host, the open stage (the unit leader's).
        self.nomination = Nomination(
            campaign=self.campaign, unit=tree.unit, district=tree.district,
            stage_role=Role.UNIT_LEADER, stage_org=tree.unit,
        )  # fmt: skip


@pytest.fixture
def scene(tree: Tree) -> Scene:
    return Scene(tree)


# capability → (how to ask it of one user in the scene, the cases that get "yes")
TABLE: dict[str, tuple[Callable[[User, Scene], bool], set[str]]] = {
    "can_run_publicity": (lambda u, s: permissions.can_run_publicity(u, s.campaign), {"committee"}),
    "can_see_campaign_dashboard": (lambda u, s: permissions.can_see_campaign_dashboard(u, s.campaign), ORGANISERS),
    "can_manage_campaign": (lambda u, s: permissions.can_manage_campaign(u, s.campaign), {"campaign_admin"}),
    "can_manage_campaigns_at": (
        lambda u, s: permissions.can_manage_campaigns_at(u, s.orgs["other_committee"]),
        {"other_campaign_admin"},
    ),
    "can_nominate_at": (lambda u, s: permissions.can_nominate_at(u, s.orgs["unit"]), {"submitter"}),
    "can_nominate_anywhere": (lambda u, s: permissions.can_nominate_anywhere(u), {"submitter", "other_submitter"}),
    "sees_submitted_nomination": (
        lambda u, s: permissions.sees_submitted_nomination(u, s.nomination),
        {"submitter", "unit_leader", "party_secretary"} | REVIEWERS_OVER_UNIT | HOST_STAFF,
    ),
    # The chain (tests/campaigns.py) is unit leader → district reviewer → committee: no city stage.
    "can_reveal_personal_data": (
        lambda u, s: permissions.can_reveal_personal_data(u, s.nomination),
        {"submitter", "district_reviewer", "committee"},
    ),
    # The unit leader holds the open stage: never urged by its own role holders.
    "can_urge": (lambda u, s: permissions.can_urge(u, s.nomination), REVIEWERS_OVER_UNIT | ORGANISERS),
    "can_be_investigator": (
        lambda u, s: permissions.can_be_investigator(u, s.nomination),
        REVIEWERS_OVER_UNIT | HOST_STAFF,
    ),
    "can_decide_stage": (lambda u, s: permissions.can_decide_stage(u, s.nomination), {"unit_leader"}),
    "can_read_audit": (lambda u, s: permissions.can_read_audit(u), {"auditor"}),
    # 三员分立: accounts are the system administrator's, the tree and the grants the security administrator's.
    "can_manage_accounts": (lambda u, s: permissions.can_manage_accounts(u, s.orgs["unit"]), {"system_admin"}),
    "can_manage_grants": (lambda u, s: permissions.can_manage_grants(u, s.orgs["unit"]), {"security_admin"}),
    "can_manage_org": (lambda u, s: permissions.can_manage_org(u, s.orgs["unit"]), {"security_admin"}),
    "can_use_account_pages": (lambda u, s: permissions.can_use_account_pages(u), {"security_admin", "system_admin"}),
    "can_edit_calendar": (lambda u, s: permissions.can_edit_calendar(u), {"system_admin"}),
    "is_administrator": (lambda u, s: permissions.is_administrator(u), {"auditor", "security_admin", "system_admin"}),
    "can_use_admin_site": (
        lambda u, s: permissions.can_use_admin_site(u),
        {"auditor", "security_admin", "system_admin", "campaign_admin", "other_campaign_admin"},
    ),
}


@pytest.mark.parametrize("capability", sorted(TABLE))
def test_capability_answers_per_role_and_organisation(scene: Scene, capability: str) -> None:
    ask, allowed = TABLE[capability]
    answers = {name: ask(user, scene) for name, user in scene.users.items()}
    assert {name for name, yes in answers.items() if yes} == allowed


@pytest.mark.parametrize("capability", sorted(TABLE))
def test_an_inactive_account_may_do_nothing(scene: Scene, capability: str) -> None:
    ask, _ = TABLE[capability]
    for user in scene.users.values():
        user.is_active = False
        user.save(update_fields=["is_active"])
        assert not ask(user, scene)


# check on a host organisation ↔ its queryset form
HOST_SCOPES: list[tuple[Callable[[User, Campaign], bool], Callable[[User], Any]]] = [
    (permissions.can_run_publicity, permissions.campaign_hosts_publicised_by),
    (permissions.can_see_campaign_dashboard, permissions.campaign_hosts_organised_by),
    (permissions.can_manage_campaign, permissions.campaign_hosts_managed_by),
]


@pytest.mark.parametrize(("check", "scope"), HOST_SCOPES, ids=lambda f: f.__name__)
def test_the_queryset_form_agrees_with_the_check(scene: Scene, check: Any, scope: Any) -> None:
    for user in scene.users.values():
        in_scope = scope(user).filter(pk=scene.campaign.host_org_id).exists()
        assert in_scope == check(user, scene.campaign), user.username


def test_possible_investigators_are_exactly_those_who_can_be_investigator(scene: Scene) -> None:
    chosen = set(permissions.possible_investigators(scene.nomination).values_list("username", flat=True))
    assert chosen == {n for n, u in scene.users.items() if permissions.can_be_investigator(u, scene.nomination)}
    assert chosen == REVIEWERS_OVER_UNIT | HOST_STAFF


def test_units_where_one_may_nominate_agree_with_the_check(scene: Scene) -> None:
    for user in scene.users.values():
        units = set(permissions.units_nominating_by(user))
        assert {org for org in scene.orgs.values() if permissions.can_nominate_at(user, org)} == units


def test_possible_deciders_are_exactly_those_who_can_decide_the_stage(scene: Scene, tree: Tree) -> None:
    for role, org in ((Role.UNIT_LEADER, tree.unit), (Role.DISTRICT_REVIEWER, tree.district)):
        scene.nomination.stage_role, scene.nomination.stage_org = role, org
        chosen = set(permissions.possible_deciders(scene.nomination))
        assert chosen == {u for u in scene.users.values() if permissions.can_decide_stage(u, scene.nomination)}
        assert len(chosen) == 1


def test_a_reviewer_reveals_personal_data_only_where_the_chain_has_his_role(scene: Scene, tree: Tree) -> None:
    city = scene.users["city_reviewer"]
    assert not permissions.can_reveal_personal_data(city, scene.nomination)

    Stage.objects.create(
        campaign=scene.campaign, position=99, key="city_review", name="市民政局意见", role=Role.CITY_REVIEWER,
        signer_org=Stage.SignerOrg.CITY,
    )  # fmt: skip

    assert permissions.can_reveal_personal_data(city, scene.nomination)
    assert not permissions.can_reveal_personal_data(scene.users["other_district_reviewer"], scene.nomination)


def test_a_campaign_admin_reveals_personal_data_only_as_a_committee_member(scene: Scene, tree: Tree) -> None:
    admin = scene.users["campaign_admin"]
    assert not permissions.can_reveal_personal_data(admin, scene.nomination)

    GrantFactory.create(user=admin, role=Role.COMMITTEE, org=tree.committee)

    assert permissions.can_reveal_personal_data(admin, scene.nomination)
