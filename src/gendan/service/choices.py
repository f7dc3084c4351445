"""Customer service's constants: the complaint's channels, severities, statuses and the transitions allowed between
them, the kinds of actions, the settlement, and the default root-cause categories (4M1E and the rest)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """How the complaint reached us."""

    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    WECHAT = "wechat", _("WeChat")
    CLAIM_LETTER = "claim_letter", _("Claim letter")  # 索赔函
    INSPECTION = "inspection", _("Customer's inspection report")  # 客户/第三方验货报告
    OTHER = "other", pgettext_lazy("channel", "Other")


class Severity(models.TextChoices):
    CRITICAL = "critical", pgettext_lazy("complaint severity", "Critical")  # 致命
    MAJOR = "major", pgettext_lazy("complaint severity", "Major")  # 严重
    MINOR = "minor", pgettext_lazy("complaint severity", "Minor")  # 轻微


SEVERITY_COLORS = {Severity.CRITICAL: "red", Severity.MAJOR: "amber", Severity.MINOR: "grey"}


class ComplaintStatus(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("complaint", "Registered")  # 已登记
    ROUTED = "routed", pgettext_lazy("complaint", "Routed")  # 已分派
    INVESTIGATING = "investigating", pgettext_lazy("complaint", "Investigating")  # 调查中
    ANSWERED = "answered", pgettext_lazy("complaint", "Answered")  # 已答复
    VERIFIED = "verified", pgettext_lazy("complaint", "Verified")  # 客户已确认
    CLOSED = "closed", pgettext_lazy("complaint", "Closed")  # 已结案
    REJECTED = "rejected", pgettext_lazy("complaint", "Rejected")  # 不成立


STATUS_COLORS = {
    ComplaintStatus.REGISTERED: "grey",
    ComplaintStatus.ROUTED: "blue",
    ComplaintStatus.INVESTIGATING: "amber",
    ComplaintStatus.ANSWERED: "indigo",
    ComplaintStatus.VERIFIED: "teal",
    ComplaintStatus.CLOSED: "green",
    ComplaintStatus.REJECTED: "grey",
}
# The main road, shown as the status flow on the complaint's page.
FLOW = (
    ComplaintStatus.REGISTERED,
    ComplaintStatus.ROUTED,
    ComplaintStatus.INVESTIGATING,
    ComplaintStatus.ANSWERED,
    ComplaintStatus.VERIFIED,
    ComplaintStatus.CLOSED,
)
OPEN_STATUSES = (
    ComplaintStatus.REGISTERED,
    ComplaintStatus.ROUTED,
    ComplaintStatus.INVESTIGATING,
    ComplaintStatus.ANSWERED,
    ComplaintStatus.VERIFIED,
)
FINAL_STATUSES = (ComplaintStatus.CLOSED, ComplaintStatus.REJECTED)
# While the responsible person owes the customer an answer: the due date counts.
ANSWER_DUE_STATUSES = (ComplaintStatus.ROUTED, ComplaintStatus.INVESTIGATING)
# The investigation (root cause) is written, and actions are added, in these statuses.
INVESTIGATION_STATUSES = (ComplaintStatus.ROUTED, ComplaintStatus.INVESTIGATING)
ACTION_STATUSES = (
    ComplaintStatus.ROUTED,
    ComplaintStatus.INVESTIGATING,
    ComplaintStatus.ANSWERED,
    ComplaintStatus.VERIFIED,
)
# The facts of the complaint itself (what, how much, which order) are corrected until the answer goes out.
EDITABLE_STATUSES = (ComplaintStatus.REGISTERED, ComplaintStatus.ROUTED, ComplaintStatus.INVESTIGATING)

# The state machine as data: each action, the statuses it may start from and the status it leads to. "route" from
# routed or investigating hands the complaint to someone else and keeps its status; "verify" leads to verified when
# the customer accepts the answer and back to investigating when not (see services.verify_complaint).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "route": (
        (ComplaintStatus.REGISTERED, ComplaintStatus.ROUTED, ComplaintStatus.INVESTIGATING),
        ComplaintStatus.ROUTED,
    ),
    "investigate": ((ComplaintStatus.ROUTED,), ComplaintStatus.INVESTIGATING),
    "answer": ((ComplaintStatus.INVESTIGATING,), ComplaintStatus.ANSWERED),
    "verify": ((ComplaintStatus.ANSWERED,), ComplaintStatus.VERIFIED),
    "not_accepted": ((ComplaintStatus.ANSWERED,), ComplaintStatus.INVESTIGATING),
    "close": ((ComplaintStatus.VERIFIED,), ComplaintStatus.CLOSED),
    "reject": (
        (ComplaintStatus.REGISTERED, ComplaintStatus.ROUTED, ComplaintStatus.INVESTIGATING),
        ComplaintStatus.REJECTED,
    ),
}


class ActionKind(models.TextChoices):
    """The 8D's actions: containment (D3), corrective (D5–D6), preventive (D7)."""

    CONTAINMENT = "containment", _("Containment")  # 临时措施/围堵措施
    CORRECTIVE = "corrective", _("Corrective")  # 纠正措施
    PREVENTIVE = "preventive", _("Preventive")  # 预防措施


ACTION_KIND_COLORS = {ActionKind.CONTAINMENT: "orange", ActionKind.CORRECTIVE: "blue", ActionKind.PREVENTIVE: "teal"}


class AnswerLanguage(models.TextChoices):
    EN = "en", "English"
    ZH = "zh", "中文"


# The root-cause categories a new database starts with (code, 中文, English): the 4M1E of the fishbone plus what
# export complaints add. The list is maintained on the root-cause page; the codes are kept stable for the reports.
DEFAULT_CAUSES = [
    ("man", "人员", "Man (operator)"),
    ("machine", "设备", "Machine"),
    ("material", "物料", "Material"),
    ("method", "方法/工艺", "Method (process)"),
    ("measurement", "测量/检验", "Measurement (inspection)"),
    ("environment", "环境", "Environment"),
    ("packaging", "包装", "Packaging"),
    ("transport", "运输", "Transport"),
    ("design", "设计", "Design"),
    ("supplier", "供应商", "Supplier"),
    ("customer_use", "客户使用", "Customer use"),
    ("other", "其他", "Other"),
]
