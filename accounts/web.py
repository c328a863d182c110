"""Account pages (sign-in, password; session auth with CSRF); state changes go through accounts.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.generic.edit import FormView

from accounts import actions
from accounts.models import User
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
