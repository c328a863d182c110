"""Pages of the administrators: the organisation tree and grants (安全管理员), accounts (系统管理员).

三员分立: both administrators reach the account pages, each with the forms of its own part; the
actions refuse the other part anyway (403, audited).

Reads start from ``accounts.selectors`` (the administrator's scope); every change is one
``accounts.actions`` call, which re-checks authority and 三员分立 and writes the audit event.
A refusal is shown in Chinese and (403) audited; nothing is half-saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import actions, permissions, selectors
from accounts.models import Organization, User
from accounts.roles import OrgKind, Role
from config.errors import InvalidInput, NotPermitted, NotVisible, SealflowError
from config.masking import mask_phone
from config.web.errors import audit_refusal, report

LIST_LIMIT = 500


def _admin(request: HttpRequest, *, tree: bool = False) -> User:
    """The signed-in administrator (the tree: security only; accounts: security or system); else 403, audited."""
    user = request.user
    assert isinstance(user, User)
    allowed = permissions.is_security_admin(user) if tree else permissions.can_use_account_pages(user)
    if not allowed:
        raise NotPermitted(target=("accounts.user", str(user.pk)))
    return user


def _admin_and_account(request: HttpRequest, pk: int) -> tuple[User, User]:
    """The security administrator and an account in their scope (404 outside it, as for missing)."""
    user = _admin(request)
    try:
        return user, selectors.get_visible_user(user, pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc


def _refused(request: HttpRequest, exc: SealflowError) -> HttpResponse:
    audit_refusal(request, exc)
    return render(request, "403.html", {"detail": exc.detail}, status=403)


def _org(user: User, raw: str | None) -> Organization | None:
    """The organisation named by a form's select (blank: none), in the administrator's scope."""
    if not raw:
        return None
    try:
        return selectors.get_visible_org(user, int(raw))
    except (ValueError, NotVisible) as exc:
        raise InvalidInput.for_field("org", _("请选择组织")) from exc


def _report(request: HttpRequest, exc: SealflowError) -> None:
    report(request, exc)


def _typed(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str]:
    """What a refused form held, to show it again (``typed`` is truthy: the answer is a 400)."""
    return {"refused": "1", **{name: request.POST.get(name, "").strip() for name in names}}


@login_required
def org_tree(request: HttpRequest) -> HttpResponse:
    """The organisation tree in the administrator's scope, and a form to add an organisation."""
    try:
        user = _admin(request, tree=True)
    except NotPermitted as exc:
        return _refused(request, exc)
    typed: dict[str, str] = {}
    if request.method == "POST":
        try:
            parent = _org(user, request.POST.get("parent"))
            org = actions.create_organization(
                actor=user,
                name=request.POST.get("name", "").strip(),
                code=request.POST.get("code", "").strip(),
                kind=OrgKind(request.POST.get("kind") or OrgKind.UNIT),
                parent=parent,
            )
        except (ValueError, SealflowError) as exc:
            if isinstance(exc, SealflowError):
                _report(request, exc)
            else:
                messages.error(request, _("请选择组织类型"))
            # Refused: the same page again with what was typed, never an emptied form.
            typed = _typed(request, ("name", "code", "kind", "parent"))
        else:
            messages.success(request, _("已创建组织“{name}”").format(name=org.name))
            return HttpResponseRedirect(reverse("accounts:security-orgs"))
    orgs = list(selectors.list_orgs(user).order_by("path")[:LIST_LIMIT])
    top = min((o.depth for o in orgs), default=0)
    rows = [{"org": o, "indent": range(o.depth - top)} for o in orgs]
    return render(
        request,
        "accounts/security_orgs.html",
        {"rows": rows, "orgs": orgs, "kinds": OrgKind.choices, "limit": LIST_LIMIT, "typed": typed},
        status=400 if typed else 200,
    )


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename an organisation or move it (with everything below it) under another parent
    (``accounts.actions.update_organization``: the same rules and audit as the API)."""
    try:
        user = _admin(request, tree=True)
        org = selectors.get_visible_org(user, pk)
    except NotPermitted as exc:
        return _refused(request, exc)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    typed: dict[str, str] = {}
    if request.method == "POST":
        try:
            actions.update_organization(
                org.pk,
                actor=user,
                name=request.POST.get("name", "").strip() or org.name,
                parent=_org(user, request.POST.get("parent")),
            )
        except SealflowError as exc:
            _report(request, exc)
            typed = _typed(request, ("name", "parent"))
        else:
            messages.success(
                request, _("已保存组织“{name}”").format(name=request.POST.get("name", "").strip() or org.name)
            )
            return HttpResponseRedirect(reverse("accounts:security-orgs"))
    # A parent may not be the organisation itself nor anything below it.
    parents = [o for o in selectors.list_orgs(user).order_by("path")[:LIST_LIMIT] if not o.path.startswith(org.path)]
    values = typed or {"name": org.name, "parent": str(org.parent_id or "")}
    return render(
        request,
        "accounts/security_org.html",
        {"org": org, "parents": parents, "values": values},
        status=400 if typed else 200,
    )


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    try:
        user = _admin(request)
    except NotPermitted as exc:
        return _refused(request, exc)
    typed: dict[str, str] = {}
    if request.method == "POST":
        try:
            created = actions.create_user(
                actor=user,
                username=request.POST.get("username", "").strip(),
                password=request.POST.get("password", ""),
                display_name=request.POST.get("display_name", "").strip(),
                phone=request.POST.get("phone", "").strip(),
                org=_org(user, request.POST.get("org")),
            )
        except SealflowError as exc:
            _report(request, exc)
            # Refused: the same page again with what was typed (but the password), not an emptied form.
            typed = _typed(request, ("username", "display_name", "phone", "org"))
        else:
            messages.success(request, _("已创建账户“{name}”，请为其授予角色").format(name=created.username))
            return HttpResponseRedirect(reverse("accounts:security-user", args=[created.pk]))
    q = request.GET.get("q", "").strip() or None
    users = list(selectors.list_users(user, q=q)[:LIST_LIMIT])
    orgs = list(selectors.list_orgs(user).order_by("path")[:LIST_LIMIT])
    context = {
        "users": users, "orgs": orgs, "q": q or "", "manages_accounts": permissions.is_system_admin(user),
        "typed": typed,
    }  # fmt: skip
    return render(request, "accounts/security_users.html", context, status=400 if typed else 200)


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: its grants (revoke), a grant form, enable / disable, password reset."""
    try:
        user, target = _admin_and_account(request, pk)
    except NotPermitted as exc:
        return _refused(request, exc)
    grants = list(selectors.list_grants(user, for_user=target.pk))
    orgs = list(selectors.list_orgs(user).order_by("path")[:LIST_LIMIT])
    context: dict[str, Any] = {
        "target": target,
        "grants": grants,
        "orgs": orgs,
        "roles": Role.choices,
        "phone": mask_phone(target.phone),
        "manages_accounts": permissions.can_manage_user(user, target),
        "manages_grants": permissions.is_security_admin(user),
    }
    return render(request, "accounts/security_user.html", context)


