"""Web pages of the accounts package: login, logout, password change; the security administrator's pages."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import web, web_security

app_name = "accounts"

urlpatterns = [
    path("login/", web.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/first/", web.FirstPasswordView.as_view(), name="first-password"),
    path("password/reset/", web.ResetWithCodeView.as_view(), name="password-reset"),
    path(
        "password/",
        web.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:login")),
        name="password_change",
    ),
    # "<id:…>": the bigint-bounded converter that accounts/api/urls.py registers (included first).
    path("security/", web_security.org_tree, name="security-orgs"),
    path("security/orgs/<id:pk>", web_security.org_detail, name="security-org"),
    path("security/users/", web_security.user_list, name="security-users"),
    path("security/users/<id:pk>", web_security.user_detail, name="security-user"),
    path("security/users/<id:pk>/change", web_security.user_change, name="security-user-change"),
]
