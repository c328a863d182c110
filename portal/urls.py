"""Pages that compose several apps (the home page itself is mounted at "" by config/urls.py, named "home")."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("campaigns/<id:pk>/dashboard", views.dashboard, name="dashboard"),
]
