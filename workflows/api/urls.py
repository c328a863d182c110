from django.urls import path

from workflows.api import views

urlpatterns = [
    path("campaigns", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/<id:pk>", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<id:pk>/open", views.CampaignTransitionView.as_view(transition="open"), name="campaign-open"),
    path("campaigns/<id:pk>/close", views.CampaignTransitionView.as_view(transition="close"), name="campaign-close"),
    path(
        "campaigns/<id:pk>/reopen", views.CampaignTransitionView.as_view(transition="reopen"), name="campaign-reopen"
    ),
    path(
        "campaigns/<id:pk>/start-review",
        views.CampaignTransitionView.as_view(transition="start_review"),
        name="campaign-start-review",
    ),
]
