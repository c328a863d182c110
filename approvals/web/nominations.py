"""Pages of the unit submitter: my nominations, a draft form with autosave, attachments, submit, withdraw.

And the nomination page every role shares (form, attachments, timeline, seal badge, decisions).
Scope comes from ``approvals.selectors`` (404 for anything out of scope); every change is one
call of an ``approvals.actions`` function, whose refusal is shown in Chinese with nothing saved.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import IO, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.models import Grant, User
from approvals import actions, audit_events, documents, filestore, revisions, seals, selectors
from approvals.exceptions import NominationInvalid
from approvals.models import Attachment, Nomination, NominationAuthor, SignOff, StageSeat
from approvals.web import formdefs
from audit.models import AuditEvent
from audit.trail import record_personal_data_read
from config.errors import InvalidInput, NotPermitted, NotVisible, SealflowError
from config.request_context import request_user
from config.web.errors import audit_refusal, report
from config.web.pagination import PAGE, keyset_page
from workflows import entrants, forms
from workflows import selectors as campaign_selectors
from workflows.models import EntrantListEntry, NominationKind, Stage
from workflows.specs import SIGNING_ROLES

TITLE_MAX = 200  # Nomination.title


def _nomination(request: HttpRequest, pk: int) -> Nomination:
    try:
        return selectors.get_visible_nomination(request_user(request), pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc


def _definition(nomination: Nomination) -> dict[str, Any]:
    definition: dict[str, Any] = nomination.campaign.forms.get(nomination.kind) or {"fields": []}
    return definition


def _attachments_by_field(nomination: Nomination) -> dict[str, list[Attachment]]:
    grouped: dict[str, list[Attachment]] = {}
    for attachment in nomination.attachments.filter(removed_at__isnull=True).order_by("id"):
        grouped.setdefault(attachment.field, []).append(attachment)
    return grouped


def _is_submitter(request: HttpRequest, nomination: Nomination) -> bool:
    return permissions.can_nominate_at(request_user(request), nomination.unit)


# --- my nominations --------------------------------------------------------------------------------


@login_required
@require_GET
def my_nominations(request: HttpRequest) -> HttpResponse:
    """The nominations of the units where this user submits or leads, newest first, with status and stage."""
    user = request_user(request)
    status = request.GET.get("status") or None
    if status not in Nomination.Status.values:
        status = None
    mine = selectors.visible_nominations(user).filter(unit__in=permissions.units_of_own_nominations(user))
    nominations = mine.select_related("campaign", "unit", "stage_org").order_by("-updated_at", "-id")
    if status:
        nominations = nominations.filter(status=status)
    campaign = request.GET.get("campaign", "")
    templates: list[Any] = []
    if campaign.isdigit():
        nominations = nominations.filter(campaign_id=int(campaign))
        shown = campaign_selectors.visible_campaigns(user).filter(pk=int(campaign)).first()
        templates = list(selectors.campaign_templates(shown)) if shown is not None else []
    rows, next_query = keyset_page(request, nominations, field="updated_at", descending=True, scope=mine)
    stage_names = _stage_names({n.campaign_id for n in rows})
    for n in rows:
        in_review = n.status == Nomination.Status.IN_REVIEW
        n.stage_label = stage_names.get((n.campaign_id, n.stage), "") if in_review else ""  # type: ignore[attr-defined]
    return render(
        request,
        "approvals/my_nominations.html",
        {
            "nominations": rows,
            "statuses": Nomination.Status.choices,
            "status": status or "",
            "next_query": next_query,
            "page_size": PAGE,
            "templates": templates,
        },
    )


def _stage_names(campaign_ids: set[int]) -> dict[tuple[int, str], str]:
    from workflows.models import Stage

    return {
        (s.campaign_id, s.key): s.name for s in Stage.objects.filter(campaign_id__in=campaign_ids).only(
            "campaign_id", "key", "name"
        )
    }  # fmt: skip


# --- a new draft -----------------------------------------------------------------------------------


@login_required
def new_nomination(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Start a draft: choose the kind and the unit (of those where the user submits), give a title."""
    user = request_user(request)
    try:
        campaign = campaign_selectors.get_visible_campaign(user, campaign_id)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    # Only the user's units that the campaign accepts (its region): a Shanghai unit is not offered
    # the Shandong campaign.
    own_units = list(permissions.units_nominating_by(user).order_by("name"))
    units = [u for u in own_units if campaign_selectors.accepts_unit(campaign, u)]
    if own_units and not units:
        region = campaign_selectors.campaign_region(campaign)
        messages.error(
            request,
            _("您所在的单位不在“{campaign}”的征集范围（{region}）内，不能在本活动中申报。").format(
                campaign=campaign.title, region=region.name if region else ""
            ),
        )
        return HttpResponseRedirect(reverse("workflows:campaigns"))
    # A kind with an entrant list is offered only to units holding a place (顺延 [002]).
    open_kinds = {k for u in units for k in entrants.kinds_open_to(campaign, u.pk)}
    kinds = [(k, NominationKind(k).label) for k in campaign.kinds if k in NominationKind.values and k in open_kinds]
    lists = entrants.restricted_kinds(campaign)
    context: dict[str, Any] = {
        "campaign": campaign, "units": units, "kinds": kinds, "errors": {}, "values": {},
        "templates": list(selectors.campaign_templates(campaign)),
        "entrant_lists": [
            f"{NominationKind(k).label}（{lst.value}）" if lst.value else str(NominationKind(k).label)
            for k, lst in lists.items()
        ],
        "on_entrant_list": bool(lists)
        and EntrantListEntry.objects.filter(entrant_list__in=lists.values(), unit__in=units).exists(),
    }  # fmt: skip
    if request.method == "POST":
        title = request.POST.get("title", "").strip()
        kind = request.POST.get("kind", "")
        unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), None)
        errors: dict[str, list[str]] = {}
        if unit is None:
            errors["unit"] = [_("请选择申报单位")]
        if kind not in dict(kinds):
            errors["kind"] = [_("请选择申报类别")]
        if len(title) > TITLE_MAX:
            errors["title"] = [_("申报名称不能超过 {n} 个字").format(n=TITLE_MAX)]
        if not errors:
            assert unit is not None
            try:
                nomination = actions.create_nomination(
                    actor=user, campaign=campaign, unit=unit, kind=kind, title=title, form={}
                )
            except InvalidInput as exc:
                errors = exc.errors or {"__all__": [exc.detail]}
            except SealflowError as exc:
                report(request, exc)
                return HttpResponseRedirect(request.path)
            else:
                messages.success(request, _("草稿已创建，请填写申报表。填写内容会自动保存。"))
                return HttpResponseRedirect(reverse("approvals:nomination-edit", args=[nomination.pk]))
        general = [m for key, msgs in errors.items() if key not in ("unit", "kind", "title") for m in msgs]
        context.update(errors=errors, values=request.POST, general_errors=general)
        return render(request, "approvals/new_nomination.html", context, status=400)
    return render(request, "approvals/new_nomination.html", context)


