"""Web pages of the accounts package: login, logout, password change, home."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import web

app_name = "accounts"

urlpatterns = [
    path("login/", web.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        web.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:login")),
        name="password_change",
    ),
]
