"""Customer relations' constants: visit statuses and the transitions between them, purposes, preparation kinds;
survey question kinds and categories, round statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# ---- visits (客户来访接待) -------------------------------------------------------------------------------------------


class VisitStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("visit", "Planned")
    CONFIRMED = "confirmed", pgettext_lazy("visit", "Confirmed")
    IN_PROGRESS = "in_progress", pgettext_lazy("visit", "In progress")
    VISITED = "visited", pgettext_lazy("visit", "Visited")
    CLOSED = "closed", pgettext_lazy("visit", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("visit", "Cancelled")


VISIT_STATUS_COLORS = {
    VisitStatus.PLANNED: "grey",
    VisitStatus.CONFIRMED: "blue",
    VisitStatus.IN_PROGRESS: "amber",
    VisitStatus.VISITED: "indigo",
    VisitStatus.CLOSED: "green",
    VisitStatus.CANCELLED: "grey",
}
# Before the visitors come: the plan can change and its preparation is chased.
BEFORE_STATUSES = (VisitStatus.PLANNED, VisitStatus.CONFIRMED)
# Not closed nor cancelled: its open tasks and actions are chased.
LIVE_STATUSES = (VisitStatus.PLANNED, VisitStatus.CONFIRMED, VisitStatus.IN_PROGRESS, VisitStatus.VISITED)
# The minutes can be written once the visitors are here.
MINUTES_STATUSES = (VisitStatus.IN_PROGRESS, VisitStatus.VISITED)
STATUS_FLOW = (
    VisitStatus.PLANNED,
    VisitStatus.CONFIRMED,
    VisitStatus.IN_PROGRESS,
    VisitStatus.VISITED,
    VisitStatus.CLOSED,
)

# The state machine as data: each action, the statuses it may start from and the status it leads to.
VISIT_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "confirm": ((VisitStatus.PLANNED,), VisitStatus.CONFIRMED),
    "start": ((VisitStatus.CONFIRMED,), VisitStatus.IN_PROGRESS),
    "finish": ((VisitStatus.CONFIRMED, VisitStatus.IN_PROGRESS), VisitStatus.VISITED),
    "close": ((VisitStatus.VISITED,), VisitStatus.CLOSED),
    "cancel": ((VisitStatus.PLANNED, VisitStatus.CONFIRMED), VisitStatus.CANCELLED),
}


class VisitPurpose(models.TextChoices):
    BUSINESS = "business", _("Business talks")  # 商务洽谈
    FACTORY_AUDIT = "factory_audit", _("Factory audit")  # 验厂
    QUALITY = "quality", _("Quality review / inspection")  # 质量评审 / 验货
    NEW_PRODUCTS = "new_products", _("New products / range review")  # 新品开发 / 选样
    RELATIONSHIP = "relationship", _("Relationship visit")  # 礼节性拜访
    OTHER = "other", _("Other")


class TaskPhase(models.TextChoices):
    PREPARATION = "preparation", _("Preparation")  # 接待准备
    FOLLOW_UP = "follow_up", _("Follow-up action")  # 跟进事项


class TaskKind(models.TextChoices):
    """What a preparation task prepares."""

    SAMPLE = "sample", _("Sample to prepare")  # 准备样品
    HOTEL = "hotel", _("Hotel booking")  # 预订酒店
    PICKUP = "pickup", _("Pick-up")  # 接送
    FACTORY = "factory", _("Factory tour")  # 参观工厂
    MEETING = "meeting", _("Meeting room / material")  # 会议室 / 资料
    OTHER = "other", _("Other")


# ---- satisfaction surveys (顾客满意度调查) ---------------------------------------------------------------------------


class QuestionKind(models.TextChoices):
    SCORE = "score", _("Score 1–5")
    TEXT = "text", _("Free text")


class QuestionCategory(models.TextChoices):
    QUALITY = "quality", _("Quality")  # 质量
    DELIVERY = "delivery", _("Delivery")  # 交期
    SERVICE = "service", _("Service")  # 服务
    PRICE = "price", _("Price")  # 价格
    COMMUNICATION = "communication", _("Communication")  # 沟通
    OVERALL = "overall", _("Overall")  # 总体


class RoundStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("survey", "Draft")
    SENT = "sent", pgettext_lazy("survey", "Sent")
    CLOSED = "closed", pgettext_lazy("survey", "Closed")


ROUND_STATUS_COLORS = {RoundStatus.DRAFT: "grey", RoundStatus.SENT: "blue", RoundStatus.CLOSED: "green"}

SCORES = (1, 2, 3, 4, 5)
LOW_SCORE = 2  # a score at or below it asks the customer's merchandiser to follow up
# The words of each score on the answer page and the charts (1 very dissatisfied … 5 very satisfied).
SCORE_LABELS = {
    1: _("Very dissatisfied"),
    2: _("Dissatisfied"),
    3: _("Neutral"),
    4: _("Satisfied"),
    5: _("Very satisfied"),
}
SCORE_COLORS = ("#dc2626", "#f97316", "#a3a3a3", "#60a5fa", "#059669")


class RecipientState(models.TextChoices):
    """Where an invitation stands (derived: not stored)."""

    NOT_SENT = "not_sent", _("Not sent")
    WAITING = "waiting", pgettext_lazy("survey", "Waiting")
    ANSWERED = "answered", pgettext_lazy("survey", "Answered")
    WITHDRAWN = "withdrawn", _("Link withdrawn")
    EXPIRED = "expired", _("Link expired")


RECIPIENT_STATE_COLORS = {
    RecipientState.NOT_SENT: "grey",
    RecipientState.WAITING: "blue",
    RecipientState.ANSWERED: "green",
    RecipientState.WITHDRAWN: "red",
    RecipientState.EXPIRED: "amber",
}
