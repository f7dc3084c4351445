"""Samples' constants: kinds, statuses and the transitions allowed between them, rounds' decisions, the sampling
checklist's steps, who pays, the kinds of dispatched items."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SampleKind(models.TextChoices):
    DEVELOPMENT = "development", _("Development sample")  # 开发样
    COUNTER = "counter", _("Counter / proto sample")  # 确认样/头样
    SIZE_SET = "size_set", _("Size set")  # 齐码样
    PP = "pp", _("Pre-production (PP) sample")  # 产前样
    TOP = "top", _("Top of production (TOP) sample")  # 大货样
    SHIPMENT = "shipment", _("Shipment sample")  # 船样


class SampleStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("sample", "Requested")
    IN_PROGRESS = "in_progress", pgettext_lazy("sample", "In progress")
    READY = "ready", pgettext_lazy("sample", "Ready")
    SENT = "sent", pgettext_lazy("sample", "Sent")
    APPROVED = "approved", pgettext_lazy("sample", "Approved")
    APPROVED_WITH_COMMENTS = "approved_with_comments", pgettext_lazy("sample", "Approved with comments")
    CANCELLED = "cancelled", pgettext_lazy("sample", "Cancelled")


SAMPLE_STATUS_COLORS = {
    SampleStatus.REQUESTED: "grey",
    SampleStatus.IN_PROGRESS: "blue",
    SampleStatus.READY: "amber",
    SampleStatus.SENT: "blue",
    SampleStatus.APPROVED: "green",
    SampleStatus.APPROVED_WITH_COMMENTS: "green",
    SampleStatus.CANCELLED: "grey",
}
OPEN_STATUSES = (SampleStatus.REQUESTED, SampleStatus.IN_PROGRESS, SampleStatus.READY, SampleStatus.SENT)
NOT_SENT_STATUSES = (SampleStatus.REQUESTED, SampleStatus.IN_PROGRESS, SampleStatus.READY)
APPROVED_STATUSES = (SampleStatus.APPROVED, SampleStatus.APPROVED_WITH_COMMENTS)

# The state machine as data: each action, the statuses it may start from and the status it leads to. A rejection
# is the customer's decision on the round; the sample itself goes back in progress in a new round.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": ((SampleStatus.REQUESTED,), SampleStatus.IN_PROGRESS),
    "ready": ((SampleStatus.IN_PROGRESS,), SampleStatus.READY),
    "send": ((SampleStatus.READY,), SampleStatus.SENT),
    "approve": ((SampleStatus.SENT,), SampleStatus.APPROVED),
    "approve_with_comments": ((SampleStatus.SENT,), SampleStatus.APPROVED_WITH_COMMENTS),
    "reject": ((SampleStatus.SENT,), SampleStatus.IN_PROGRESS),
    "cancel": (OPEN_STATUSES, SampleStatus.CANCELLED),
}


class Decision(models.TextChoices):
    APPROVED = "approved", pgettext_lazy("sample decision", "Approved")
    APPROVED_WITH_COMMENTS = "approved_with_comments", pgettext_lazy("sample decision", "Approved with comments")
    REJECTED = "rejected", pgettext_lazy("sample decision", "Rejected")


DECISION_COLORS = {Decision.APPROVED: "green", Decision.APPROVED_WITH_COMMENTS: "amber", Decision.REJECTED: "red"}


class Step(models.TextChoices):
    """The sampling checklist (打样流程), in order."""

    PATTERN = "pattern", _("Pattern")  # 纸样
    MATERIAL = "material", _("Material")  # 物料
    MAKING = "making", _("Making")  # 制作
    CHECK = "check", _("Internal check")  # 内部检验


# Planned dates are proposed backwards from the round's required-by date: each step's finish this many working days
# before it (the check the day before the sample is due out, making the day before that...).
STEP_LEAD_DAYS = {Step.PATTERN: 6, Step.MATERIAL: 4, Step.MAKING: 2, Step.CHECK: 1}


class PaidBy(models.TextChoices):
    COMPANY = "company", _("Company")
    CUSTOMER = "customer", _("Customer")
    SUPPLIER = "supplier", _("Supplier")


class ItemKind(models.TextChoices):
    SAMPLE = "sample", _("Sample")
    CATALOGUE = "catalogue", _("Catalogue")  # 目录
    SWATCH = "swatch", _("Swatch / fabric sample")  # 色卡/面料样
    OTHER = "other", _("Other")