# --- the form: edit, autosave, submit ----------------------------------------------------------------


def _return_signoff(nomination: Nomination) -> SignOff | None:
    """The decision that sent a returned nomination back (its reason goes on top of the form)."""
    if nomination.status != Nomination.Status.RETURNED:
        return None
    return (
        SignOff.objects.filter(nomination=nomination, decision=SignOff.Decision.RETURN)
        .select_related("org")
        .order_by("-id")
        .first()
    )


def _edit_context(
    request: HttpRequest,
    nomination: Nomination,
    *,
    data: dict[str, Any],
    title: str,
    errors: dict[str, list[str]],
) -> dict[str, Any]:
    definition = _definition(nomination)
    return {
        "nomination": nomination,
        "title_value": title,
        "title_max": TITLE_MAX,
        "fields": formdefs.widgets(definition, data, errors, _attachments_by_field(nomination)),
        "errors": errors,
        "title_errors": errors.get("title", []),
        "general_errors": [m for k, msgs in errors.items() if k in ("__all__", "form", "eligibility") for m in msgs],
        "returned_by": _return_signoff(nomination),
        "saved_at": timezone.localtime(nomination.updated_at),
    }


@login_required
def edit_nomination(request: HttpRequest, pk: int) -> HttpResponse:
    """The nomination form, generated from the campaign's definition; save, or save and submit."""
    nomination = _nomination(request, pk)
    user = request_user(request)
    if not _is_submitter(request, nomination):
        raise Http404(_("对象不存在或不在您的权限范围内"))
    if nomination.status not in Nomination.EDITABLE:
        messages.info(request, _("该申报当前不能修改。"))
        return HttpResponseRedirect(reverse("approvals:nomination", args=[pk]))
    definition = _definition(nomination)
    if request.method != "POST":
        # The unit's own submitter sees the values it typed in order to edit them: its own data,
        # not a reveal, so no personal-data read is recorded (a reviewer's reveal still is).
        context = _edit_context(request, nomination, data=nomination.form, title=nomination.title, errors={})
        return render(request, "approvals/edit_nomination.html", context)

    data = formdefs.parse(definition, request.POST)
    title = request.POST.get("title", "").strip()
    errors: dict[str, list[str]] = {}
    if len(title) > TITLE_MAX:
        errors["title"] = [_("申报名称不能超过 {n} 个字").format(n=TITLE_MAX)]
    else:
        try:
            nomination = actions.update_nomination(nomination.pk, actor=user, title=title, form=data)
            if request.POST.get("action") == "submit":
                nomination = actions.submit_nomination(nomination.pk, actor=user)
                messages.success(
                    request,
                    _("已提交，进入“{stage}”环节。").format(stage=_stage_name(nomination)),
                )
                return HttpResponseRedirect(reverse("approvals:nomination", args=[nomination.pk]))
            messages.success(request, _("已保存 {time}").format(time=timezone.localtime().strftime("%H:%M")))
            return HttpResponseRedirect(reverse("approvals:nomination-edit", args=[nomination.pk]))
        except InvalidInput as exc:
            errors = exc.errors or {"__all__": [exc.detail]}
            messages.error(request, exc.detail)
        except SealflowError as exc:
            report(request, exc)
            return HttpResponseRedirect(reverse("approvals:nomination", args=[nomination.pk]))
    nomination.refresh_from_db()
    context = _edit_context(request, nomination, data=data, title=title, errors=errors)
    return render(request, "approvals/edit_nomination.html", context, status=400)


