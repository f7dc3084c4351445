"""Production constants: notice and subcontract statuses, capacity-check priorities and measures."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("production notice", "Draft")
    RELEASED = "released", pgettext_lazy("production notice", "Released")
    DONE = "done", pgettext_lazy("production notice", "Done")
    CANCELLED = "cancelled", pgettext_lazy("production notice", "Cancelled")


NOTICE_STATUS_COLORS = {
    NoticeStatus.DRAFT: "grey",
    NoticeStatus.RELEASED: "blue",
    NoticeStatus.DONE: "green",
    NoticeStatus.CANCELLED: "grey",
}


class Priority(models.TextChoices):
    EDD = "edd", _("By due date (earliest due first)")
    RUSH = "rush", _("Rush: ahead of everything planned")


class MeasureKind(models.TextChoices):
    OVERTIME = "overtime", _("Overtime")
    OUTSOURCE = "outsource", _("Outsource")
    SPLIT = "split", _("Split shipment")
    NEW_DATE = "new_date", _("Negotiate a new date")


class VarianceReason(models.TextChoices):
    """Why actual output fell behind plan (the seed's list)."""

    PLAN_ERROR = "plan_error", _("Plan error")
    EQUIPMENT = "equipment", _("Equipment failure")
    MATERIAL = "material", _("Material shortage")
    QUALITY = "quality", _("High defect or scrap rate")
    RUSH = "rush", _("Rush or inserted order")
    UPSTREAM = "upstream", _("Accumulated upstream delay")
    STAFF = "staff", _("Staff absence or turnover")


class AnomalyKind(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment")
    MATERIAL = "material", _("Material")
    QUALITY = "quality", _("Quality")
    STAFF = "staff", _("Staff")
    PROCESS = "process", _("Process or method")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_COLORS = {Severity.LOW: "grey", Severity.MEDIUM: "blue", Severity.HIGH: "amber", Severity.CRITICAL: "red"}


class SubcontractStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("subcontract order", "Draft")
    SENT = "sent", pgettext_lazy("subcontract order", "Sent")
    RECEIVED = "received", pgettext_lazy("subcontract order", "Received")
    CLOSED = "closed", pgettext_lazy("subcontract order", "Closed short")
    CANCELLED = "cancelled", pgettext_lazy("subcontract order", "Cancelled")


SUBCONTRACT_STATUS_COLORS = {
    SubcontractStatus.DRAFT: "grey",
    SubcontractStatus.SENT: "blue",
    SubcontractStatus.RECEIVED: "green",
    SubcontractStatus.CLOSED: "amber",
    SubcontractStatus.CANCELLED: "grey",
}
SUBCONTRACT_OPEN = (SubcontractStatus.DRAFT, SubcontractStatus.SENT)
SUBCONTRACT_COMMITTED = (SubcontractStatus.SENT, SubcontractStatus.RECEIVED, SubcontractStatus.CLOSED)
