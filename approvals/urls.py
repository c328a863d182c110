"""Web pages of the approvals package (the API has its own routes in approvals/api/urls.py)."""

from django.urls import path

from approvals.web import delegations, documents, entrants, nominations, public, publicity, review, revisions

# "<id:…>" is the bigint-bounded converter that accounts/api/urls.py registers (config/urls.py
# includes the API first).
app_name = "approvals"

urlpatterns = [
    path("nominations/", nominations.my_nominations, name="my-nominations"),
    path("campaigns/<id:campaign_id>/nominations/new", nominations.new_nomination, name="nomination-new"),
    path("campaigns/<id:pk>/entrants/", entrants.entrant_lists, name="entrants"),
    path("campaigns/<id:pk>/entrants/<slug:kind>/decline", entrants.decline, name="entrant-decline"),
    path("nominations/<id:pk>/", nominations.nomination_page, name="nomination"),
    path("nominations/<id:pk>/edit", nominations.edit_nomination, name="nomination-edit"),
    path("nominations/<id:pk>/autosave", nominations.autosave, name="nomination-autosave"),
    path("nominations/<id:pk>/submit", nominations.submit, name="nomination-submit"),
    path("nominations/<id:pk>/withdraw", nominations.withdraw, name="nomination-withdraw"),
    path("nominations/<id:pk>/attachments", nominations.upload, name="attachment-upload"),
    path("nominations/<id:pk>/delete", nominations.delete_draft, name="nomination-delete"),
    path("nominations/<id:pk>/supplements/<slug:key>", nominations.add_supplement, name="supplement-add"),
    path(
        "nominations/<id:pk>/supplements/<id:supplement_id>/files/<int:index>",
        nominations.supplement_file,
        name="supplement-file",
    ),
    path("nominations/<id:pk>/form.pdf", documents.form_pdf, name="nomination-pdf"),
    path("nominations/<id:pk>/form.docx", documents.form_docx, name="nomination-docx"),
    path("attachments/<id:pk>", nominations.download_attachment, name="attachment"),
    path("templates/<id:pk>", nominations.download_template, name="campaign-template"),
    path("attachments/<id:pk>/remove", nominations.remove_attachment, name="attachment-remove"),
    path("tasks/", review.inbox, name="inbox"),
    path("tasks/done/", review.done, name="done"),
    path("tasks/batch-approve", review.batch_approve, name="batch-approve"),
    path("tasks/<id:task_id>/", review.task_page, name="task"),
    path("tasks/<id:task_id>/decide", review.decide, name="decide"),
    path("tasks/<id:task_id>/transfer", review.transfer, name="transfer"),
    path("tasks/<id:task_id>/add-signer", review.add_signer, name="add-signer"),
    path("delegations/", delegations.delegation_page, name="delegations"),
    path("delegations/new", delegations.delegation_create, name="delegation-new"),
    path("delegations/<id:pk>/revoke", delegations.delegation_revoke, name="delegation-revoke"),
    path("verify/", public.verify_form, name="verify-form"),
    # 公示: public objection form and receipts (no account), then the committee's pages.
    path(
        "publicity/<id:campaign_id>/objections/<id:nomination_id>",
        publicity.objection_form,
        name="objection-new",
    ),
    path("objections/filed", publicity.objection_filed, name="objection-filed"),
    path("objections/receipt/", publicity.receipt_lookup, name="objection-receipt-lookup"),
    path("objections/receipt/<str:receipt>", publicity.receipt_page, name="objection-receipt"),
    path("campaigns/<id:pk>/publicity/start", publicity.start_publicity, name="publicity-start"),
    path("campaigns/<id:pk>/finalize", publicity.finalize, name="finalize"),
    path("campaigns/<id:pk>/objections/", publicity.objection_queue, name="objections"),
    path("objections/mine/", publicity.my_investigations, name="my-investigations"),
    path("objections/<id:pk>/", publicity.objection_page, name="objection"),
    path("objections/<id:pk>/identity", publicity.reveal_identity, name="objection-identity"),
    path("objections/<id:pk>/evidence/<id:evidence>", publicity.evidence_download, name="objection-evidence"),
    path("objections/<id:pk>/assign", publicity.assign, name="objection-assign"),
    path("objections/<id:pk>/finding", publicity.finding, name="objection-finding"),
    path("objections/<id:pk>/decide", publicity.decide, name="objection-decide"),
    path("campaigns/<id:pk>/publicity-notice.pdf", publicity.notice_pdf, name="publicity-notice-pdf"),
    path("campaigns/<id:pk>/final-list.xlsx", publicity.final_list_xlsx, name="final-list-xlsx"),
    path("nominations/<id:pk>/revoke", publicity.revoke, name="nomination-revoke"),
    # 修改完善 (issue 17): revision windows, revised versions, their difference.
    path("campaigns/<id:pk>/revision-windows/", revisions.campaign_windows, name="revision-windows"),
    path("revision-windows/<id:pk>/close", revisions.close_window, name="revision-window-close"),
    path("nominations/<id:pk>/revise", revisions.revise, name="nomination-revise"),
    path("nominations/<id:pk>/versions/", revisions.versions, name="nomination-versions"),
]
