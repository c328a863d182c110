"""Account pages (sign-in, password; session auth with CSRF); state changes go through accounts.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic.edit import FormView

from accounts import actions
from accounts.models import User
from config.errors import InvalidInput, SealflowError


class LoginView(auth_views.LoginView):
    """Django's login page (django-axes guards it), with each sign-in and failure audited."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if user.must_change_password:
            # The initial password was chosen by the system administrator: no session until the
            # owner has set their own (the next page asks for it, with the same credentials).
            messages.info(self.request, _("首次登录须先修改初始密码。"))
            query = urlencode({"username": user.username, "next": self.get_success_url()})
            return HttpResponseRedirect(f"{reverse('accounts:first-password')}?{query}")
        response = super().form_valid(form)
        actions.record_session_login(user=user, succeeded=True)
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


class _NewPasswordForm(forms.Form):
    """A new password typed twice, which must agree."""

    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, max_length=256, strip=False)
    new_password2 = forms.CharField(label=_("确认新密码"), widget=forms.PasswordInput, max_length=256, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data


class FirstPasswordForm(_NewPasswordForm):
    field_order = ["username", "password", "new_password", "new_password2"]
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, max_length=256, strip=False)


class FirstPasswordView(FormView):
    """The first sign-in of an account created by the system administrator: set one's own password,
    then be signed in (``accounts.actions.change_password_with_credentials``: axes and audit apply)."""

    form_class = FirstPasswordForm
    template_name = "accounts/password_first.html"

    def get_initial(self) -> dict[str, Any]:
        return {"username": self.request.GET.get("username", "")}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(next=self._next(), **kwargs)

    def _next(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        allowed = url_has_allowed_host_and_scheme(target, {self.request.get_host()}, self.request.is_secure())
        return target if allowed else "/"

    def form_valid(self, form: FirstPasswordForm) -> HttpResponse:
        try:
            user, _token = actions.change_password_with_credentials(
                request=self.request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                new_password=form.cleaned_data["new_password"],
            )
        except InvalidInput as exc:
            for field, errors in exc.errors.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            if not exc.errors:
                form.add_error(None, exc.detail)
            return self.form_invalid(form)
        except SealflowError as exc:  # locked out
            form.add_error(None, exc.detail)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        actions.record_session_login(user=user, succeeded=True)
        messages.success(self.request, _("密码已修改。"))
        return HttpResponseRedirect(self._next())


class AdminLoginForm(AdminAuthenticationForm):
    """The admin site's sign-in: an account with its initial password is sent to set its own first."""

    def confirm_login_allowed(self, user: Any) -> None:
        if getattr(user, "must_change_password", False):
            raise forms.ValidationError(
                _("首次登录须先修改初始密码，请在 %(url)s 设置新密码后再进入管理后台。"),
                code="password_change_required",
                params={"url": reverse("accounts:first-password")},
            )
        super().confirm_login_allowed(user)


class ResetWithCodeForm(_NewPasswordForm):
    field_order = ["username", "code", "new_password", "new_password2"]
    username = forms.CharField(label=_("用户名"), max_length=150)
    code = forms.CharField(label=_("验证码"), max_length=16)


class ResetWithCodeView(FormView):
    """Set a new password with the one-time code the system administrator had sent to one's phone / e-mail."""

    form_class = ResetWithCodeForm
    template_name = "accounts/password_reset.html"

    def get_initial(self) -> dict[str, Any]:
        return {"username": self.request.GET.get("username", "")}

    def form_valid(self, form: ResetWithCodeForm) -> HttpResponse:
        try:
            user, _token = actions.reset_password_with_code(
                username=form.cleaned_data["username"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password"],
            )
        except InvalidInput as exc:
            for field, errors in exc.errors.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        actions.record_session_login(user=user, succeeded=True)
        messages.success(self.request, _("密码已重置，您已登录。"))
        return HttpResponseRedirect("/")
