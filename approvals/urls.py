"""Web pages of the approvals package (the API has its own routes in approvals/api/urls.py)."""

from django.urls import path

from approvals.web import audit, documents, nominations, public, review

# "<id:…>" is the bigint-bounded converter that accounts/api/urls.py registers (config/urls.py
# includes the API first).
app_name = "approvals"

urlpatterns = [
    path("nominations/", nominations.my_nominations, name="my-nominations"),
    path("campaigns/<id:campaign_id>/nominations/new", nominations.new_nomination, name="nomination-new"),
    path("nominations/<id:pk>/", nominations.nomination_page, name="nomination"),
    path("nominations/<id:pk>/edit", nominations.edit_nomination, name="nomination-edit"),
    path("nominations/<id:pk>/autosave", nominations.autosave, name="nomination-autosave"),
    path("nominations/<id:pk>/submit", nominations.submit, name="nomination-submit"),
    path("nominations/<id:pk>/withdraw", nominations.withdraw, name="nomination-withdraw"),
    path("nominations/<id:pk>/attachments", nominations.upload, name="attachment-upload"),
    path("nominations/<id:pk>/form.pdf", documents.form_pdf, name="nomination-pdf"),
    path("nominations/<id:pk>/form.docx", documents.form_docx, name="nomination-docx"),
    path("attachments/<id:pk>", nominations.download_attachment, name="attachment"),
    path("attachments/<id:pk>/remove", nominations.remove_attachment, name="attachment-remove"),
    path("tasks/", review.inbox, name="inbox"),
    path("tasks/batch-approve", review.batch_approve, name="batch-approve"),
    path("tasks/<id:task_id>/", review.task_page, name="task"),
    path("tasks/<id:task_id>/decide", review.decide, name="decide"),
    path("tasks/<id:task_id>/transfer", review.transfer, name="transfer"),
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export.csv", audit.audit_csv, name="audit-csv"),
    path("audit/verify", audit.audit_verify, name="audit-verify"),
    path("verify/", public.verify_form, name="verify-form"),
]
