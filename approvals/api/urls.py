from django.urls import path

from approvals.api import imports, nominations, views

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

# Excel import and export of a campaign's nominations (approvals/api/imports.py).
urlpatterns += [
    path("campaigns/<id:pk>/import-template", imports.ImportTemplateView.as_view(), name="campaign-import-template"),
    path("campaigns/<id:pk>/import", imports.ImportView.as_view(), name="campaign-import"),
    path("campaigns/<id:pk>/export", imports.ExportView.as_view(), name="campaign-export"),
]
