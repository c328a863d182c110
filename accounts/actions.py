"""State changes of accounts, organisations and grants; each one atomic and audited.

Every function here locks what it changes, re-checks authority under the lock through
``accounts.permissions``, writes its rows and its audit event in one transaction
(style.md §2). The API, the web pages and the admin call these; they re-implement nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from accounts import audit_events, lockout, permissions, signals
from accounts.exceptions import (
    AccountDisabled,
    DutiesConflict,
    GrantExists,
    InvalidCredentials,
    InvalidResetCode,
    LockedOut,
    NoContactChannel,
    OrgCycle,
    PasswordChangeRequired,
    SelfGrantForbidden,
    SelfManagementForbidden,
)
from accounts.models import Grant, Organization, PasswordResetCode, User
from accounts.roles import ALLOWED_PARENT_KINDS, ROLE_ORG_KINDS, SYSTEM_WIDE_ROLES, OrgKind, Role
from audit.trail import record_event
from config.db import advisory_xact_lock
from config.errors import InvalidInput, NotPermitted
from config.masking import mask_phone, normalize_phone

_UNSET: Any = object()
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def _org_target(org: Organization | None) -> tuple[str, str]:
    return ("accounts.organization", str(org.pk) if org else "root")


def _check_parent_kind(kind: OrgKind, parent: Organization | None) -> None:
    parent_kind = OrgKind(parent.kind) if parent else None
    if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
        allowed = "、".join(str(k.label) if k else str(_("无（顶级）")) for k in ALLOWED_PARENT_KINDS[kind])
        raise InvalidInput.for_field(
            "parent",
            _("“{kind}”类组织的上级只能是：{allowed}").format(kind=kind.label, allowed=allowed),
            code="invalid_parent",
        )


def _lock_tree() -> None:
    """Serialise changes to the tree's shape, so that two moves can never make a cycle together."""
    advisory_xact_lock("accounts", "org-tree")


@transaction.atomic(durable=True)
def create_organization(
    *, actor: User, name: str, code: str, kind: OrgKind, parent: Organization | None
) -> Organization:
    """Create an organisation below ``parent`` (a root when ``None``).

    Only a security administrator covering ``parent`` may; audited as ``org.created``.
    """
    kind = OrgKind(kind)
    _lock_tree()
    if parent is not None:
        parent = Organization.objects.select_for_update(of=("self",)).get(pk=parent.pk)
    if not permissions.can_manage_org(actor, parent):
        raise NotPermitted(target=_org_target(parent))
    _check_parent_kind(kind, parent)
    if Organization.objects.filter(code=code).exists():
        raise InvalidInput.for_field("code", _("组织编码“{code}”已被使用").format(code=code), code="code_taken")
    org = Organization.objects.create(name=name, code=code, kind=kind, parent=parent)
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.depth = parent.depth + 1 if parent else 0
    org.save(update_fields=["path", "depth"])
    record_event(
        audit_events.ORG_CREATED,
        actor=actor,
        target=org,
        data={"name": name, "code": code, "kind": kind, "parent": parent.pk if parent else None},
    )
    return org


@transaction.atomic(durable=True)
def update_organization(
    org_id: int, *, actor: User, name: str | None = None, parent: Organization | None = _UNSET
) -> Organization:
    """Rename an organisation and/or move it (with everything below it) under another parent.

    A move that would put an organisation below itself is refused. The administrator must
    cover the organisation where it is and where it goes. Audited with old and new values.
    """
    _lock_tree()
    org = Organization.objects.select_for_update(of=("self",)).get(pk=org_id)
    if not permissions.can_manage_org(actor, org):
        raise NotPermitted(target=_org_target(org))
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    if name is not None and name != org.name:
        old["name"], new["name"] = org.name, name
        org.name = name
    if parent is not _UNSET and (parent.pk if parent else None) != org.parent_id:
        if parent is not None and parent.path.startswith(org.path):
            raise OrgCycle(errors={"parent": [str(OrgCycle.message)]})
        if not permissions.can_manage_org(actor, parent):
            raise NotPermitted(target=_org_target(parent))
        _check_parent_kind(OrgKind(org.kind), parent)
        old["parent"], new["parent"] = org.parent_id, parent.pk if parent else None
        old_path, old_depth = org.path, org.depth
        new_path = f"{parent.path if parent else '/'}{org.pk}/"
        new_depth = parent.depth + 1 if parent else 0
        # One statement moves the whole subtree: the old prefix of every path is replaced.
        Organization.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (new_depth - old_depth),
        )
        org.refresh_from_db(fields=["path", "depth"])
        org.parent = parent
    if not new:
        return org
    org.save(update_fields=["name", "parent"])
    record_event(audit_events.ORG_UPDATED, actor=actor, target=org, data={"old": old, "new": new})
    return org


