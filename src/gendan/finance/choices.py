"""Finance constants: due-date rules of payment terms, invoice kinds and statuses and their transitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DueRule(models.TextChoices):
    """When one part of a payment term falls due (see `gendan.finance.terms.due_date`)."""

    DEPOSIT = "deposit", _("Deposit before production (days after order confirmation)")
    BEFORE_SHIPMENT = "before_shipment", _("Balance before shipment (days before the planned ex-factory date)")
    COPY_BL = "copy_bl", _("Against copy B/L (days after the B/L date, else departure)")
    LC_SIGHT = "lc_sight", _("L/C at sight (B/L date + presentation days)")
    LC_USANCE = "lc_usance", _("L/C usance (days after the B/L date)")
    OA_BL = "oa_bl", _("O/A (days after the B/L date)")
    OA_INVOICE = "oa_invoice", _("O/A (days after the invoice date)")


# rules whose due date follows the B/L date (the departure date stands in until the B/L is recorded)
BL_RULES = (DueRule.COPY_BL, DueRule.LC_SIGHT, DueRule.LC_USANCE, DueRule.OA_BL)


class DueBasis(models.TextChoices):
    """The fact a due date was counted from."""

    CONFIRMATION = "confirmation", _("order confirmation")
    EX_FACTORY = "ex_factory", _("planned ex-factory date")
    BL = "bl", _("B/L date")
    DEPARTURE = "departure", _("departure (B/L date not yet known)")
    PLANNED = "planned", _("planned ex-factory (not departed yet)")
    INVOICE = "invoice", _("invoice date")
    MANUAL = "manual", _("set by hand")


class InvoiceKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    SHIPMENT = "shipment", _("Shipment")
    MANUAL = "manual", _("Other charges")


class CreditNoteStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("credit note", "Open")
    APPLIED = "applied", pgettext_lazy("credit note", "Applied")
    CANCELLED = "cancelled", pgettext_lazy("credit note", "Cancelled")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("invoice", "Open")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", pgettext_lazy("invoice", "Paid")
    CANCELLED = "cancelled", pgettext_lazy("invoice", "Cancelled")


OPEN_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
INVOICE_STATUS_COLORS = {
    InvoiceStatus.OPEN: "blue",
    InvoiceStatus.PARTIALLY_PAID: "amber",
    InvoiceStatus.PAID: "green",
    InvoiceStatus.CANCELLED: "grey",
}
# paid_amount moves open ↔ partially_paid ↔ paid; cancelling only while nothing is paid
TRANSITIONS: dict[str, set[str]] = {
    InvoiceStatus.OPEN: {InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID, InvoiceStatus.CANCELLED},
    InvoiceStatus.PARTIALLY_PAID: {InvoiceStatus.PAID},
    InvoiceStatus.PAID: set(),
    InvoiceStatus.CANCELLED: set(),
}


class LineKind(models.TextChoices):
    GOODS = "goods", _("Goods shipped")
    DEPOSIT = "deposit", _("Deposit")
    DEPOSIT_DEDUCTION = "deposit_deduction", _("Less deposit invoiced")
    OTHER = "other", _("Other charge")


# ageing buckets: (key, label, first day overdue, last day overdue or None)
AGEING_BUCKETS = [
    ("current", _("Current"), None, 0),
    ("d1_30", _("1–30 days"), 1, 30),
    ("d31_60", _("31–60 days"), 31, 60),
    ("d61_90", _("61–90 days"), 61, 90),
    ("d90_plus", _("> 90 days"), 91, None),
]


class ClaimStatus(models.TextChoices):
    """A tax rebate claim (退税申报): draft → filed → approved → received, one step at a time."""

    DRAFT = "draft", pgettext_lazy("rebate claim", "Draft")
    FILED = "filed", pgettext_lazy("rebate claim", "Filed")
    APPROVED = "approved", pgettext_lazy("rebate claim", "Approved")
    RECEIVED = "received", pgettext_lazy("rebate claim", "Received")


# the one step each status may take next
CLAIM_NEXT = {
    ClaimStatus.DRAFT: ClaimStatus.FILED,
    ClaimStatus.FILED: ClaimStatus.APPROVED,
    ClaimStatus.APPROVED: ClaimStatus.RECEIVED,
}
CLAIM_STATUS_COLORS = {
    ClaimStatus.DRAFT: "grey",
    ClaimStatus.FILED: "blue",
    ClaimStatus.APPROVED: "amber",
    ClaimStatus.RECEIVED: "green",
}


class VerificationStatus(models.TextChoices):
    """Computed from what was collected for a declaration, never typed."""

    OPEN = "open", pgettext_lazy("verification", "Open")
    PARTLY = "partly", _("Partly collected")
    COLLECTED = "collected", _("Collected")
