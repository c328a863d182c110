from django.urls import path

from approvals.api import imports, nominations, tasks, views
from approvals.models import SignOff

urlpatterns = [
    path("audit", views.AuditListView.as_view(), name="audit-list"),
    path("audit/verify", views.AuditVerifyView.as_view(), name="audit-verify"),
    path("nominations", nominations.NominationListView.as_view(), name="nomination-list"),
    path("nominations/<id:pk>", nominations.NominationDetailView.as_view(), name="nomination-detail"),
    path("nominations/<id:pk>/submit", nominations.NominationSubmitView.as_view(), name="nomination-submit"),
    path(
        "nominations/<id:pk>/attachments",
        nominations.NominationAttachmentsView.as_view(),
        name="nomination-attachments",
    ),
    path("attachments/<id:pk>", nominations.AttachmentDetailView.as_view(), name="attachment-detail"),
]

# The sign-off chain (api.md, Sign-off tasks).
urlpatterns += [
    path("tasks", tasks.TaskListView.as_view(), name="task-list"),
    path("tasks/approve-batch", tasks.TaskBatchApproveView.as_view(), name="task-approve-batch"),
    path("tasks/<id:pk>/transfer", tasks.TaskTransferView.as_view(), name="task-transfer"),
    path("nominations/<id:pk>/seals", tasks.NominationSealsView.as_view(), name="nomination-seals"),
    path("public/verify/<str:code>", tasks.PublicVerifyView.as_view(), name="public-verify"),
    path(
        "tasks/<id:pk>/approve", tasks.TaskDecisionView.as_view(decision=SignOff.Decision.APPROVE), name="task-approve"
    ),
    path("tasks/<id:pk>/return", tasks.TaskDecisionView.as_view(decision=SignOff.Decision.RETURN), name="task-return"),
    path("tasks/<id:pk>/reject", tasks.TaskDecisionView.as_view(decision=SignOff.Decision.REJECT), name="task-reject"),
    path("nominations/<id:pk>/withdraw", tasks.NominationWithdrawView.as_view(), name="nomination-withdraw"),
    path("nominations/<id:pk>/verify", tasks.NominationVerifyView.as_view(), name="nomination-verify"),
]

# Excel import and export of a campaign's nominations (approvals/api/imports.py).
urlpatterns += [
    path("campaigns/<id:pk>/import-template", imports.ImportTemplateView.as_view(), name="campaign-import-template"),
    path("campaigns/<id:pk>/import", imports.ImportView.as_view(), name="campaign-import"),
    path("campaigns/<id:pk>/export", imports.ExportView.as_view(), name="campaign-export"),
]
