"""Pages that compose several apps (the home page itself is mounted at "" by config/urls.py, named "home")."""

from django.urls import path

from portal import campaign_setup, setup_judging, views

app_name = "portal"

urlpatterns = [
    path("campaigns/<id:pk>/dashboard", views.dashboard, name="dashboard"),
    # The campaign administrator's setup pages (portal/campaign_setup.py).
    path("campaign-setup/", campaign_setup.setup_list, name="campaign-setup-list"),
    path("campaign-setup/new", campaign_setup.setup_new, name="campaign-setup-new"),
    path("campaign-setup/<id:pk>/", campaign_setup.setup_overview, name="campaign-setup"),
    path("campaign-setup/<id:pk>/basics", campaign_setup.setup_basics, name="campaign-setup-basics"),
    path("campaign-setup/<id:pk>/stages", campaign_setup.setup_stages, name="campaign-setup-stages"),
    path("campaign-setup/<id:pk>/forms/<slug:kind>", campaign_setup.setup_form, name="campaign-setup-form"),
    path("campaign-setup/<id:pk>/rules", campaign_setup.setup_rules, name="campaign-setup-rules"),
    path(
        "campaign-setup/<id:pk>/rules/<slug:kind>",
        campaign_setup.setup_eligibility,
        name="campaign-setup-eligibility",
    ),
    path("campaign-setup/<id:pk>/rounds", setup_judging.setup_rounds, name="campaign-setup-rounds"),
    path("campaign-setup/<id:pk>/tiers", setup_judging.setup_tiers, name="campaign-setup-tiers"),
    path("campaign-setup/<id:pk>/supplements", setup_judging.setup_supplements, name="campaign-setup-supplements"),
    path(
        "campaign-setup/<id:pk>/entrants/<slug:kind>",
        setup_judging.setup_entrants,
        name="campaign-setup-entrants",
    ),
    path("campaign-setup/<id:pk>/status", campaign_setup.setup_status, name="campaign-setup-status"),
]
