"""How the auditor reads an event: the object it belongs to and the fields of its content, in Chinese.

The trail stores identifiers (``approvals.nomination``, ``{"stage": "district"}``) so that the hash
chain does not depend on a translation; these labels are applied only when the trail is shown (the
auditor's page, the CSV export). A key without a label is shown as it is stored.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

# The keys that events' content uses, across every app (one table, so that ``reason`` reads the
# same everywhere). Kept complete by tests/audit/test_labels.py, which reads every event-writing
# function's dictionaries.
FIELD_LABELS = {
    "action": gettext_lazy("操作"),
    "address": gettext_lazy("地址"),
    "advanced": gettext_lazy("晋级数"),
    "advancing": gettext_lazy("晋级者"),
    "algorithm": gettext_lazy("算法"),
    "asked_ids": gettext_lazy("申请作废的投票"),
    "assignments": gettext_lazy("评审分配"),
    "attachment": gettext_lazy("附件"),
    "attachments": gettext_lazy("附件"),
    "attempts": gettext_lazy("尝试次数"),
    "award": gettext_lazy("奖项"),
    "awards": gettext_lazy("奖项"),
    "bars": gettext_lazy("限制申报"),
    "batch": gettext_lazy("批次"),
    "bootstrap": gettext_lazy("初始化"),
    "boundary_tie": gettext_lazy("临界同分"),
    "campaign": gettext_lazy("评选活动"),
    "casebook": gettext_lazy("案例集"),
    "certificate": gettext_lazy("证书"),
    "certificates": gettext_lazy("证书"),
    "changed": gettext_lazy("修改内容"),
    "channel": gettext_lazy("渠道"),
    "channels": gettext_lazy("渠道"),
    "close": gettext_lazy("截止"),
    "code": gettext_lazy("代码"),
    "code_id": gettext_lazy("验证码编号"),
    "commitment": gettext_lazy("承诺值"),
    "computed": gettext_lazy("计算结果"),
    "contact": gettext_lazy("联系方式"),
    "content_hash": gettext_lazy("内容摘要"),
    "content_sha256": gettext_lazy("内容摘要"),
    "contributions": gettext_lazy("现场随机数"),
    "correction": gettext_lazy("更正"),
    "covered": gettext_lazy("已覆盖"),
    "created": gettext_lazy("创建"),
    "date": gettext_lazy("日期"),
    "days": gettext_lazy("天数"),
    "deadline": gettext_lazy("截止时间"),
    "delegate": gettext_lazy("代签人"),
    "delegation": gettext_lazy("代签授权"),
    "decision": gettext_lazy("决定"),
    "detail": gettext_lazy("说明"),
    "display_name": gettext_lazy("姓名"),
    "doc_number": gettext_lazy("文号"),
    "draw": gettext_lazy("抽签"),
    "eligibility": gettext_lazy("申报条件"),
    "email": gettext_lazy("电子邮箱"),
    "ends_at": gettext_lazy("结束时间"),
    "entries": gettext_lazy("参评数"),
    "error": gettext_lazy("错误"),
    "errors": gettext_lazy("错误"),
    "event_id": gettext_lazy("事件编号"),
    "events": gettext_lazy("事件"),
    "evidence": gettext_lazy("证据"),
    "expires_at": gettext_lazy("到期时间"),
    "field": gettext_lazy("字段"),
    "fields": gettext_lazy("字段"),
    "file": gettext_lazy("文件"),
    "filename": gettext_lazy("文件名"),
    "files": gettext_lazy("文件"),
    "filter": gettext_lazy("筛选条件"),
    "final": gettext_lazy("最终"),
    "finding": gettext_lazy("核查意见"),
    "finding_sha256": gettext_lazy("核查意见摘要"),
    "first_id": gettext_lazy("首个编号"),
    "first_sign_in": gettext_lazy("首次登录"),
    "form": gettext_lazy("申报表"),
    "format": gettext_lazy("格式"),
    "from": gettext_lazy("原值"),
    "from_nomination": gettext_lazy("原申报"),
    "id": gettext_lazy("编号"),
    "investigator": gettext_lazy("核查人"),
    "issued_by": gettext_lazy("发文单位"),
    "issued_on": gettext_lazy("发文日期"),
    "issuer": gettext_lazy("签发单位"),
    "judges": gettext_lazy("评审专家"),
    "key": gettext_lazy("标识"),
    "key_id": gettext_lazy("密钥编号"),
    "kind": gettext_lazy("类别"),
    "last_id": gettext_lazy("末个编号"),
    "line": gettext_lazy("行号"),
    "max": gettext_lazy("上限"),
    "method": gettext_lazy("方式"),
    "model": gettext_lazy("数据类型"),
    "must_change_password": gettext_lazy("须修改密码"),
    "name": gettext_lazy("名称"),
    "next_stage": gettext_lazy("下一环节"),
    "new": gettext_lazy("新值"),
    "nomination": gettext_lazy("申报"),
    "nomination_id": gettext_lazy("申报编号"),
    "nominations": gettext_lazy("申报"),
    "not_selected": gettext_lazy("未获奖"),
    "note": gettext_lazy("备注"),
    "notes": gettext_lazy("说明"),
    "notice": gettext_lazy("通知"),
    "number": gettext_lazy("编号"),
    "object": gettext_lazy("对象"),
    "objection": gettext_lazy("异议"),
    "objector_kind": gettext_lazy("异议人类型"),
    "old": gettext_lazy("旧值"),
    "open": gettext_lazy("开放"),
    "open_objections": gettext_lazy("未办结异议"),
    "opinion": gettext_lazy("意见"),
    "order": gettext_lazy("顺序"),
    "org": gettext_lazy("组织"),
    "org_id": gettext_lazy("组织编号"),
    "org_name": gettext_lazy("组织名称"),
    "outcome": gettext_lazy("结果"),
    "paid": gettext_lazy("已发放"),
    "paid_at": gettext_lazy("发放时间"),
    "parent": gettext_lazy("上级组织"),
    "partial": gettext_lazy("部分"),
    "selection": gettext_lazy("公示范围"),
    "tiers": gettext_lazy("奖项等次"),
    "pages": gettext_lazy("页数"),
    "path": gettext_lazy("路径"),
    "payload": gettext_lazy("内容"),
    "per_entry": gettext_lazy("每项评审人数"),
    "per_phone_per_day": gettext_lazy("每个手机号每日票数"),
    "person": gettext_lazy("个人"),
    "phone": gettext_lazy("手机号"),
    "phone_prefix": gettext_lazy("号段"),
    "prev_hash": gettext_lazy("前一哈希"),
    "principal": gettext_lazy("被代签人"),
    "previous": gettext_lazy("原值"),
    "prize": gettext_lazy("奖金"),
    "prize_money": gettext_lazy("奖金"),
    "problems": gettext_lazy("问题"),
    "public_key": gettext_lazy("公钥"),
    "public_keys": gettext_lazy("公钥"),
    "rank": gettext_lazy("名次"),
    "reason": gettext_lazy("原因"),
    "recover": gettext_lazy("追回"),
    "recovered": gettext_lazy("已追回"),
    "recused": gettext_lazy("回避"),
    "reopen": gettext_lazy("重新开放"),
    "resubmission": gettext_lazy("重新提交"),
    "retired_key_id": gettext_lazy("停用密钥编号"),
    "revocation": gettext_lazy("撤销"),
    "revoked": gettext_lazy("已撤销"),
    "role": gettext_lazy("角色"),
    "round": gettext_lazy("轮次"),
    "rows": gettext_lazy("行"),
    "rule_ends_at": gettext_lazy("按规定的结束时间"),
    "scores": gettext_lazy("评分"),
    "seal": gettext_lazy("印章"),
    "seal_hash": gettext_lazy("印章哈希"),
    "seals": gettext_lazy("印章"),
    "secret": gettext_lazy("密值"),
    "seq": gettext_lazy("序号"),
    "sequence": gettext_lazy("序号"),
    "sha256": gettext_lazy("摘要"),
    "short": gettext_lazy("不足"),
    "shortened": gettext_lazy("缩短公示期"),
    "signature": gettext_lazy("签名"),
    "signed_at": gettext_lazy("签署时间"),
    "signer_id": gettext_lazy("签署人编号"),
    "signer_label": gettext_lazy("签署人"),
    "signer_org": gettext_lazy("签署单位"),
    "signoff": gettext_lazy("审批意见"),
    "since": gettext_lazy("起始"),
    "size": gettext_lazy("大小"),
    "sms": gettext_lazy("短信"),
    "source": gettext_lazy("来源"),
    "stage": gettext_lazy("环节"),
    "start_review": gettext_lazy("开始审核"),
    "stale": gettext_lazy("超时未完成的生成"),
    "starts_at": gettext_lazy("开始时间"),
    "status": gettext_lazy("状态"),
    "supplement": gettext_lazy("补充材料"),
    "supplements": gettext_lazy("补充材料"),
    "task": gettext_lazy("任务"),
    "template": gettext_lazy("活动附件模板"),
    "text_sha256": gettext_lazy("文本摘要"),
    "through": gettext_lazy("截至"),
    "tie_order": gettext_lazy("同分排序"),
    "tied": gettext_lazy("同分者"),
    "tier": gettext_lazy("奖项等级"),
    "ties": gettext_lazy("同分"),
    "time": gettext_lazy("时间"),
    "time_limit_days": gettext_lazy("办理时限（天）"),
    "title": gettext_lazy("标题"),
    "to_stage": gettext_lazy("退回到"),
    "to": gettext_lazy("新值"),
    "token_key": gettext_lazy("令牌标识"),
    "tokens_revoked": gettext_lazy("已注销令牌"),
    "total": gettext_lazy("合计"),
    "transition": gettext_lazy("流转"),
    "type": gettext_lazy("类型"),
    "unit": gettext_lazy("单位"),
    "unit_contact": gettext_lazy("单位联系人"),
    "unit_name": gettext_lazy("单位名称"),
    "units": gettext_lazy("单位"),
    "until": gettext_lazy("截至"),
    "user": gettext_lazy("用户"),
    "users": gettext_lazy("用户"),
    "username": gettext_lazy("用户名"),
    "valid": gettext_lazy("有效"),
    "version": gettext_lazy("版本"),
    "view": gettext_lazy("页面"),
    "votes": gettext_lazy("票数"),
    "wanted": gettext_lazy("应有人数"),
    "window": gettext_lazy("投票期"),
    "working_days": gettext_lazy("工作日"),
    # entrant lists and minimums (issue 17)
    "places": gettext_lazy("参赛名额"),
    "had_place": gettext_lazy("原持有参赛名额"),
    "passed_to": gettext_lazy("顺延给"),
    "passed_to_rank": gettext_lazy("顺延单位排名"),
    "townships_short": gettext_lazy("未达最低申报数的乡镇（街道）"),
    "units_short": gettext_lazy("未达最低申报数的单位"),
    "min_per_unit": gettext_lazy("每单位至少"),
    "min_per_township": gettext_lazy("每乡镇（街道）至少"),
    "value": gettext_lazy("取值"),
    # Revision after selection (issue 17)
    "revision": gettext_lazy("修改稿"),
    "revisions": gettext_lazy("修改稿"),
    "revision_window": gettext_lazy("修改完善期"),
    # 会签 / 或签 and 加签 (issue 17)
    "cancelled_seats": gettext_lazy("取消的会签签署方"),
    "mode": gettext_lazy("会签方式"),
    "remaining": gettext_lazy("待签署方数"),
    "seat": gettext_lazy("会签签署方序号"),
    "added": gettext_lazy("加签人"),
    "opened_seats": gettext_lazy("开始办理的签署方"),
    "placement": gettext_lazy("加签方式"),
    "added_role": gettext_lazy("加签岗位（角色）"),
    "added_org": gettext_lazy("加签岗位（组织）"),
}


@functools.cache
def _model_field_labels(language: str | None) -> dict[str, str]:
    """Every model field's Chinese name by field name: the keys of ``campaign.updated`` and the
    admin's ``admin.changed`` are field names (the campaign's own fields win a shared name)."""
    labels: dict[str, str] = {}
    models = sorted(apps.get_models(), key=lambda m: m._meta.label_lower != "workflows.campaign")
    for model in models:
        for field in model._meta.get_fields():
            verbose = getattr(field, "verbose_name", None)
            if verbose and str(verbose) != field.name.replace("_", " "):
                labels.setdefault(field.name, str(verbose))
    return labels


def field_label(key: str) -> str:
    """The key's Chinese name: the table above, else a model field of that name, else the key."""
    label = FIELD_LABELS.get(key)
    if label is not None:
        return str(label)
    return _model_field_labels(get_language()).get(key, key)