@login_required
@require_POST
def user_change(request: HttpRequest, pk: int) -> HttpResponse:
    """The forms of the account page: grant, revoke, enable / disable, send a password reset code."""
    try:
        user, target = _admin_and_account(request, pk)
    except NotPermitted as exc:
        return _refused(request, exc)
    what = request.POST.get("what")
    try:
        if what == "grant":
            role = Role(request.POST.get("role", ""))
            actions.grant_role(actor=user, user_id=target.pk, role=role, org=_org(user, request.POST.get("org")))
            messages.success(request, _("已授予角色“{role}”").format(role=role.label))
        elif what == "revoke":
            grant = selectors.get_visible_grant(user, int(request.POST.get("grant", "0")))
            actions.revoke_grant(grant.pk, actor=user)
            messages.success(request, _("已撤销角色“{role}”").format(role=grant.get_role_display()))
        elif what in ("disable", "enable"):
            actions.update_user(target.pk, actor=user, is_active=what == "enable")
            messages.success(request, _("账户已启用") if what == "enable" else _("账户已停用，其令牌已全部失效"))
        elif what == "password":
            actions.issue_reset_code(target.pk, actor=user)
            messages.success(request, _("重置验证码已发送到账户本人的手机或邮箱，30 分钟内有效"))
        else:
            messages.error(request, _("未知的操作"))
    except ValueError:
        messages.error(request, _("请选择角色"))
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    except SealflowError as exc:
        _report(request, exc)
    return HttpResponseRedirect(reverse("accounts:security-user", args=[target.pk]))
