"""Web views (Chinese pages, session auth with CSRF); state changes go through accounts.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.generic.edit import FormView

from accounts import actions, permissions
from accounts.models import Grant, User
from accounts.roles import Role
from config.errors import InvalidInput


class LoginView(auth_views.LoginView):
    """Django's login page (django-axes guards it), with each sign-in and failure audited."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        actions.record_session_login(user=form.get_user(), succeeded=True)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        actions.record_session_login(user=None, succeeded=False, username=form.data.get("username", ""))
        return super().form_invalid(form)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("确认新密码"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(auth_views.PasswordContextMixin, FormView):
    """Change one's own password through ``accounts.actions.change_password``, then sign in again."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    title = _("修改密码")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        user = self.request.user
        assert isinstance(user, User)
        try:
            actions.change_password(
                actor=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except InvalidInput as exc:
            for field, messages in exc.errors.items():
                target = "new_password" if field == "password" else field
                for message in messages:
                    form.add_error(target if target in form.fields else None, message)
            return self.form_invalid(form)
        logout(self.request)
        return HttpResponseRedirect(str(self.get_success_url()))


REVIEW_ROLES = frozenset(
    {Role.UNIT_LEADER, Role.PARTY_SECRETARY, Role.DISTRICT_REVIEWER, Role.CITY_REVIEWER, Role.COMMITTEE}
)
NOMINATION_ROLES = frozenset({Role.SUBMITTER, Role.UNIT_LEADER})
CAMPAIGN_ROLES = frozenset(
    {Role.SUBMITTER, Role.UNIT_LEADER, Role.PARTY_SECRETARY, Role.DISTRICT_REVIEWER, Role.CITY_REVIEWER,
     Role.COMMITTEE, Role.CAMPAIGN_ADMIN, Role.JUDGE}
)  # fmt: skip
ADMIN_SITE_ROLES = frozenset({Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN, Role.CAMPAIGN_ADMIN})


def roles_of(request: HttpRequest) -> frozenset[str]:
    """The roles the signed-in user holds anywhere (one query per request, cached on the request)."""
    cached = getattr(request, "_sealflow_roles", None)
    if cached is None:
        user = request.user
        cached = (
            frozenset(Grant.objects.filter(user_id=user.pk, user__is_active=True).values_list("role", flat=True))
            if user.is_authenticated
            else frozenset()
        )
        request._sealflow_roles = cached  # type: ignore[attr-defined]
    return cached


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context: the navigation items this user's roles call for (templates/base.html).

    Navigation only shows the way; every page checks scope and authority itself.
    """
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    roles = roles_of(request)
    items: list[tuple[str, str]] = [("home", str(_("首页")))]
    if roles & NOMINATION_ROLES:
        items.append(("approvals:my-nominations", str(_("我的申报"))))
    if roles & REVIEW_ROLES:
        items.append(("approvals:inbox", str(_("待办审批"))))
    if roles & CAMPAIGN_ROLES:
        items.append(("workflows:campaigns", str(_("评选活动"))))
    items.append(("notifications:list", str(_("通知"))))
    if Role.AUDITOR in roles:
        items.append(("audit:audit", str(_("审计记录"))))
    if Role.SECURITY_ADMIN in roles:
        items.append(("accounts:security-orgs", str(_("组织机构"))))
        items.append(("accounts:security-users", str(_("账户与授权"))))
    if roles & ADMIN_SITE_ROLES:
        items.append(("admin:index", str(_("管理后台"))))
    from notifications import selectors as notification_selectors

    user = request.user
    assert isinstance(user, User)
    counts = {"notifications:list": notification_selectors.unread_count(user)}
    path = request.path
    result = []
    for name, label in items:
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        result.append({"url": url, "label": label, "active": active, "count": counts.get(name, 0)})
    return {"nav_items": result}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What waits for this person: tasks to decide, returned nominations, drafts, recent decisions."""
    from approvals import selectors as approval_selectors
    from approvals.models import Nomination

    user = request.user
    assert isinstance(user, User)
    roles = roles_of(request)
    grants = user.grants.select_related("org").order_by("id")
    context: dict[str, Any] = {"grants": grants, "roles": roles}
    if roles & REVIEW_ROLES:
        inbox = approval_selectors.list_inbox(user)
        context["task_count"] = inbox.count()
        context["overdue_count"] = approval_selectors.list_inbox(user, overdue=True).count()
        context["tasks"] = list(inbox[:5])
    if roles & NOMINATION_ROLES:
        mine = approval_selectors.visible_nominations(user).filter(
            unit__in=permissions.orgs_where(user, [Role.SUBMITTER])
        )
        context["returned"] = list(
            mine.filter(status=Nomination.Status.RETURNED).select_related("campaign").order_by("-updated_at")[:10]
        )
        context["drafts"] = list(
            mine.filter(status__in=[Nomination.Status.DRAFT, Nomination.Status.WITHDRAWN])
            .select_related("campaign")
            .order_by("-updated_at")[:10]
        )
        context["in_review_count"] = mine.filter(status=Nomination.Status.IN_REVIEW).count()
    from notifications import selectors as notification_selectors

    context["unread_count"] = notification_selectors.unread_count(user)
    context["unread"] = list(notification_selectors.list_notifications(user, unread=True).order_by("-id")[:5])
    return render(request, "home.html", context)
