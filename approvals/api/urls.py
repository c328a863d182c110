from django.urls import path

from approvals.api import campaigns, entrants, imports, nominations, publicity, revisions, tasks, templates
from approvals.models import SignOff

# Campaigns (workflows' model; here because a campaign's response carries its quota usage).
urlpatterns = [
    path("campaigns", campaigns.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/<id:pk>", campaigns.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<id:pk>/open", campaigns.CampaignTransitionView.as_view(transition="open"), name="campaign-open"),
    path(
        "campaigns/<id:pk>/close", campaigns.CampaignTransitionView.as_view(transition="close"), name="campaign-close"
    ),
    path(
        "campaigns/<id:pk>/reopen",
        campaigns.CampaignTransitionView.as_view(transition="reopen"),
        name="campaign-reopen",
    ),
    path(
        "campaigns/<id:pk>/start-review",
        campaigns.CampaignTransitionView.as_view(transition="start_review"),
        name="campaign-start-review",
    ),
    path("campaigns/<id:pk>/templates", templates.CampaignTemplatesView.as_view(), name="campaign-templates"),
    path(
        "campaigns/<id:pk>/templates/<id:template_id>",
        templates.CampaignTemplateDetailView.as_view(),
        name="campaign-template",
    ),
    # Entrant lists with 顺延 (issue 17)
    path("campaigns/<id:pk>/entrants", entrants.EntrantListsView.as_view(), name="campaign-entrants"),
    path("campaigns/<id:pk>/entrants/<str:kind>", entrants.EntrantListView.as_view(), name="campaign-entrant-list"),
    path(
        "campaigns/<id:pk>/entrants/<str:kind>/decline",
        entrants.EntrantDeclineView.as_view(),
        name="campaign-entrant-decline",
    ),
]

urlpatterns += [
    path("nominations", nominations.NominationListView.as_view(), name="nomination-list"),
    path("nominations/<id:pk>", nominations.NominationDetailView.as_view(), name="nomination-detail"),
    path("nominations/<id:pk>/submit", nominations.NominationSubmitView.as_view(), name="nomination-submit"),
    path(
        "nominations/<id:pk>/attachments",
        nominations.NominationAttachmentsView.as_view(),
        name="nomination-attachments",
    ),
    path("attachments/<id:pk>", nominations.AttachmentDetailView.as_view(), name="attachment-detail"),
    path(
        "nominations/<id:pk>/supplements",
        nominations.NominationSupplementsView.as_view(),
        name="nomination-supplements",
    ),
]

# The sign-off chain (api.md, Sign-off tasks).
urlpatterns += [
    path("tasks", tasks.TaskListView.as_view(), name="task-list"),
    path("tasks/approve-batch", tasks.TaskBatchApproveView.as_view(), name="task-approve-batch"),
    path("tasks/<id:pk>/transfer", tasks.TaskTransferView.as_view(), name="task-transfer"),
    path("tasks/<id:pk>/add-signer", tasks.TaskAddSignerView.as_view(), name="task-add-signer"),
    path("nominations/<id:pk>/seals", tasks.NominationSealsView.as_view(), name="nomination-seals"),
    path("public/verify/<str:code>", tasks.PublicVerifyView.as_view(), name="public-verify"),
    path(
        "tasks/<id:pk>/approve", tasks.TaskDecisionView.as_view(decision=SignOff.Decision.APPROVE), name="task-approve"
    ),
    path("tasks/<id:pk>/return", tasks.TaskReturnView.as_view(), name="task-return"),
    path("tasks/<id:pk>/reject", tasks.TaskDecisionView.as_view(decision=SignOff.Decision.REJECT), name="task-reject"),
    path("nominations/<id:pk>/withdraw", tasks.NominationWithdrawView.as_view(), name="nomination-withdraw"),
    path("nominations/<id:pk>/verify", tasks.NominationVerifyView.as_view(), name="nomination-verify"),
    # 代签 (issue 17)
    path("delegations", tasks.DelegationListView.as_view(), name="delegation-list"),
    path("delegations/<id:pk>/revoke", tasks.DelegationRevokeView.as_view(), name="delegation-revoke"),
]

# Excel import and export of a campaign's nominations (approvals/api/imports.py).
urlpatterns += [
    path("campaigns/<id:pk>/import-template", imports.ImportTemplateView.as_view(), name="campaign-import-template"),
    path("campaigns/<id:pk>/import", imports.ImportView.as_view(), name="campaign-import"),
    path("campaigns/<id:pk>/export", imports.ExportView.as_view(), name="campaign-export"),
]

# 公示, objections, revocation and finalisation (approvals/api/publicity.py).
urlpatterns += [
    path("campaigns/<id:pk>/publicity", publicity.CampaignPublicityView.as_view(), name="campaign-publicity"),
    path("campaigns/<id:pk>/finalize", publicity.CampaignFinalizeView.as_view(), name="campaign-finalize"),
    path("public/campaigns/<id:pk>/publicity", publicity.PublicPublicityView.as_view(), name="public-publicity"),
    path("public/objections", publicity.PublicObjectionsView.as_view(), name="public-objections"),
    path("public/objections/<str:receipt>", publicity.PublicObjectionReceiptView.as_view(), name="public-objection"),
    path("objections", publicity.ObjectionListView.as_view(), name="objection-list"),
    path("objections/<id:pk>", publicity.ObjectionDetailView.as_view(), name="objection-detail"),
    path("objections/<id:pk>/identity", publicity.ObjectionIdentityView.as_view(), name="objection-identity"),
    path(
        "objections/<id:pk>/evidence/<id:evidence>",
        publicity.ObjectionEvidenceView.as_view(),
        name="objection-evidence",
    ),
    path("objections/<id:pk>/assign", publicity.ObjectionAssignView.as_view(), name="objection-assign"),
    path("objections/<id:pk>/findings", publicity.ObjectionFindingView.as_view(), name="objection-findings"),
    path("objections/<id:pk>/decide", publicity.ObjectionDecideView.as_view(), name="objection-decide"),
    path("nominations/<id:pk>/revoke", publicity.NominationRevokeView.as_view(), name="nomination-revoke"),
]

# Revision after selection (修改完善, issue 17; approvals/api/revisions.py).
urlpatterns += [
    path(
        "campaigns/<id:pk>/revision-windows",
        revisions.CampaignRevisionWindowsView.as_view(),
        name="campaign-revision-windows",
    ),
    path("revision-windows/<id:pk>/close", revisions.RevisionWindowCloseView.as_view(), name="revision-window-close"),
    path("nominations/<id:pk>/revisions", revisions.NominationRevisionsView.as_view(), name="nomination-revisions"),
    path(
        "nominations/<id:pk>/revisions/diff",
        revisions.NominationRevisionDiffView.as_view(),
        name="nomination-revision-diff",
    ),
]