def _validate_new_password(password: str, user: User, *, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(errors={field: list(exc.messages)}, code="weak_password") from None


def _validate_phone(phone: str) -> str:
    """The phone in its one canonical spelling (``config.masking.normalize_phone``), or 400."""
    phone = normalize_phone(phone)
    if phone and not PHONE_RE.match(phone):
        raise InvalidInput.for_field(
            "phone", _("手机号格式不正确（11 位手机号，或区号-座机号）"), code="invalid_phone"
        )
    return phone


def _revoke_tokens(user: User) -> int:
    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic(durable=True)
def create_user(
    *,
    actor: User,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    org: Organization | None,
    must_change_password: bool = True,
) -> User:
    """Create an account belonging to ``org``; only a system administrator covering ``org`` may (三员分立).

    The password must pass the password rules and is an initial one: the owner must change it at
    the first sign-in (``must_change_password=False`` only for the demo accounts, whose password
    the README prints). Audited as ``user.created`` (no password, masked phone).
    """
    if not permissions.can_manage_accounts(actor, org):
        raise NotPermitted(target=_org_target(org))
    if User.objects.filter(username=username).exists():
        raise InvalidInput.for_field("username", _("用户名“{u}”已被使用").format(u=username), code="username_taken")
    phone = _validate_phone(phone)
    user = User(
        username=username, display_name=display_name, phone=phone, org=org, must_change_password=must_change_password
    )
    _validate_new_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    record_event(
        audit_events.USER_CREATED,
        actor=actor,
        target=user,
        data={
            "must_change_password": must_change_password,
            "username": username,
            "display_name": display_name,
            "phone": mask_phone(phone),
            "org": org.pk if org else None,
        },
    )
    return user


def _lock_user(user_id: int) -> User:
    return User.objects.select_for_update(of=("self",)).select_related("org").get(pk=user_id)


@transaction.atomic(durable=True)
def update_user(
    user_id: int,
    *,
    actor: User,
    display_name: str | None = None,
    phone: str | None = None,
    org: Organization | None = _UNSET,
    is_active: bool | None = None,
) -> User:
    """Change another person's account; disabling it revokes every token it holds.

    Only a system administrator covering the account's organisation (and, for a move, the
    new one) may; nobody changes their own account here. Audited with old and new values.
    """
    target = _lock_user(user_id)
    if target.pk == actor.pk:
        raise SelfManagementForbidden(target=("accounts.user", str(target.pk)))
    if not permissions.can_manage_user(actor, target):
        raise NotPermitted(target=("accounts.user", str(target.pk)))
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    if display_name is not None and display_name != target.display_name:
        old["display_name"], new["display_name"] = target.display_name, display_name
        target.display_name = display_name
    phone = _validate_phone(phone) if phone is not None else None
    if phone is not None and phone != target.phone:
        old["phone"], new["phone"] = mask_phone(target.phone), mask_phone(phone)
        target.phone = phone
    if org is not _UNSET and (org.pk if org else None) != target.org_id:
        if not permissions.can_manage_accounts(actor, org):
            raise NotPermitted(target=_org_target(org))
        old["org"], new["org"] = target.org_id, org.pk if org else None
        target.org = org
    action = audit_events.USER_UPDATED
    if is_active is not None and is_active != target.is_active:
        old["is_active"], new["is_active"] = target.is_active, is_active
        target.is_active = is_active
        action = audit_events.USER_ENABLED if is_active else audit_events.USER_DISABLED
        if not is_active:
            new["tokens_revoked"] = _revoke_tokens(target)
    if not new:
        return target
    target.save(update_fields=["display_name", "phone", "org", "is_active"])
    record_event(action, actor=actor, target=target, data={"old": old, "new": new})
    return target


RESET_CODE_VALIDITY = timedelta(minutes=30)
RESET_CODE_MAX_ATTEMPTS = 5


def _reset_code_hash(user_id: int, code: str) -> str:
    """Keyed hash of a reset code (the code itself is never stored)."""
    message = f"password-reset:{user_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic(durable=True)
def issue_reset_code(user_id: int, *, actor: User) -> PasswordResetCode:
    """Send the owner of an account a one-time code to set a new password (system administrator).

    三员分立: the administrator never chooses or sees a usable password. The code (8 digits,
    valid ``RESET_CODE_VALIDITY``, ``RESET_CODE_MAX_ATTEMPTS`` wrong tries, once) goes to the
    account's phone / e-mail through ``signals.password_reset_code_issued`` (notifications writes
    the outbox row in this transaction); earlier unused codes stop working. Audited without the code.
    """
    target = _lock_user(user_id)
    if target.pk == actor.pk:
        raise SelfManagementForbidden(target=("accounts.user", str(target.pk)))
    if not permissions.can_manage_user(actor, target):
        raise NotPermitted(target=("accounts.user", str(target.pk)))
    if not target.phone and not target.email:
        raise NoContactChannel(target=("accounts.user", str(target.pk)))
    now = timezone.now()
    PasswordResetCode.objects.filter(user=target, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = f"{secrets.randbelow(10**8):08d}"
    record = PasswordResetCode.objects.create(
        user=target, code_hash=_reset_code_hash(target.pk, code), issued_by=actor, expires_at=now + RESET_CODE_VALIDITY
    )
    receivers = signals.password_reset_code_issued.send(
        sender=User, user=target, code=code, expires_at=record.expires_at, code_id=record.pk
    )
    if not receivers:
        raise RuntimeError("no receiver delivers password reset codes (is notifications installed?)")
    channels = [name for name, value in (("sms", target.phone), ("email", target.email)) if value]
    record_event(
        audit_events.PASSWORD_RESET_CODE_ISSUED,
        actor=actor,
        target=target,
        data={"code_id": record.pk, "channels": channels, "expires_at": record.expires_at},
    )
    return record


def reset_password_with_code(*, username: str, code: str, new_password: str) -> tuple[User, str]:
    """Set a new password with a reset code the owner received; returns (user, a new API token).

    A wrong code counts against the code's attempts and is audited, in a transaction of its
    own that survives the refusal; success revokes every token and uses the code up.
    """
    user, wrong = _use_reset_code(username=username, code=code, new_password=new_password)
    if wrong or user is None:
        raise InvalidResetCode(errors={"code": [str(InvalidResetCode.message)]})
    return user, _issue_token(user)


@transaction.atomic(durable=True)
def _use_reset_code(*, username: str, code: str, new_password: str) -> tuple[User | None, bool]:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        return None, True
    record = (
        PasswordResetCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )
    if record is None or record.attempts >= RESET_CODE_MAX_ATTEMPTS:
        return None, True
    if not hmac.compare_digest(record.code_hash, _reset_code_hash(user.pk, code.strip())):
        record.attempts += 1
        record.save(update_fields=["attempts"])
        record_event(
            audit_events.PASSWORD_RESET_CODE_FAILED,
            actor=None,
            target=user,
            data={"code_id": record.pk, "attempts": record.attempts},
        )
        return None, True
    user = _lock_user(user.pk)
    _validate_new_password(new_password, user, field="new_password")
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record.used_at = timezone.now()
    record.save(update_fields=["used_at"])
    lockout.clear_failures(user.username)  # the owner proved who they are: the lockout is lifted
    revoked = _revoke_tokens(user)
    record_event(
        audit_events.PASSWORD_RESET,
        actor=user,
        target=user,
        data={"code_id": record.pk, "issued_by": record.issued_by_id, "tokens_revoked": revoked},
    )
    return user, False


@transaction.atomic(durable=True)
def change_password(*, actor: User, old_password: str, new_password: str) -> User:
    """Change one's own password; every token of the account is revoked (log in again)."""
    user = _lock_user(actor.pk)
    if not user.check_password(old_password):
        raise InvalidInput.for_field("old_password", _("原密码不正确"), code="wrong_password")
    if old_password == new_password:
        raise InvalidInput.for_field("new_password", _("新密码不能与原密码相同"), code="password_unchanged")
    _validate_new_password(new_password, user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    revoked = _revoke_tokens(user)
    record_event(audit_events.PASSWORD_CHANGED, actor=user, target=user, data={"tokens_revoked": revoked})
    return user


@transaction.atomic(durable=True)
def grant_role(*, actor: User, user_id: int, role: Role, org: Organization | None) -> Grant:
    """Grant ``role`` at ``org`` to a user.

    Locks the receiving account so that two grants to it cannot together break 三员分立.
    Refused: a grant to oneself; an organisation outside the actor's administration; a role
    not meant for that kind of organisation; a role that 三员分立 forbids next to one held.
    """
    role = Role(role)
    target = _lock_user(user_id)
    if target.pk == actor.pk:
        raise SelfGrantForbidden(target=("accounts.user", str(target.pk)))
    if not permissions.can_manage_grants(actor, org):
        raise NotPermitted(target=_org_target(org))
    if org is None and role not in SYSTEM_WIDE_ROLES:
        raise InvalidInput.for_field("org", _("只有三员角色可以在全系统范围授予，请指定组织"), code="org_required")
    if org is not None and OrgKind(org.kind) not in ROLE_ORG_KINDS[role]:
        kinds = "、".join(str(k.label) for k in OrgKind if k in ROLE_ORG_KINDS[role])
        raise InvalidInput.for_field(
            "org",
            _("角色“{role}”只能在以下类型的组织授予：{kinds}").format(role=role.label, kinds=kinds),
            code="role_org_mismatch",
        )
    held = Grant.objects.filter(user=target).values_list("role", flat=True)
    conflicts = permissions.conflicting_roles(role, held)
    if conflicts:
        raise DutiesConflict(target=("accounts.user", str(target.pk)), conflicts=sorted(conflicts))
    if Grant.objects.filter(user=target, role=role, org=org).exists():
        raise GrantExists(target=("accounts.user", str(target.pk)))
    grant = Grant.objects.create(user=target, role=role, org=org, granted_by=actor)
    record_event(
        audit_events.GRANT_CREATED,
        actor=actor,
        target=grant,
        data={"user": target.pk, "username": target.username, "role": role, "org": org.pk if org else None},
    )
    return grant


@transaction.atomic(durable=True)
def revoke_grant(grant_id: int, *, actor: User) -> None:
    """Take a grant back; nobody revokes their own.

    (So the last system-wide security administrator always stays: only another one could
    revoke that grant.)
    """
    grant = Grant.objects.select_for_update(of=("self",)).select_related("org", "user").get(pk=grant_id)
    if grant.user_id == actor.pk:
        raise SelfGrantForbidden(target=("accounts.grant", str(grant.pk)))
    if not permissions.can_manage_grants(actor, grant.org):
        raise NotPermitted(target=("accounts.grant", str(grant.pk)))
    data = {"user": grant.user_id, "username": grant.user.username, "role": grant.role, "org": grant.org_id}
    grant_ref = ("accounts.grant", str(grant.pk))
    grant.delete()
    record_event(audit_events.GRANT_REVOKED, actor=actor, target=grant_ref, data=data)


# --- signing in -----------------------------------------------------------------------------


def _authenticate(*, request: HttpRequest, username: str, password: str) -> User:
    """The account these credentials open, or the refusal: a failure is counted (django-axes)
    and audited, and a locked-out caller is told how to get back in."""
    user = authenticate(request=request, username=username, password=password)
    if user is None:
        locked = bool(getattr(request, "axes_locked_out", False))
        _record_login_failure(username=username, locked=locked)
        if locked:
            raise LockedOut(lockout.lockout_help())
        raise InvalidCredentials()
    assert isinstance(user, User)
    return user


def log_in(*, request: HttpRequest, username: str, password: str) -> tuple[User, str]:
    """Check the credentials and issue an API token; returns (user, token).

    Not one transaction on purpose: django-axes records a failure in its own write, which must
    survive the refusal; success and failure are each audited in a durable transaction.
    """
    user = _authenticate(request=request, username=username, password=password)
    if not user.is_active:  # pragma: no cover - ModelBackend already refuses inactive accounts
        raise AccountDisabled()
    if user.must_change_password:
        raise PasswordChangeRequired(target=("accounts.user", str(user.pk)))
    return user, _issue_token(user)


def change_password_with_credentials(
    *, request: HttpRequest, username: str, password: str, new_password: str
) -> tuple[User, str]:
    """Set one's own password by username and current password, then issue a token; returns (user, token).

    The way out of ``password_change_required`` at the first sign-in (api.md, Accounts); open to
    every account. The credentials are checked like a sign-in (django-axes counts failures, the
    failure is audited); the change itself is ``_set_own_password``, atomic and audited.
    """
    user = _authenticate(request=request, username=username, password=password)
    user = _set_own_password(user.pk, old_password=password, new_password=new_password)
    return user, _issue_token(user)


@transaction.atomic(durable=True)
def _set_own_password(user_id: int, *, old_password: str, new_password: str) -> User:
    user = _lock_user(user_id)
    if old_password == new_password:
        raise InvalidInput.for_field("new_password", _("新密码不能与原密码相同"), code="password_unchanged")
    _validate_new_password(new_password, user, field="new_password")
    first = user.must_change_password
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    revoked = _revoke_tokens(user)
    record_event(
        audit_events.PASSWORD_CHANGED,
        actor=user,
        target=user,
        data={"tokens_revoked": revoked, "first_sign_in": first},
    )
    return user


@transaction.atomic(durable=True)
def _issue_token(user: User) -> str:
    # Expired tokens of the account go here, not on every request (accounts/api/authentication.py).
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, token = AuthToken.objects.create(user=user)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    record_event(
        audit_events.LOGIN_SUCCEEDED,
        actor=user,
        target=user,
        data={"token_key": instance.token_key, "expires_at": instance.expiry},
    )
    return token


@transaction.atomic(durable=True)
def _record_login_failure(*, username: str, locked: bool) -> None:
    _record_login_failure_inner(username=username, locked=locked, channel="api")


@transaction.atomic(durable=True)
def log_out(*, actor: User, token: AuthToken) -> None:
    """Revoke the token the request came with."""
    AuthToken.objects.filter(pk=token.pk).delete()
    record_event(audit_events.LOGGED_OUT, actor=actor, target=actor, data={"token_key": token.token_key})


@transaction.atomic(durable=True)
def bootstrap_admin(*, role: Role, username: str, password: str, display_name: str = "") -> User:
    """Create a system-wide security or system administrator from the command line (no acting user).

    Refuses an existing username and a weak password; audited with the system as actor. The
    password is the operator's own (taken from ADMIN_PASSWORD), so no change is forced at the
    first sign-in.
    """
    role = Role(role)
    assert role in (Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN), role
    if User.objects.filter(username=username).exists():
        raise InvalidInput.for_field("username", _("用户名“{u}”已存在").format(u=username), code="username_taken")
    user = User(username=username, display_name=display_name)
    _validate_new_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    grant = Grant.objects.create(user=user, role=role, org=None)
    record_event(audit_events.USER_CREATED, actor=None, target=user, data={"username": username, "bootstrap": True})
    record_event(
        audit_events.GRANT_CREATED,
        actor=None,
        target=grant,
        data={"user": user.pk, "username": username, "role": role, "org": None},
    )
    return user


def bootstrap_security_admin(*, username: str, password: str, display_name: str = "") -> User:
    """``bootstrap_admin`` for the first security administrator (``manage.py create_security_admin``)."""
    return bootstrap_admin(role=Role.SECURITY_ADMIN, username=username, password=password, display_name=display_name)


def bootstrap_system_admin(*, username: str, password: str, display_name: str = "") -> User:
    """``bootstrap_admin`` for the first system administrator (``manage.py create_system_admin``)."""
    return bootstrap_admin(role=Role.SYSTEM_ADMIN, username=username, password=password, display_name=display_name)


@transaction.atomic(durable=True)
def record_session_login(*, user: User | None, succeeded: bool, username: str = "") -> None:
    """Audit a sign-in through the web login page (the session is Django's)."""
    if succeeded and user is not None:
        record_event(audit_events.LOGIN_SUCCEEDED, actor=user, target=user, data={"channel": "web"})
    else:
        _record_login_failure_inner(username=username, locked=False, channel="web")


def _record_login_failure_inner(*, username: str, locked: bool, channel: str) -> None:
    user = User.objects.filter(username=username).first()
    target: User | tuple[str, str] = user if user is not None else ("auth.username", username[:64])
    action = audit_events.LOGIN_LOCKED_OUT if locked else audit_events.LOGIN_FAILED
    record_event(action, actor=None, target=target, data={"username": username[:150], "channel": channel})
