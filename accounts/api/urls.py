from django.urls import path, register_converter

from accounts.api import views
from config.api.converters import IdConverter

register_converter(IdConverter, "id")

urlpatterns = [
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/password", views.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/password/reset", views.PasswordResetWithCodeView.as_view(), name="auth-password-reset"),
    path("me", views.MeView.as_view(), name="me"),
    path("orgs", views.OrgListView.as_view(), name="org-list"),
    path("orgs/<id:pk>", views.OrgDetailView.as_view(), name="org-detail"),
    path("users", views.UserListView.as_view(), name="user-list"),
    path("users/<id:pk>", views.UserDetailView.as_view(), name="user-detail"),
    path("users/<id:pk>/password", views.UserPasswordView.as_view(), name="user-password"),
    path("grants", views.GrantListView.as_view(), name="grant-list"),
    path("grants/<id:pk>", views.GrantDetailView.as_view(), name="grant-detail"),
    path("roles", views.RoleListView.as_view(), name="role-list"),
]