# Chains that belong to no model row (see the ``target=(…)`` tuples of the actions).
OBJECT_LABELS = {
    "audit.trail": gettext_lazy("审计记录"),
    "workflows.calendar": gettext_lazy("工作日历"),
    "judging.round": gettext_lazy("评审轮次"),
    "bar.years": gettext_lazy("限制申报"),
    "auth.username": gettext_lazy("登录名"),
    "auth.anonymous": gettext_lazy("匿名访问"),
}


def object_type_label(object_type: str) -> str:
    """``approvals.nomination`` → 申报 (the model's own name); an unknown type as stored."""
    label = OBJECT_LABELS.get(object_type)
    if label is not None:
        return str(label)
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def object_label(object_type: str, object_id: str) -> str:
    """``approvals.nomination`` ``12`` → 申报 12."""
    return f"{object_type_label(object_type)} {object_id}"


# Content keys whose value is a stage's key (``district_review``): shown by the stage's name.
STAGE_KEYS = frozenset({"stage", "next_stage", "to_stage"})


def stage_names() -> dict[str, str]:
    """Every stage key's Chinese name from the campaigns' chains, in one query. A key that campaigns
    name differently reads with each of its names (``区民政局审核／县民政局推荐``)."""
    try:
        stage_model = apps.get_model("workflows", "Stage")  # a lower layer: the trail never imports workflows
    except LookupError:  # pragma: no cover - the app is always installed
        return {}
    names: dict[str, list[str]] = {}
    for key, name in stage_model.objects.values_list("key", "name").distinct().order_by("key", "name"):
        if name not in names.setdefault(key, []):
            names[key].append(name)
    return {key: "／".join(found) for key, found in names.items()}


