"""A nomination's life; split into a package when it grows (style.md §1). The audit trail is in audit/."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from workflows.models import NominationKind


class Nomination(models.Model):
    """A unit's application (申报) to a campaign, from draft through the sign-off chain."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("审批中")
        RETURNED = "returned", _("退回修改")
        REJECTED = "rejected", _("未通过")
        APPROVED = "approved", _("审批通过")
        IN_PUBLICITY = "in_publicity", _("公示中")
        FINAL = "final", _("最终确定")
        REVOKED = "revoked", _("已撤销")
        WITHDRAWN = "withdrawn", _("已撤回")
        # After the awards are confirmed, an approved nomination that received none (awards/).
        NOT_SELECTED = "not_selected", _("未获奖")

    # Statuses that hold one of the unit's or campaign's places (a returned one will come back).
    HOLDS_PLACE = (Status.IN_REVIEW, Status.RETURNED, Status.APPROVED, Status.IN_PUBLICITY, Status.FINAL)
    # Statuses in which the unit may edit, attach to and (re)submit it.
    EDITABLE = (Status.DRAFT, Status.RETURNED, Status.WITHDRAWN)

    Kind = NominationKind

    campaign = models.ForeignKey("workflows.Campaign", on_delete=models.PROTECT, related_name="nominations")
    unit = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="nominations")
    # The district (区/县) above the unit, fixed at creation: quotas and reviewers route by it.
    district = models.ForeignKey(
        "accounts.Organization", null=True, on_delete=models.PROTECT, related_name="district_nominations"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=NominationKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    form: models.JSONField[Any, Any] = models.JSONField(_("申报表内容"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    stage = models.CharField(_("当前环节"), max_length=40, blank=True, default="")
    content_hash = models.CharField(max_length=64, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The sign-off engine (workflows/flows.py): the current submission's viewflow process, the
    # open task of the current stage, and who may decide it (role at an organisation), kept here
    # so that an inbox is one indexed query.
    process = models.ForeignKey("viewflow.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task = models.ForeignKey("viewflow.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    stage_role = models.CharField(max_length=32, blank=True, default="")
    stage_org = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage_entered_at = models.DateTimeField(null=True, blank=True)
    # When the stage's time limit runs out (none without a limit); nothing is approved by timeout.
    stage_deadline = models.DateTimeField(null=True, blank=True)
    # The open stage is decided seat by seat (approvals.StageSeat): a 会签 / 或签 stage, or one
    # where a signer added another (加签). Read with the locked row, so a plain stage costs nothing.
    seated_stage = models.BooleanField(default=False)
    # A reviewer may hand the open task to another holder of the stage's role (转交).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveIntegerField(_("提交轮次"), default=0)
    # Printed on the forms and QR code; the public verification page looks a nomination up by it.
    verification_code = models.CharField(max_length=32, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["campaign", "unit", "status"], name="nomination_unit_idx"),
            models.Index(fields=["campaign", "district", "status"], name="nomination_district_idx"),
            models.Index(fields=["campaign", "status", "stage"], name="nomination_stage_idx"),
            models.Index(fields=["stage_role", "stage_org", "id"], name="nomination_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Attachment(models.Model):
    """A file of a nomination, stored under its SHA-256 (the seals bind these hashes)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="attachments")
    field = models.CharField(_("表单项"), max_length=64)
    type = models.CharField(_("类型"), max_length=16)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    display_name = models.CharField(_("文件名"), max_length=200)
    storage_name = models.CharField(max_length=200)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]
        indexes = [models.Index(fields=["nomination", "field"], name="attachment_field_idx")]

    def __str__(self) -> str:
        return self.display_name


class NominationAuthor(models.Model):
    """Someone who wrote part of a nomination: created, edited, submitted or attached to it.

    Separation of duties reads this, not the audit log (approvals/actions/sign_offs.py): an
    author never signs the nomination off. One row per (nomination, user, kind), written by the
    authoring action in its transaction and never changed (``first_at`` is the first time).
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("创建")
        EDITED = "edited", _("修改")
        SUBMITTED = "submitted", _("提交")
        ATTACHED = "attached", _("上传或删除附件")

    # No index of its own: the unique constraint's leading column serves it.
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="authors", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("方式"), max_length=16, choices=Kind.choices)
    first_at = models.DateTimeField(_("首次时间"))

    class Meta:
        verbose_name = _("申报撰写人")
        verbose_name_plural = _("申报撰写人")
        ordering = ["nomination", "user", "kind"]
        constraints = [
            # Also the index of the sign-off's "is the decider an author" lookup.
            models.UniqueConstraint(fields=["nomination", "user", "kind"], name="nomination_author_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id}:{self.user_id}:{self.kind}"


class SealKey(models.Model):
    """An organisation's signing key pair for electronic seals (design.md, Seals).

    The private key is stored encrypted (AES-256-GCM, approvals/seals.py) under a master key
    that never enters the database. At most one key per organisation is active; rotation
    retires it (``retired_at``) and keeps it, so seals made with it still verify.
    """

    class Algorithm(models.TextChoices):
        ED25519 = "ed25519", "Ed25519"
        SM2 = "sm2", "SM2"

    org = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="seal_keys", verbose_name=_("组织")
    )
    algorithm = models.CharField(_("算法"), max_length=16, choices=Algorithm.choices)
    # First 16 hex digits of SHA-256 over the raw public key bytes (approvals/seals.py).
    key_id = models.CharField(_("密钥标识"), max_length=16, unique=True)
    # Ed25519: PEM (SubjectPublicKeyInfo); SM2: hex of the uncompressed point 04‖x‖y.
    public_key = models.TextField(_("公钥"))
    private_key_encrypted = models.BinaryField()
    created_at = models.DateTimeField(_("创建时间"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("印章密钥")
        verbose_name_plural = _("印章密钥")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"], condition=models.Q(retired_at__isnull=True), name="sealkey_one_active_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.key_id}"


class Seal(models.Model):
    """An organisation's electronic seal on a nomination at one stage (append-only).

    ``payload`` is the exact canonical JSON that was signed; ``seal_hash`` is its SHA-256 and
    ``prev_hash`` the previous seal's, so the seals of a nomination form a chain. A database
    trigger refuses UPDATE and DELETE (migration 0006); ``approvals.seals.verify_seal_chain``
    finds what a database superuser changed anyway.
    """

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="seals")
    # The sign-off this seal belongs to (a foreign key once the sign-off model exists).
    signoff_id = models.BigIntegerField(null=True, blank=True)
    stage = models.CharField(_("环节"), max_length=40)
    sequence = models.PositiveIntegerField(_("序号"))
    payload = models.TextField()
    seal_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    key = models.ForeignKey(SealKey, on_delete=models.PROTECT, related_name="seals")
    algorithm = models.CharField(_("算法"), max_length=16, choices=SealKey.Algorithm.choices)
    signature = models.TextField()
    created_at = models.DateTimeField(_("盖章时间"))

    class Meta:
        verbose_name = _("电子印章")
        verbose_name_plural = _("电子印章")
        ordering = ["nomination", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "sequence"], name="seal_unique_sequence"),
        ]

    def __str__(self) -> str:
        return f"seal {self.nomination_id}#{self.sequence}"


class SignOff(models.Model):
    """One decision at one stage (an opinion, kept forever; a return does not erase it)."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("同意")
        RETURN = "return", _("退回修改")
        REJECT = "reject", _("不同意")

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="signoffs")
    round = models.PositiveIntegerField(_("提交轮次"))
    stage = models.CharField(_("环节"), max_length=40)
    stage_name = models.CharField(_("环节名称"), max_length=100)
    role = models.CharField(_("角色"), max_length=32)
    decision = models.CharField(_("意见"), max_length=16, choices=Decision.choices)
    opinion = models.TextField(_("意见内容"), blank=True)
    # A return to an earlier stage (退回到指定环节): its key; blank for a return to the unit.
    to_stage = models.CharField(_("退回到环节"), max_length=40, blank=True, default="")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_label = models.CharField(max_length=200)
    # 代签: the stage holder whose delegate (``signer``) decided, under ``delegation``.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of_label = models.CharField(max_length=200, blank=True, default="")
    delegation = models.ForeignKey(
        "approvals.Delegation", null=True, blank=True, on_delete=models.PROTECT, related_name="signoffs"
    )
    org = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    task_id = models.BigIntegerField()
    content_hash = models.CharField(max_length=64)
    seal = models.OneToOneField("approvals.Seal", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签署时间"))
    # 会签 / 或签: the holder's seat this decision took; null at a stage of one holder. Several
    # sign-offs then share the stage's task, one per seat.
    seat = models.OneToOneField(
        "approvals.StageSeat", null=True, blank=True, on_delete=models.PROTECT, related_name="signoff"
    )

    class Meta:
        verbose_name = _("审批意见")
        verbose_name_plural = _("审批意见")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["nomination", "id"], name="signoff_nomination_idx"),
            models.Index(fields=["task_id"], name="signoff_task_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["task_id"], condition=models.Q(seat__isnull=True), name="signoff_one_per_task"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id}:{self.stage}:{self.decision}"


class StageSeat(models.Model):
    """会签 / 或签: one holder's place at one activation (``task_id``) of a stage of several holders;
    加签: the place of a person a signer added before or after themselves.

    Opened when the nomination enters the stage, one per holder (``Stage.holders``); decided by
    a holder of ``role`` at ``org`` (or their delegate, 代签), once. An added signer's seat
    (``user``, ``added_from`` the adder's seat) is decided by that person only: 前加签 first (the
    adder's seat waits), 后加签 after the adder approved (it is pending until then). A holder's
    seat and the seats added to it form a group, approved when all of them are; 会签 (and a stage
    of one holder) needs every group, 或签 one. A return or rejection by anyone, or the deciding
    approval, cancels the seats still open.
    """

    class Kind(models.TextChoices):
        HOLDER = "holder", _("签署方")
        BEFORE = "before", _("前加签")
        AFTER = "after", _("后加签")

    class Status(models.TextChoices):
        OPEN = "open", _("待签署")
        WAITING = "waiting", _("等待加签人先签署")
        PENDING = "pending", _("等待原签署人同意后签署")
        APPROVED = "approved", _("同意")
        RETURNED = "returned", _("退回修改")
        REJECTED = "rejected", _("不同意")
        CANCELLED = "cancelled", _("已取消")

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="seats")
    round = models.PositiveIntegerField(_("提交轮次"))
    stage = models.CharField(_("环节"), max_length=40)
    task_id = models.BigIntegerField()
    position = models.PositiveSmallIntegerField()
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    org = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.HOLDER)
    # 加签: the person added (decides this seat alone), who added them, from which seat, and why.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="added")
    reason = models.CharField(_("加签理由"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("会签签署方")
        verbose_name_plural = _("会签签署方")
        ordering = ["task_id", "position"]
        constraints = [models.UniqueConstraint(fields=["task_id", "position"], name="seat_unique_position")]
        indexes = [
            models.Index(fields=["role", "org", "status"], name="seat_inbox_idx"),
            models.Index(fields=["nomination", "task_id"], name="seat_nomination_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id}:{self.stage}:{self.position}"


class Delegation(models.Model):
    """代签: a stage holder (``principal``, holding ``role`` at ``org``) lets ``delegate`` decide
    that role's tasks at that organisation from ``starts_at`` until ``ends_at`` or revocation.

    The delegate decides as the principal could, and only then (approvals/actions/sign_offs.py):
    the principal must still hold the role, and neither of them may have written the nomination.
    Rows are never deleted: a revocation sets ``revoked_at``.
    """

    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("委托人")
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("代签人")
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    org = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织")
    )
    starts_at = models.DateTimeField(_("代签开始"))
    ends_at = models.DateTimeField(_("代签结束"))
    reason = models.CharField(_("事由"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("代签授权")
        verbose_name_plural = _("代签授权")
        ordering = ["id"]
        indexes = [models.Index(fields=["delegate", "role", "org"], name="delegation_delegate_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="delegation_period"),
            models.CheckConstraint(condition=~models.Q(principal=models.F("delegate")), name="delegation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.principal_id}→{self.delegate_id}:{self.role}@{self.org_id}"


class CarbonCopy(models.Model):
    """抄送: ``user`` was copied on a decision (by the stage's ``cc_roles`` or by its signer) and
    may read the nomination from then on; never decide it. Never changed nor deleted."""

    class Source(models.TextChoices):
        STAGE = "stage", _("环节设置")
        SIGNER = "signer", _("签署人")

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="carbon_copies")
    signoff = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="carbon_copies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("抄送方式"), max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(_("抄送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抄送")
        verbose_name_plural = _("抄送")
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "nomination"], name="carbon_copy_user_idx")]
        constraints = [models.UniqueConstraint(fields=["signoff", "user"], name="carbon_copy_unique")]

    def __str__(self) -> str:
        return f"{self.nomination_id}→{self.user_id}"


class PublicityRound(models.Model):
    """One public announcement (公示) of a campaign: a list of nominations and its objection window.

    A campaign may have several rounds (the list, then a review's result); a revocation may be
    published as a notice of its own. ``window_end_noticed_at`` is the timer's mark: the beat
    job that notices an ended window sets it once, whatever restarts in between.
    """

    class Kind(models.TextChoices):
        LIST = "list", _("名单公示")
        REVOCATION = "revocation", _("撤销公示")

    campaign = models.ForeignKey("workflows.Campaign", on_delete=models.PROTECT, related_name="publicity_rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.LIST)
    title = models.CharField(_("标题"), max_length=200)
    # How to object (where to write, a contact phone of the committee): printed on the notice.
    how_to_object = models.TextField(_("异议受理方式"), blank=True)
    starts_at = models.DateTimeField(_("公示开始"))
    ends_at = models.DateTimeField(_("公示结束"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    window_end_noticed_at = models.DateTimeField(null=True, blank=True)
    # A round over a subset (the 入围, later the 十佳): {"tiers": [...], "nominations": [...]} as
    # the committee chose; empty for a round over every approved nomination.
    selection: models.JSONField[Any, Any] = models.JSONField(_("公示范围"), default=dict, blank=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="publicity_unique_number"),
        ]
        indexes = [models.Index(fields=["window_end_noticed_at", "ends_at"], name="publicity_timer_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id}#{self.number}"


class PublicityEntry(models.Model):
    round = models.ForeignKey(PublicityRound, on_delete=models.PROTECT, related_name="entries")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="publicity_entries")
    # What the nomination received (an award tier), from the labellers of approvals/hooks.py,
    # as published; ``position`` orders a labelled list (grouped by tier), 0 for unlabelled.
    label = models.CharField(_("奖项等次"), max_length=100, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["round", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "nomination"], name="publicity_entry_unique")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.nomination_id}"


class Objection(models.Model):
    """A written, real-name objection (异议) to a nomination on public announcement.

    The objector's identity (name, phone, unit, contact, address) is confidential: only the
    host's committee reads it, and each read is audited (``objection.identity_read``).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        INVESTIGATING = "investigating", _("调查核实中")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    OPEN = (Status.RECEIVED, Status.INVESTIGATING)

    class ObjectorKind(models.TextChoices):
        PERSON = "person", _("个人")
        UNIT = "unit", _("单位")

    round = models.ForeignKey(PublicityRound, on_delete=models.PROTECT, related_name="objections")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="objections")
    receipt = models.CharField(_("回执码"), max_length=32, unique=True)
    objector_kind = models.CharField(_("异议人类型"), max_length=16, choices=ObjectorKind.choices)
    objector_name = models.CharField(_("异议人姓名"), max_length=100)
    objector_phone = models.CharField(_("联系电话"), max_length=32)
    unit_name = models.CharField(_("单位名称"), max_length=200, blank=True)
    unit_contact = models.CharField(_("单位联系人"), max_length=100, blank=True)
    content = models.TextField(_("异议内容"))
    filed_at = models.DateTimeField(_("提出时间"))
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finding = models.TextField(_("处理意见"), blank=True)
    # What the objector reads with the receipt code once decided.
    response = models.TextField(_("答复"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["id"]
        permissions = [("investigate_objection", _("调查核实异议"))]
        indexes = [
            models.Index(fields=["nomination", "status"], name="objection_nomination_idx"),
            models.Index(fields=["round", "status"], name="objection_round_idx"),
        ]

    def __str__(self) -> str:
        return f"objection {self.pk} on {self.nomination_id}"


class ObjectionEvidence(models.Model):
    """A file the objector attached (a signed or sealed scan, proof); checked like intake uploads."""

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="evidence")
    type = models.CharField(max_length=16)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    display_name = models.CharField(max_length=200)
    storage_name = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name


class ObjectionFinding(models.Model):
    """A note of the investigation (append-only): who found what, when."""

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="findings")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"finding {self.pk} on objection {self.objection_id}"


class Revocation(models.Model):
    """The revocation (撤销) of a nomination or award, with what must be recovered (追回)."""

    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="revocation")
    reason = models.TextField(_("撤销理由"))
    status_before = models.CharField(max_length=16)
    objection = models.ForeignKey(Objection, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField()
    # Claw-back, after ``final`` only: prize money and the certificate (证书) to recover.
    recover_prize_money = models.DecimalField(
        _("追回奖金（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    recover_certificate = models.BooleanField(_("收回证书"), default=False)
    recovery_note = models.TextField(_("追回说明"), blank=True)
    notice = models.ForeignKey(PublicityRound, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("撤销记录")
        verbose_name_plural = _("撤销记录")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"revocation of {self.nomination_id}"


class SubmissionBar(models.Model):
    """A unit or person barred from submitting until a date (e.g. 6 years for falsified materials)."""

    revocation = models.ForeignKey(Revocation, on_delete=models.PROTECT, related_name="bars")
    unit = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A person by the SHA-256 of their ID number (the number itself is not kept here).
    person_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    person_label = models.CharField(max_length=100, blank=True)
    until = models.DateField(_("禁止申报至"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("申报限制")
        verbose_name_plural = _("申报限制")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"bar {self.unit_id or self.person_label} until {self.until}"


class CampaignTemplate(models.Model):
    """A file a campaign hands out (附件1 申报表模板, 附件2 名额分配表), stored under its SHA-256.

    Kept here, above workflows, because it is stored and checked like an attachment
    (approvals/uploads.py, approvals/filestore.py). Removing one marks it removed; the row stays.
    """

    campaign = models.ForeignKey("workflows.Campaign", on_delete=models.PROTECT, related_name="templates")
    title = models.CharField(_("标题"), max_length=200)
    type = models.CharField(_("类型"), max_length=16)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    display_name = models.CharField(_("文件名"), max_length=200)
    storage_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    removed_at = models.DateTimeField(_("删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("活动附件模板")
        verbose_name_plural = _("活动附件模板")
        ordering = ["campaign", "id"]

    def __str__(self) -> str:
        return self.title


class Supplement(models.Model):
    """A document a submitted nomination added after submission (补充材料), sealed as an addendum.

    One per supplement of the campaign (``Campaign.supplements``); never changed once added. Its
    seal binds ``content_hash`` (``approvals.sealing.supplement_content_hash``) and sits in the
    nomination's seal chain with the stage ``supplement:<key>``.
    """

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="supplements")
    key = models.CharField(_("标识"), max_length=28)
    label = models.CharField(_("名称"), max_length=100)
    type = models.CharField(_("类型"), max_length=16)
    text = models.TextField(_("内容"), blank=True)
    # Files as stored: [{"name", "type", "mime", "size", "sha256", "storage_name"}], in upload order.
    files: models.JSONField[Any, Any] = models.JSONField(_("文件"), default=list, blank=True)
    content_hash = models.CharField(max_length=64)
    seal = models.OneToOneField(Seal, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("补充时间"))

    class Meta:
        verbose_name = _("补充材料")
        verbose_name_plural = _("补充材料")
        ordering = ["nomination", "id"]
        constraints = [models.UniqueConstraint(fields=["nomination", "key"], name="supplement_unique_key")]

    def __str__(self) -> str:
        return self.label


class RevisionWindow(models.Model):
    """A revision window (修改完善期, [001]: finalists revise with coaching) that the campaign's
    committee opens for chosen nominations: from ``starts_at`` to ``ends_at`` (or until closed),
    their unit's submitter may submit revised versions of the ``fields`` named (empty: every field
    that is not a file). Never deleted; closing sets ``closed_at``.
    """

    campaign = models.ForeignKey("workflows.Campaign", on_delete=models.PROTECT, related_name="revision_windows")
    nominations = models.ManyToManyField(Nomination, related_name="revision_windows", verbose_name=_("入围申报"))
    starts_at = models.DateTimeField(_("修改开始"))
    ends_at = models.DateTimeField(_("修改截止"))
    note = models.TextField(_("修改说明"), blank=True)
    fields: models.JSONField[Any, Any] = models.JSONField(_("可修改的表单项"), default=list, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("开放时间"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("修改完善期")
        verbose_name_plural = _("修改完善期")
        ordering = ["campaign", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="revision_window_period"
            ),
        ]

    def __str__(self) -> str:
        return f"revision window {self.pk} of {self.campaign_id}"


class NominationRevision(models.Model):
    """A revised version of a chosen nomination (修改稿), kept beside the original and the other
    versions; never changed. The original (version 1) stays in ``Nomination.form`` with its seals;
    version ``number`` (2, 3, …) holds the whole form as revised and is sealed with the unit's key
    as an addendum (stage ``revision:<number>``, binding ``content_hash``).
    """

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="revisions")
    window = models.ForeignKey(RevisionWindow, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("名称"), max_length=200)
    form: models.JSONField[Any, Any] = models.JSONField(_("申报表内容"), default=dict)
    # The keys of the fields that differ from the previous version.
    changed: models.JSONField[Any, Any] = models.JSONField(_("修改的表单项"), default=list)
    # The nomination's files as they stood, [[field, sha256], …] (files are not revised, but bound).
    files: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(max_length=64)
    seal = models.OneToOneField(Seal, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("申报修改稿")
        verbose_name_plural = _("申报修改稿")
        ordering = ["nomination", "number"]
        constraints = [models.UniqueConstraint(fields=["nomination", "number"], name="revision_unique_number")]

    def __str__(self) -> str:
        return f"{self.nomination_id} v{self.number}"