def _stage_name(nomination: Nomination) -> str:
    stage = nomination.campaign.stages.filter(key=nomination.stage).first()
    return stage.name if stage else nomination.stage


@login_required
@require_POST
def autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """The draft as typed so far (no completeness check); JSON for app.js: saved time or inline errors."""
    nomination = _nomination(request, pk)
    definition = _definition(nomination)
    title = request.POST.get("title", "").strip()
    if len(title) > TITLE_MAX:
        msg = _("申报名称不能超过 {n} 个字").format(n=TITLE_MAX)
        return JsonResponse({"saved": False, "detail": msg, "errors": {"title": [msg]}}, status=400)
    try:
        nomination = actions.update_nomination(
            nomination.pk, actor=request_user(request), title=title, form=formdefs.parse(definition, request.POST)
        )
    except NominationInvalid as exc:
        return JsonResponse({"saved": False, "code": exc.code, "detail": exc.detail, "errors": exc.errors}, status=400)
    except SealflowError as exc:
        if isinstance(exc, NotVisible):
            raise Http404(exc.detail) from exc
        if isinstance(exc, NotPermitted):
            audit_refusal(request, exc)
        return JsonResponse({"saved": False, "code": exc.code, "detail": exc.detail, "errors": {}}, status=exc.status)
    saved = timezone.localtime(nomination.updated_at)
    return JsonResponse(
        {"saved": True, "saved_at": saved.strftime("%H:%M"), "version": nomination.version, "errors": {}}
    )


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk)
    try:
        nomination = actions.submit_nomination(nomination.pk, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(reverse("approvals:nomination-edit", args=[pk]))
    messages.success(request, _("已提交，进入“{stage}”环节。").format(stage=_stage_name(nomination)))
    return HttpResponseRedirect(reverse("approvals:nomination", args=[pk]))


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request, pk)
    try:
        actions.withdraw_nomination(nomination.pk, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已撤回，可修改后重新提交。"))
    return HttpResponseRedirect(reverse("approvals:nomination", args=[pk]))


# --- attachments -------------------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    """The page's script asks for JSON: it shows the answer beside the field, without a reload
    (a reload of a page that answered a POST would post that form again)."""
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def delete_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft that was never submitted (``actions.delete_draft``), back to my nominations."""
    nomination = _nomination(request, pk)
    try:
        actions.delete_draft(nomination.pk, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
        return HttpResponseRedirect(reverse("approvals:nomination", args=[pk]))
    messages.success(request, _("已删除草稿“{title}”").format(title=nomination.title or _("（未命名）")))
    return HttpResponseRedirect(reverse("approvals:my-nominations"))


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a file to a field: with the page's script, a JSON answer (the message and the new list
    item) shown next to the field; without it, back to the form with the message."""
    nomination = _nomination(request, pk)
    file = request.FILES.get("file")
    field = request.POST.get("field", "")
    as_json = _wants_json(request)
    if file is None:
        detail = _("请选择要上传的文件")
        if as_json:
            return JsonResponse({"ok": False, "code": "invalid", "detail": detail}, status=400)
        messages.error(request, detail)
        return HttpResponseRedirect(reverse("approvals:nomination-edit", args=[pk]) + f"#upload-{field}")
    stream = file.file
    assert stream is not None
    try:
        attachment = actions.add_attachment(
            nomination.pk, actor=request_user(request), field=field, name=file.name or "", stream=stream
        )
    except SealflowError as exc:
        if not as_json:
            report(request, exc)
            return HttpResponseRedirect(reverse("approvals:nomination-edit", args=[pk]) + f"#upload-{field}")
        if isinstance(exc, NotVisible):
            raise Http404(exc.detail) from exc
        if isinstance(exc, NotPermitted):
            audit_refusal(request, exc)
        errors = exc.errors if isinstance(exc, InvalidInput) else {}
        details = [m for msgs in (errors or {}).values() for m in msgs if m != exc.detail]
        detail = f"{exc.detail}：{'；'.join(details)}" if details else exc.detail
        return JsonResponse({"ok": False, "code": exc.code, "detail": detail}, status=exc.status)
    message = _("已上传“{name}”").format(name=attachment.display_name)
    if as_json:
        item = render_to_string("approvals/_attachment_item.html", {"a": attachment}, request=request)
        return JsonResponse({"ok": True, "detail": message, "item": item}, status=201)
    messages.success(request, message)
    return HttpResponseRedirect(reverse("approvals:nomination-edit", args=[pk]) + f"#upload-{field}")


def _visible_attachment(request: HttpRequest, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(pk=pk, removed_at__isnull=True).first()
    if attachment is None:
        raise Http404()
    _nomination(request, attachment.nomination_id)
    return attachment


@login_required
@require_POST
def remove_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _visible_attachment(request, pk)
    try:
        actions.remove_attachment(attachment.pk, actor=request_user(request))
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(request, _("已删除“{name}”").format(name=attachment.display_name))
    return HttpResponseRedirect(reverse("approvals:nomination-edit", args=[attachment.nomination_id]))


@login_required
@require_GET
def download_attachment(request: HttpRequest, pk: int) -> FileResponse:
    attachment = _visible_attachment(request, pk)
    path = filestore.path_of(attachment.storage_name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=attachment.display_name)


@login_required
@require_GET
def download_template(request: HttpRequest, pk: int) -> FileResponse:
    """A campaign's template file (附件1 申报表模板 …), for whoever sees the campaign."""
    try:
        template = selectors.get_visible_template(request_user(request), pk)
    except NotVisible as exc:
        raise Http404(exc.detail) from exc
    path = filestore.path_of(template.storage_name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=template.display_name)


# --- the nomination page -----------------------------------------------------------------------------


def timeline(nomination: Nomination) -> list[dict[str, Any]]:
    """Every step so far, oldest first: submissions and withdrawals, then each stage's decision.

    Read from the nomination's own audit chain (submissions) and its sign-offs (opinions, seals);
    the open stage comes last as pending.
    """
    entries: list[dict[str, Any]] = []
    events = AuditEvent.objects.filter(
        object_type="approvals.nomination",
        object_id=str(nomination.pk),
        action__in=[audit_events.NOMINATION_SUBMITTED, audit_events.NOMINATION_WITHDRAWN],
    ).order_by("seq")
    for event in events:
        submitted = event.action == audit_events.NOMINATION_SUBMITTED
        entries.append(
            {
                "kind": "submit" if submitted else "withdraw",
                "time": event.occurred_at,
                "title": (
                    (_("重新提交") if event.data.get("resubmission") else _("提交申报"))
                    if submitted
                    else _("撤回申报")
                ),
                "who": documents.name_from_label(event.actor_label),
                "org": nomination.unit.name,
                "round": event.data.get("round"),
            }
        )
    stage_names = dict(nomination.campaign.stages.values_list("key", "name"))
    modes = dict(nomination.campaign.stages.exclude(mode="").values_list("key", "mode"))
    for signoff in nomination.signoffs.select_related("org", "seal", "signer", "seat").order_by("id"):
        # 会签 / 或签: each holder's opinion is its own entry, marked with the stage's mode; 加签 too.
        mode = f"（{Stage.Mode(modes[signoff.stage]).label}）" if signoff.seat_id and signoff.stage in modes else ""
        if signoff.seat is not None and signoff.seat.kind != StageSeat.Kind.HOLDER:
            mode = f"（{signoff.seat.get_kind_display()}）"
        entries.append(
            {
                "kind": signoff.decision,
                "time": signoff.signed_at,
                "title": f"{signoff.stage_name}{mode}：{documents.decision_label(signoff, stage_names)}",
                "opinion": signoff.opinion,
                # The person as officials name them (姓名，职务; 代签 with both names), never the account name.
                "who": "，".join(p for p in (documents.signer_text(signoff), documents.post_of(signoff.role)) if p),
                "org": signoff.org.name,
                "round": signoff.round,
                "seal": signoff.seal,
            }
        )
    revocation = selectors.revocation_of(nomination)
    if revocation is not None:
        entries.append(
            {
                "kind": "revoke",
                "time": revocation.revoked_at,
                "title": _("撤销申报"),
                "reason": revocation.reason,
                "who": "",
                "org": nomination.campaign.host_org.name,
            }
        )
    entries.sort(key=lambda e: e["time"])
    if nomination.status == Nomination.Status.IN_REVIEW and nomination.stage_org is not None:
        waiting = [
            f"{documents.name_from_label(seat.user.label)}（{seat.get_kind_display()}）"
            if seat.user is not None
            else f"{seat.org.name}（{documents.post_of(seat.role)}，{seat.get_kind_display()}）"
            if seat.kind != StageSeat.Kind.HOLDER  # 加签 of a post
            else f"{seat.org.name}（{documents.post_of(seat.role)}）"
            for seat in StageSeat.objects.filter(task_id=nomination.task_id or 0, status=StageSeat.Status.OPEN)
            .select_related("org", "user")
            .order_by("position")
        ]  # 会签 / 加签: who is still to sign
        entries.append(
            {
                "kind": "pending",
                "time": nomination.stage_entered_at,
                "title": _("{stage}：待办理").format(stage=_stage_name(nomination)),
                "org": "、".join(waiting) if waiting else nomination.stage_org.name,
                "deadline": nomination.stage_deadline,
                "overdue": bool(nomination.stage_deadline and nomination.stage_deadline < timezone.now()),
            }
        )
    return entries


def display_rows(
    definition: dict[str, Any], data: dict[str, Any], attachments: dict[str, list[Attachment]]
) -> list[dict[str, Any]]:
    """Label and value of each field, as read-only text (person lists as rows)."""
    rows = []
    for field in definition.get("fields", []):
        key = field["key"]
        value = data.get(key)
        row: dict[str, Any] = {"label": field["label"], "type": field["type"]}
        if field["type"] == forms.PERSON_LIST:
            row["columns"] = [s["label"] for s in field["fields"]]
            row["people"] = [
                [formdefs._text(p.get(s["key"])) for s in field["fields"]]
                for p in (value or [])
                if isinstance(p, dict)
            ]
        elif field["type"] in forms.ATTACHMENT_FIELD_TYPES:
            row["files"] = attachments.get(key, [])
        elif isinstance(value, list):
            row["text"] = "、".join(map(str, value))
        elif isinstance(value, bool):
            row["text"] = _("是") if value else _("否")
        else:
            row["text"] = "" if value is None else str(value)
        rows.append(row)
    return rows


def _earlier_stages(nomination: Nomination) -> list[Any]:
    """The stages a return may go back to (退回到指定环节): those before the current one."""
    stages = list(nomination.campaign.stages.order_by("position"))
    keys = [stage.key for stage in stages]
    return stages[: keys.index(nomination.stage)] if nomination.stage in keys else []


def _transfer_candidates(nomination: Nomination, actor_id: int) -> list[Any]:
    """Whom the task may be handed to (``transfer_task`` decides): the other holders of the stage's role."""
    others = permissions.possible_deciders(nomination).exclude(
        pk__in=[actor_id, nomination.submitted_by_id, nomination.created_by_id]
    )
    return list(others.order_by("username"))


@dataclass
class TransferForm:
    """The 转交 form as the user sent it, back on the page after a refusal: the choice, the typed
    reason and the messages by field (``to_user``, ``reason``; ``form`` for the form as a whole)."""

    to_user: int | None = None
    reason: str = ""
    errors: dict[str, list[str]] = dataclasses.field(default_factory=dict)


MAX_ADD_CANDIDATES = 200


def _add_signer_candidates(nomination: Nomination, actor_id: int) -> list[Any]:
    """Whom a signer may add (加签; ``add_signer`` decides): people with a signing role at the
    nomination's unit, an organisation above it or the host (they read it), not its authors."""
    org_ids = [*nomination.unit.ancestor_ids(), nomination.unit_id, nomination.campaign.host_org_id]
    grants = Grant.objects.filter(role__in=sorted(SIGNING_ROLES), org_id__in=org_ids).values("user_id")
    authors = NominationAuthor.objects.filter(nomination_id=nomination.pk).values("user_id")
    people = User.objects.filter(is_active=True, pk__in=grants).exclude(pk__in=authors)
    excluded = [pk for pk in (actor_id, nomination.submitted_by_id, nomination.created_by_id) if pk is not None]
    return list(people.exclude(pk__in=excluded).order_by("username")[:MAX_ADD_CANDIDATES])


def _add_signer_posts(nomination: Nomination, user: User) -> list[dict[str, Any]]:
    """The posts a signer may add (加签 of a post: whoever holds it decides the seat), as 抄送 offers
    them: the signing roles at the nomination's unit, above it and at the host, less the signer's own."""
    own = set(Grant.objects.filter(user_id=user.pk).values_list("role", "org_id"))
    posts = selectors.cc_candidates(nomination, exclude_user_id=user.pk)
    # The unit's party organisation too (its secretary reads the unit's nominations).
    party = permissions.party_secretary_grants_of_unit(nomination.unit_id).select_related("org", "user")
    for grant in party.exclude(user_id=user.pk).order_by("org_id", "user__username"):
        org = grant.org
        assert org is not None  # a party organisation's grant
        if not posts or posts[-1]["key"] != f"{grant.role}@{org.pk}":
            posts.append({"role": grant.role, "org": org, "key": f"{grant.role}@{org.pk}",
                          "label": f"{org.name} · {grant.get_role_display()}", "users": []})  # fmt: skip
        posts[-1]["users"].append(grant.user)
    return [g for g in posts if (g["role"], g["org"].pk) not in own]


@login_required
@require_GET
def nomination_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The nomination as every role sees it; personal data masked unless revealed (audited)."""
    return render_nomination_page(request, pk)


def render_nomination_page(
    request: HttpRequest, pk: int, *, transfer: TransferForm | None = None, status: int = 200
) -> HttpResponse:
    """The nomination's page; ``transfer`` fills the 转交 form again (a refused transfer)."""
    nomination = _nomination(request, pk)
    user = request_user(request)
    definition = _definition(nomination)
    reveal = request.GET.get("reveal") == "personal"
    may_reveal = permissions.can_reveal_personal_data(user, nomination)
    # The version that stands (修改完善, issue 17): the latest revised version, or the original.
    version, _title, data = revisions.current_content(nomination)
    personal = forms.personal_paths(definition, data)
    if reveal and not may_reveal:
        # As the API answers 403: the refusal is audited and said, and the page shows the masked form.
        audit_refusal(request, NotPermitted(target=("approvals.nomination", str(nomination.pk))))
        messages.error(request, _("您没有查看完整个人信息的权限，以下为脱敏内容"))
    if reveal and may_reveal:
        if personal:
            record_personal_data_read(actor=user, target=nomination, fields=personal)
    else:
        reveal = False
        data = forms.mask_form_data(definition, data)
    attachments = _attachments_by_field(nomination)
    has_seals = nomination.seals.exists()
    problems = seals.verify_nomination(nomination) if has_seals else []
    in_inbox = (
        nomination.status == Nomination.Status.IN_REVIEW
        and selectors.list_inbox(user).filter(pk=nomination.pk).exists()
    )
    is_submitter = _is_submitter(request, nomination)
    revision_window = revisions.open_windows(nomination).first()
    decided_this_round = SignOff.objects.filter(nomination=nomination, round=nomination.round).exists()
    context = {
        "nomination": nomination,
        "rows": display_rows(definition, data, attachments),
        "timeline": timeline(nomination),
        "revocation": selectors.revocation_of(nomination),
        "returned_by": _return_signoff(nomination),
        "has_seals": has_seals,
        "seal_problems": problems,
        "reveal": reveal,
        "may_reveal": may_reveal and bool(personal),
        "in_inbox": in_inbox,
        "stage_name": _stage_name(nomination) if nomination.stage else "",
        # A 会签 / 或签 task is not transferred: each holder signs their own seat.
        "transfer_to": _transfer_candidates(nomination, user.pk)
        if in_inbox and not StageSeat.objects.filter(task_id=nomination.task_id or 0).exists()
        else [],
        "return_stages": _earlier_stages(nomination) if in_inbox else [],
        # 抄送 picker on the decision form: people, or a whole post (every holder of a role there).
        "cc_groups": selectors.cc_candidates(nomination, exclude_user_id=user.pk) if in_inbox else [],
        "add_signer_to": _add_signer_candidates(nomination, user.pk) if in_inbox else [],
        "add_signer_posts": _add_signer_posts(nomination, user) if in_inbox else [],
        "can_edit": is_submitter and nomination.status in Nomination.EDITABLE,
        "can_delete": is_submitter and nomination.status == Nomination.Status.DRAFT and nomination.round == 0,
        "can_withdraw": is_submitter and nomination.status == Nomination.Status.IN_REVIEW and not decided_this_round,
        "can_print": nomination.status != Nomination.Status.DRAFT,
        "supplements": _supplement_rows(nomination),
        "current_version": version,
        "revision_window": revision_window,
        "can_revise": is_submitter and revision_window is not None and nomination.status in revisions.REVISABLE,
        "can_supplement": is_submitter
        and nomination.submitted_at is not None
        and nomination.status in actions.SUPPLEMENTABLE,
        "verify_url": request.build_absolute_uri(
            reverse("verify-page", args=[nomination.verification_code])
        ) if nomination.verification_code else "",
        "transfer": transfer or TransferForm(),
    }  # fmt: skip
    return render(request, "approvals/nomination.html", context, status=status)


# --- supplements after submission (补充材料) -----------------------------------------------------------


def _supplement_rows(nomination: Nomination) -> list[dict[str, Any]]:
    """The campaign's supplements with who added each, named as officials write it (never the account)."""
    rows = selectors.supplement_rows(nomination)
    for row in rows:
        if row["supplement"] is not None:
            row["who"] = documents.name_from_label(row["supplement"].added_by.label)
    return rows


@login_required
@require_POST
def add_supplement(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """The submitter adds one supplement (text or files); it is sealed with the unit's seal."""
    nomination = _nomination(request, pk)
    try:
        supplement = actions.add_supplement(
            nomination.pk,
            actor=request_user(request),
            key=key,
            text=request.POST.get("text", ""),
            files=[(f.name or "", cast(IO[bytes], f.file)) for f in request.FILES.getlist("files")],
        )
    except SealflowError as exc:
        report(request, exc)
    else:
        messages.success(
            request, _("“{label}”已提交并加盖本单位电子印章，不能再修改。").format(label=supplement.label)
        )
    return HttpResponseRedirect(reverse("approvals:nomination", args=[nomination.pk]) + "#supplements-h")


@login_required
@require_GET
def supplement_file(request: HttpRequest, pk: int, supplement_id: int, index: int) -> FileResponse:
    nomination = _nomination(request, pk)
    supplement = nomination.supplements.filter(pk=supplement_id).first()
    if supplement is None or not 0 <= index < len(supplement.files):
        raise Http404()
    stored = supplement.files[index]
    path = filestore.path_of(stored["storage_name"])
    return FileResponse(path.open("rb"), as_attachment=True, filename=stored["name"])