def _value(value: Any, stages: Mapping[str, str] | None = None, key: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict):
        return "；".join(f"{field_label(str(k))}：{_value(v, stages, str(k))}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return "、".join(_value(v, stages, key) for v in value) or "—"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and key in STAGE_KEYS and stages:
        return stages.get(value, value)
    if isinstance(value, float | int | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _has_stage(data: Any) -> bool:
    if isinstance(data, dict):
        return any(k in STAGE_KEYS or _has_stage(v) for k, v in data.items())
    return isinstance(data, list | tuple) and any(_has_stage(v) for v in data)


def readable_data(data: Any, stages: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """An event's content as (label, value) pairs in stored order, for a page or a CSV cell. Stage keys
    read by their names: from ``stages`` (``stage_names()``, read once for many events), else looked up
    here when the content has one."""
    if not isinstance(data, dict):
        return [("", _value(data))] if data not in (None, "", [], {}) else []
    if stages is None and _has_stage(data):
        stages = stage_names()
    return [(field_label(str(key)), _value(value, stages, str(key))) for key, value in data.items()]


def readable_text(data: Any, stages: Mapping[str, str] | None = None) -> str:
    """The same pairs on one line (the CSV's 内容 column): ``原因：……；环节：区民政局审核``."""
    return "；".join(f"{label}：{value}" if label else value for label, value in readable_data(data, stages))
