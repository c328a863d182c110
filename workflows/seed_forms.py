"""Form definitions and eligibility rules of the five seed campaigns (shared/seeds/000–004), as data.

Each form follows the notice's own application form (申报表); each rule list quotes the notice's
conditions. ``SEED_CAMPAIGNS`` groups them the way a campaign stores them: per nomination kind.
``SEED_SAMPLES`` holds one made-up nomination per form that passes both at ``SEED_SUBMISSION_DATES``.
The constants are shared module-level objects: deep-copy them before changing anything.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from workflows.forms import AttachmentInfo

SEX_OPTIONS: Final = ["男", "女"]
EDUCATION_OPTIONS: Final = ["初中及以下", "高中/中专", "大专", "本科", "硕士研究生", "博士研究生"]
POLITICAL_STATUS_OPTIONS: Final = ["中共党员", "中共预备党员", "共青团员", "民主党派成员", "无党派人士", "群众"]

# ---------------------------------------------------------------------------------------------------------------------
# [000] 2024 德化首届民政领域微服务案例评选比赛申报表: individual or team (≤ 5), case within the last 3 years.

SEED_000_CASE_FORM: Final[dict[str, Any]] = {
    "fields": [
        # 单位/组织名称 is the nomination's unit, chosen when the draft is made: not asked again.
        {
            "key": "name",
            "label": "微服务案例名称",
            "type": "text",
            "required": True,
            "max_length": 50,
            "help": "请填写微服务案例全称",
        },
        {
            "key": "category",
            "label": "微服务案例类别",
            "type": "choice",
            "required": True,
            # The notice lists 慈善救助 twice; it is one category.
            "options": [
                "“党建+”志愿服务",
                "政策宣传",
                "为老服务",
                "关爱少年儿童",
                "慈善救助",
                "婚姻登记与辅导",
                "区划地名",
                "殡葬",
                "阳光助残",
                "社会福利",
                "社区治理与邻里守望",
                "其他",
            ],
        },
        {
            "key": "carried_out_on",
            "label": "案例开展时间",
            "type": "date",
            "required": True,
            "help": "参赛案例需为近 3 年开展的",
        },
        {
            "key": "background",
            "label": "微服务案例背景及基本情况介绍",
            "type": "long_text",
            "required": True,
            "min_length": 200,
            "max_length": 300,
            "help": "简述微服务的背景、时间、目标、手法、内容、成效等基本情况（200-300 字）",
        },
        {
            "key": "process",
            "label": "微服务案例实施过程",
            "type": "long_text",
            "required": True,
            "min_length": 300,
            "max_length": 500,
            "help": "简述微服务中工作人员的实施过程及步骤（300-500 字）",
        },
        {
            "key": "results",
            "label": "微服务案例解决的问题及社会效益",
            "type": "long_text",
            "required": True,
            "min_length": 300,
            "max_length": 500,
            "help": (
                "简述微服务解决的实际问题及成果成效，比如新闻媒体报道、案例、奖项、荣誉、经验模式提炼等内容"
                "（300-500 字）"
            ),
        },
        {
            "key": "members",
            "label": "参赛人员情况",
            "type": "person_list",
            "required": True,
            "min_count": 1,
            "max_count": 5,
            "help": "个人或团队（5 人以内）",
            "fields": [
                {"key": "name", "label": "姓名", "type": "text", "required": True, "max_length": 20},
                {"key": "sex", "label": "性别", "type": "choice", "required": True, "options": SEX_OPTIONS},
                {
                    "key": "age",
                    "label": "年龄",
                    "type": "number",
                    "required": True,
                    "integer": True,
                    "min": 16,
                    "max": 100,
                },
                {
                    "key": "education",
                    "label": "学历",
                    "type": "choice",
                    "required": True,
                    "options": EDUCATION_OPTIONS,
                },
                {
                    "key": "political_status",
                    "label": "政治面貌",
                    "type": "choice",
                    "required": True,
                    "options": POLITICAL_STATUS_OPTIONS,
                },
                {"key": "phone", "label": "手机号", "type": "phone", "required": True},
                {"key": "employer", "label": "工作单位及职务", "type": "text", "required": True, "max_length": 100},
            ],
        },
        {"key": "contact_name", "label": "负责人", "type": "text", "required": True, "max_length": 20},
        {"key": "contact_phone", "label": "负责人联系方式", "type": "phone", "required": True},
        {
            "key": "roadshow_method",
            "label": "路演方式",
            "type": "text",
            "required": True,
            "max_length": 100,
            "help": "如：以视频+故事分享的方式呈现（讲故事、相声、快板、PPT、视频、情景剧等，不超过 8 分钟）",
        },
    ]
}

SEED_000_CASE_RULES: Final[list[dict[str, Any]]] = [
    {"type": "within_last_years", "field": "carried_out_on", "years": 3, "message": "参赛案例需为近 3 年开展的"},
    {"type": "max_count", "field": "members", "max": 5, "message": "参赛团队须在 5 人以内"},
]

# ---------------------------------------------------------------------------------------------------------------------
# [001] 2023 坪山区社会组织参与基层社会治理案例征集: text ≤ 5000 characters, 3–5 JPG pictures, in 坪山区.

SEED_001_CASE_FORM: Final[dict[str, Any]] = {
    "fields": [
        {"key": "title", "label": "案例标题", "type": "text", "required": True, "max_length": 50},
        {
            "key": "category",
            "label": "征集类别",
            "type": "choice",
            "required": True,
            "options": [
                "社会组织提供社区服务类",
                "社会组织扩大居民参与社区事务类",
                "社会组织培育社区文化类",
                "社会组织参与源头治理类",
            ],
        },
        # 申报单位 is the nomination's unit, chosen when the draft is made: not asked again.
        {"key": "authors", "label": "文章作者", "type": "text", "required": True, "max_length": 100},
        {
            "key": "in_pingshan",
            "label": "案例发生地在坪山区范围内",
            "type": "boolean",
            "required": True,
        },
        {
            "key": "body",
            "label": "案例正文",
            "type": "long_text",
            "required": True,
            "max_length": 5000,
            "help": "文字简洁、逻辑清晰、资料翔实，正文字数不超过 5000 字",
        },
        {
            "key": "pictures",
            "label": "案例图片",
            "type": "images",
            "allowed_types": ["jpg"],
            "min_count": 3,
            "max_count": 5,
            "max_size_mb": 10,
            "help": "鼓励提交与案例相关的图片 3-5 张（JPG 格式，图片需命名）",
        },
        {
            "key": "manuscript",
            "label": "案例文稿",
            "type": "files",
            "allowed_types": ["doc", "docx", "pdf"],
            "max_count": 1,
            "max_size_mb": 20,
            "help": "按附件 1《案例文稿材料格式模板》提交",
        },
        {
            "key": "usage_objection",
            "label": "对使用权的异议",
            "type": "long_text",
            "max_length": 500,
            "help": "案例一经采用，其使用权（修改、出版、宣传等）归活动组织方所有；若有异议，请在此注明",
        },
        {"key": "contact_name", "label": "联系人", "type": "text", "required": True, "max_length": 20},
        {"key": "contact_phone", "label": "联系电话", "type": "phone", "required": True},
    ]
}

SEED_001_CASE_RULES: Final[list[dict[str, Any]]] = [
    {"type": "max_total_chars", "fields": ["body"], "max": 5000, "message": "案例正文字数不超过 5000 字"},
    {"type": "must_be_true", "field": "in_pingshan", "message": "案例发生地须在坪山区范围内"},
]

# ---------------------------------------------------------------------------------------------------------------------
# [002] 2024 上海“一网通办”专项立功竞赛（社区事务受理赛区）: 附件3 collective form, 附件4 individual form.

SEED_002_COLLECTIVE_FORM: Final[dict[str, Any]] = {
    "fields": [
        {
            "key": "group",
            "label": "参赛组别",
            "type": "choice",
            "required": True,
            "options": ["受理中心组", "区运管团队组"],
        },
        {"key": "name", "label": "集体名称", "type": "text", "required": True, "max_length": 100},
        {"key": "leader_name", "label": "负责人姓名", "type": "text", "required": True, "max_length": 20},
        {"key": "leader_phone", "label": "联系电话", "type": "phone", "required": True},
        {
            "key": "window_count",
            "label": "窗口数量",
            "type": "number",
            "integer": True,
            "min": 0,
            "max": 500,
            "help": "区运管团队不填",
        },
        {
            "key": "member_count",
            "label": "集体人数",
            "type": "number",
            "required": True,
            "integer": True,
            "min": 1,
            "max": 2000,
        },
        {"key": "female_ratio", "label": "女性占比（%）", "type": "number", "required": True, "min": 0, "max": 100},
        {
            "key": "under_35_ratio",
            "label": "35 岁以下占比（%）",
            "type": "number",
            "required": True,
            "min": 0,
            "max": 100,
        },
        {"key": "admin_level", "label": "集体行政级别", "type": "text", "required": True, "max_length": 50},
        {
            "key": "past_awards",
            "label": "以往年度立功竞赛活动获奖情况",
            "type": "long_text",
            "max_length": 1000,
        },
        {"key": "work", "label": "工作开展情况", "type": "long_text", "required": True, "max_length": 2000},
        {
            "key": "service_management",
            "label": "服务管理情况",
            "type": "long_text",
            "required": True,
            "max_length": 2000,
        },
        {
            "key": "social_reputation",
            "label": "社会美誉情况",
            "type": "long_text",
            "required": True,
            "max_length": 2000,
        },
        {
            "key": "system_building",
            "label": "制度建设情况",
            "type": "long_text",
            "required": True,
            "max_length": 2000,
        },
        {
            "key": "work_environment",
            "label": "工作环境情况",
            "type": "long_text",
            "required": True,
            "max_length": 2000,
        },
        {"key": "featured_work", "label": "特色工作情况", "type": "long_text", "required": True, "max_length": 2000},
        {
            "key": "supporting_files",
            "label": "其他证明材料",
            "type": "files",
            "allowed_types": ["pdf", "doc", "docx", "xls", "xlsx", "jpg", "png"],
            "max_count": 10,
            "max_size_mb": 20,
        },
    ]
}

SEED_002_COLLECTIVE_RULES: Final[list[dict[str, Any]]] = [
    # 区运管团队 "不少于 3 人"; a 受理中心 is always larger.
    {"type": "min_number", "field": "member_count", "min": 3, "message": "参评集体不少于 3 人"},
]

SEED_002_INDIVIDUAL_FORM: Final[dict[str, Any]] = {
    "fields": [
        {"key": "name", "label": "姓名", "type": "text", "required": True, "max_length": 20},
        {"key": "sex", "label": "性别", "type": "choice", "required": True, "options": SEX_OPTIONS},
        {"key": "native_place", "label": "籍贯", "type": "text", "required": True, "max_length": 50},
        {
            "key": "photo",
            "label": "2 寸正面免冠近照",
            "type": "images",
            "required": True,
            "min_count": 1,
            "max_count": 1,
            "max_size_mb": 5,
            "personal": True,
        },
        {
            "key": "political_status",
            "label": "政治面貌",
            "type": "choice",
            "required": True,
            "options": POLITICAL_STATUS_OPTIONS,
        },
        {"key": "education", "label": "学历", "type": "choice", "required": True, "options": EDUCATION_OPTIONS},
        {"key": "birth_date", "label": "出生年月", "type": "date", "required": True, "min": "1940-01-01"},
        {"key": "employer_and_post", "label": "工作单位和岗位", "type": "text", "required": True, "max_length": 100},
        {
            "key": "post_category",
            "label": "岗位类别",
            "type": "choice",
            "required": True,
            # 综合窗口一线工作人员 take ≥ 80 % of the awards and a different third round [002].
            "options": ["综合窗口一线工作人员", "后台人员", "管理人员"],
        },
        {
            "key": "years_in_post",
            "label": "在岗年限",
            "type": "number",
            "required": True,
            "min": 0,
            "max": 60,
            "help": "必须满 2 年",
        },
        {"key": "in_post", "label": "目前仍在相关岗位工作", "type": "boolean", "required": True},
        {"key": "id_number", "label": "身份证号", "type": "id_number", "required": True},
        {"key": "phone", "label": "联系电话", "type": "phone", "required": True},
        {"key": "conduct", "label": "思想品德表现", "type": "long_text", "required": True, "max_length": 1500},
        {"key": "skills", "label": "业务技能表现", "type": "long_text", "required": True, "max_length": 1500},
        {"key": "quality", "label": "工作质量表现", "type": "long_text", "required": True, "max_length": 1500},
        {"key": "other_deeds", "label": "其他事迹", "type": "long_text", "max_length": 1500},
    ]
}

SEED_002_INDIVIDUAL_RULES: Final[list[dict[str, Any]]] = [
    {
        "type": "min_number",
        "field": "years_in_post",
        "min": 2,
        "message": "被推荐对象须在受理中心综合窗口或相关工作满 2 年",
    },
    {"type": "must_be_true", "field": "in_post", "message": "被推荐对象须目前仍在相关岗位工作"},
]

# ---------------------------------------------------------------------------------------------------------------------
# [003] 2014 台山市党员义工创新活动申报表 (附件1): 2013-09 to 2014-12, running ≥ half a year.

SEED_003_INNOVATION_FORM: Final[dict[str, Any]] = {
    "fields": [
        # 申报单位 is the nomination's unit, chosen when the draft is made: not asked again.
        {"key": "name", "label": "名称", "type": "text", "required": True, "max_length": 50},
        {
            "key": "application_type",
            "label": "申报类型",
            "type": "choice",
            "required": True,
            "options": ["创新服务项目", "创新工作案例"],
        },
        {
            "key": "service_area",
            "label": "服务领域",
            "type": "choice",
            "options": [
                "美丽家园",
                "文明和谐创建",
                "保护母亲河行动",
                "扶贫济困",
                "帮老助幼",
                "扶残助弱",
                "社区服务",
                "拥军优属",
                "减灾救灾",
                "党员义工管理",
                "其他",
            ],
        },
        {"key": "leader", "label": "负责人", "type": "text", "required": True, "max_length": 20},
        {"key": "leader_contact", "label": "联系方式", "type": "phone", "required": True},
        {
            "key": "period_type",
            "label": "实施期限",
            "type": "choice",
            "required": True,
            "options": ["定期实施", "长期", "已完成"],
        },
        {"key": "started_on", "label": "开始时间", "type": "date", "required": True},
        {"key": "ended_on", "label": "结束时间", "type": "date", "help": "长期开展或仍在实施的不填"},
        {"key": "background", "label": "背景与起因", "type": "long_text", "required": True, "max_length": 1000},
        {"key": "approach", "label": "思路与做法", "type": "long_text", "required": True, "max_length": 1500},
        {
            "key": "innovations",
            "label": "主要创新内容和措施",
            "type": "long_text",
            "required": True,
            "max_length": 1500,
        },
        {"key": "expected_effect", "label": "预期效果", "type": "long_text", "required": True, "max_length": 1000},
        {
            "key": "summary",
            "label": "活动总结",
            "type": "long_text",
            "min_length": 1000,
            "max_length": 2000,
            "help": (
                "包括背景与起因、思路与做法、成效与反响、经验与启示、问题与反思五部分，1500 字左右；"
                "服务对象的姓名、住址、单位等隐私内容须作技术性处理"
            ),
        },
        {"key": "pictures", "label": "相关图片", "type": "images", "max_count": 10, "max_size_mb": 10},
        {
            "key": "materials",
            "label": "相关重要资料",
            "type": "files",
            "allowed_types": ["pdf", "doc", "docx", "jpg", "png"],
            "max_count": 10,
            "max_size_mb": 20,
        },
    ]
}

SEED_003_INNOVATION_RULES: Final[list[dict[str, Any]]] = [
    {
        "type": "date_between",
        "field": "started_on",
        "from": "2013-09-01",
        "to": "2014-12-31",
        "message": "申报项目、案例须为 2013 年 9 月至 2014 年 12 月底组织开展的",
    },
    {
        "type": "min_duration_months",
        "start_field": "started_on",
        "end_field": "ended_on",
        "months": 6,
        "message": "申报项目、案例须稳定、持续开展或实施半年以上",
    },
]

# ---------------------------------------------------------------------------------------------------------------------
# [004] 2020 山东省民政工作创新案例: the published cases show 案例名称, 创新单位, 案例概况, 主要做法.

SEED_004_CASE_FORM: Final[dict[str, Any]] = {
    "fields": [
        {"key": "name", "label": "案例名称", "type": "text", "required": True, "max_length": 50},
        {"key": "innovation_unit", "label": "创新单位", "type": "text", "required": True, "max_length": 100},
        {"key": "region", "label": "所在县（市、区）", "type": "text", "max_length": 50},
        {"key": "overview", "label": "案例概况", "type": "long_text", "required": True, "max_length": 500},
        {"key": "practices", "label": "主要做法", "type": "long_text", "required": True, "max_length": 3000},
        {"key": "results", "label": "工作成效", "type": "long_text", "max_length": 1000},
        {
            "key": "materials",
            "label": "佐证材料",
            "type": "files",
            "allowed_types": ["pdf", "doc", "docx", "jpg", "png"],
            "max_count": 10,
            "max_size_mb": 20,
        },
        {"key": "contact_name", "label": "联系人", "type": "text", "required": True, "max_length": 20},
        {"key": "contact_phone", "label": "联系电话", "type": "phone", "required": True},
    ]
}

# The published notice states no eligibility condition beyond the form itself.
SEED_004_CASE_RULES: Final[list[dict[str, Any]]] = []

# ---------------------------------------------------------------------------------------------------------------------

# seed id → {"forms": {kind: definition}, "eligibility": {kind: rules}}, as a campaign stores them.
SEED_CAMPAIGNS: Final[dict[str, dict[str, dict[str, Any]]]] = {
    "000": {"forms": {"case": SEED_000_CASE_FORM}, "eligibility": {"case": SEED_000_CASE_RULES}},
    "001": {"forms": {"case": SEED_001_CASE_FORM}, "eligibility": {"case": SEED_001_CASE_RULES}},
    "002": {
        "forms": {"collective": SEED_002_COLLECTIVE_FORM, "individual": SEED_002_INDIVIDUAL_FORM},
        "eligibility": {"collective": SEED_002_COLLECTIVE_RULES, "individual": SEED_002_INDIVIDUAL_RULES},
    },
    "003": {"forms": {"case": SEED_003_INNOVATION_FORM}, "eligibility": {"case": SEED_003_INNOVATION_RULES}},
    "004": {"forms": {"case": SEED_004_CASE_FORM}, "eligibility": {"case": SEED_004_CASE_RULES}},
}

# ---------------------------------------------------------------------------------------------------------------------
# Sample nominations, one per seed form, that pass validate_form_data(partial=False) and check_eligibility
# on the campaign's submission date with SEED_SAMPLE_ATTACHMENTS. Names, numbers and texts are made up.


def _text(source: str, length: int) -> str:
    """Return ``source`` repeated and cut to exactly ``length`` characters."""
    return (source * (length // len(source) + 1))[:length]


_SERVICE = (
    "社区社工联合志愿服务队每周为辖区独居老人上门开展助餐、助洁、助医服务，建立一人一档的需求台账，"
    "联动卫生院提供健康监测，帮助老人解决就医难、用餐难等实际问题。"
)
_CENTRE = (
    "中心深化标准化建设，综合窗口覆盖率达百分之百，推行远程虚拟窗口和两个免于提交，"
    "引导居民使用电子证照，实现减环节、减材料、减时间、减跑动，群众满意度持续位居全区前列。"
)
_VOLUNTEER = (
    "支部组织党员义工每月深入社区开展帮老助幼、扶残助弱服务，建立党员义工注册登记和服务计时制度，"
    "与困难家庭结成长期帮扶对子，服务对象信息均作技术性处理。"
)

# Submission dates the samples are checked against (eligibility depends on the date).
SEED_SUBMISSION_DATES: Final[dict[str, date]] = {
    "000": date(2024, 9, 10),
    "001": date(2023, 6, 15),
    "002": date(2024, 8, 5),
    "003": date(2014, 10, 20),
    "004": date(2020, 12, 15),
}

SEED_SAMPLE_ATTACHMENTS: Final[dict[int, AttachmentInfo]] = {
    101: AttachmentInfo(type="jpg", size=850_000, is_image=True, name="入户助餐.jpg"),
    102: AttachmentInfo(type="jpg", size=920_000, is_image=True, name="健康监测.jpg"),
    103: AttachmentInfo(type="jpg", size=780_000, is_image=True, name="志愿者合影.jpg"),
    104: AttachmentInfo(type="docx", size=64_000, is_image=False, name="案例文稿.docx"),
    201: AttachmentInfo(type="pdf", size=2_400_000, is_image=False, name="第三方评估报告.pdf"),
    202: AttachmentInfo(type="jpg", size=310_000, is_image=True, name="近照.jpg"),
    301: AttachmentInfo(type="png", size=540_000, is_image=True, name="义工服务.png"),
    401: AttachmentInfo(type="pdf", size=1_200_000, is_image=False, name="联席会议制度.pdf"),
}

SEED_SAMPLES: Final[dict[str, dict[str, dict[str, Any]]]] = {
    "000": {
        "case": {
            "name": "银龄守护·独居老人上门微服务",
            "category": "为老服务",
            "carried_out_on": "2023-03-01",
            "background": _text(_SERVICE, 250),
            "process": _text(_SERVICE, 420),
            "results": _text(_SERVICE, 380),
            "members": [
                {
                    "name": "林晓燕",
                    "sex": "女",
                    "age": 34,
                    "education": "本科",
                    "political_status": "中共党员",
                    "phone": "13805951234",
                    "employer": "浔中镇社会工作服务站 社工",
                },
                {
                    "name": "陈志强",
                    "sex": "男",
                    "age": 41,
                    "education": "大专",
                    "political_status": "群众",
                    "phone": "15959012345",
                    "employer": "浔中镇民政办 民政协理员",
                },
            ],
            "contact_name": "林晓燕",
            "contact_phone": "13805951234",
            "roadshow_method": "以视频+故事分享的方式呈现",
        }
    },
    "001": {
        "case": {
            "title": "邻里议事会化解物业纠纷",
            "category": "社会组织参与源头治理类",
            "authors": "黄敏、李伟",
            "in_pingshan": True,
            "body": _text(_SERVICE, 4800),
            "pictures": [101, 102, 103],
            "manuscript": [104],
            "contact_name": "黄敏",
            "contact_phone": "0755-28299971",
        }
    },
    "002": {
        "collective": {
            "group": "受理中心组",
            "name": "浦兴路街道社区事务受理服务中心",
            "leader_name": "王丽",
            "leader_phone": "021-58761234",
            "window_count": 12,
            "member_count": 28,
            "female_ratio": 71.4,
            "under_35_ratio": 42.9,
            "admin_level": "科级",
            "past_awards": "2022 年度立功竞赛集体二等奖",
            "work": _text(_CENTRE, 800),
            "service_management": _text(_CENTRE, 600),
            "social_reputation": _text(_CENTRE, 500),
            "system_building": _text(_CENTRE, 500),
            "work_environment": _text(_CENTRE, 400),
            "featured_work": _text(_CENTRE, 700),
            "supporting_files": [201],
        },
        "individual": {
            "name": "张敏",
            "sex": "女",
            "native_place": "上海",
            "photo": [202],
            "political_status": "中共党员",
            "education": "本科",
            "birth_date": "1988-06-15",
            "employer_and_post": "徐家汇街道社区事务受理服务中心 综合窗口",
            "post_category": "综合窗口一线工作人员",
            "years_in_post": 6,
            "in_post": True,
            "id_number": "310104198806150420",
            "phone": "13916051234",
            "conduct": _text(_CENTRE, 600),
            "skills": _text(_CENTRE, 600),
            "quality": _text(_CENTRE, 600),
        },
    },
    "003": {
        "case": {
            "name": "党员义工“邻里守望”帮老助幼项目",
            "application_type": "创新服务项目",
            "service_area": "帮老助幼",
            "leader": "李建华",
            "leader_contact": "0750-5511941",
            "period_type": "长期",
            "started_on": "2013-10-08",
            "background": _text(_VOLUNTEER, 500),
            "approach": _text(_VOLUNTEER, 900),
            "innovations": _text(_VOLUNTEER, 800),
            "expected_effect": _text(_VOLUNTEER, 400),
            "summary": _text(_VOLUNTEER, 1500),
            "pictures": [301],
        }
    },
    "004": {
        "case": {
            "name": "“1443工作法”呵护农村孤困儿童成长",
            "innovation_unit": "济宁市民政局",
            "region": "泗水县",
            "overview": "通过创建农村留守儿童关爱服务和困境儿童保障“1443”工作模式，有效提升了儿童福利保障工作水平。",
            "practices": "一是搭建一个平台；二是整合四个阵地；三是实施四大工程；四是健全三项机制。",
            "results": "累计服务农村留守儿童和困境儿童 6 万余人次，实现农村留守儿童全覆盖。",
            "materials": [401],
            "contact_name": "赵冉冉",
            "contact_phone": "0537-2345678",
        }
    },
}
