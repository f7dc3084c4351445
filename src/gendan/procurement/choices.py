"""Purchasing constants: purchase-order statuses and transitions, inspection dispositions, delay causes."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PoStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("purchase order", "Draft")
    APPROVED = "approved", pgettext_lazy("purchase order", "Approved")
    SENT = "sent", pgettext_lazy("purchase order", "Sent")
    CONFIRMED = "confirmed", pgettext_lazy("purchase order", "Confirmed by supplier")
    PARTIALLY_RECEIVED = "partially_received", pgettext_lazy("purchase order", "Partially received")
    RECEIVED = "received", pgettext_lazy("purchase order", "Received")
    CLOSED = "closed", pgettext_lazy("purchase order", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("purchase order", "Cancelled")


PO_STATUS_COLORS = {
    PoStatus.DRAFT: "grey",
    PoStatus.APPROVED: "blue",
    PoStatus.SENT: "blue",
    PoStatus.CONFIRMED: "teal",
    PoStatus.PARTIALLY_RECEIVED: "amber",
    PoStatus.RECEIVED: "green",
    PoStatus.CLOSED: "green",
    PoStatus.CANCELLED: "grey",
}

# Which status may follow which (receiving moves confirmed/sent → partially received → received by itself).
PO_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PoStatus.DRAFT: (PoStatus.APPROVED, PoStatus.CANCELLED),
    PoStatus.APPROVED: (PoStatus.SENT, PoStatus.DRAFT, PoStatus.CANCELLED),
    PoStatus.SENT: (PoStatus.CONFIRMED, PoStatus.PARTIALLY_RECEIVED, PoStatus.RECEIVED, PoStatus.CANCELLED),
    PoStatus.CONFIRMED: (PoStatus.PARTIALLY_RECEIVED, PoStatus.RECEIVED, PoStatus.CANCELLED),
    PoStatus.PARTIALLY_RECEIVED: (PoStatus.RECEIVED, PoStatus.CLOSED),
    PoStatus.RECEIVED: (PoStatus.PARTIALLY_RECEIVED, PoStatus.CLOSED),
    PoStatus.CLOSED: (),
    PoStatus.CANCELLED: (),
}

# Statuses whose open quantities are expected (counted as on order by the requirements run): a received PO's goods
# may still wait for inspection, and count until they pass it (a rejection reopens the PO).
OPEN_STATUSES = (
    PoStatus.DRAFT,
    PoStatus.APPROVED,
    PoStatus.SENT,
    PoStatus.CONFIRMED,
    PoStatus.PARTIALLY_RECEIVED,
    PoStatus.RECEIVED,
)
# Statuses the supplier knows about: its lines are expedited and can be received.
WITH_SUPPLIER = (PoStatus.SENT, PoStatus.CONFIRMED, PoStatus.PARTIALLY_RECEIVED)


class InspectionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("inspection", "Waiting")
    DONE = "done", pgettext_lazy("inspection", "Done")


class Disposition(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject and return")
    REWORK = "rework", _("Rework")
    CONCESSION = "concession", _("Accept under concession")


class DelayFamily(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    COMPANY = "company", _("Our company")
    COMMUNICATION = "communication", _("Communication")


class DelayCause(models.TextChoices):
    OVER_CAPACITY = "over_capacity", _("Over capacity")
    BEYOND_TECHNOLOGY = "beyond_technology", _("Beyond its technology")
    POOR_PROCESS = "poor_process", _("Poor process control")
    POOR_QUALITY = "poor_quality", _("Poor quality control")
    WRONG_SUPPLIER = "wrong_supplier", _("Wrong supplier choice")
    UNCLEAR_QUALITY = "unclear_quality", _("Quality requirement unclear")
    FORCED_PRICE = "forced_price", _("Price forced too low")
    WEAK_EXPEDITING = "weak_expediting", _("Weak expediting")
    TOO_FAR = "too_far", _("Supplier too far away")
    LATE_INFORMATION = "late_information", _("Information came late")


CAUSE_FAMILY = {
    DelayCause.OVER_CAPACITY: DelayFamily.SUPPLIER,
    DelayCause.BEYOND_TECHNOLOGY: DelayFamily.SUPPLIER,
    DelayCause.POOR_PROCESS: DelayFamily.SUPPLIER,
    DelayCause.POOR_QUALITY: DelayFamily.SUPPLIER,
    DelayCause.WRONG_SUPPLIER: DelayFamily.COMPANY,
    DelayCause.UNCLEAR_QUALITY: DelayFamily.COMPANY,
    DelayCause.FORCED_PRICE: DelayFamily.COMPANY,
    DelayCause.WEAK_EXPEDITING: DelayFamily.COMPANY,
    DelayCause.TOO_FAR: DelayFamily.COMPANY,
    DelayCause.LATE_INFORMATION: DelayFamily.COMMUNICATION,
}
