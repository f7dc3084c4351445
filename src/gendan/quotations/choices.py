"""Quotations' constants: statuses and the transitions allowed between them, the reasons a quotation is lost, where
a material's price on a quotation comes from."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuotationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("quotation", "Draft")  # being costed, editable, not with the customer
    SENT = "sent", pgettext_lazy("quotation", "Sent")  # with the customer, valid until its date
    ACCEPTED = "accepted", pgettext_lazy("quotation", "Accepted")  # won: can become an order
    LOST = "lost", pgettext_lazy("quotation", "Lost")  # with a reason from LostReason
    EXPIRED = "expired", pgettext_lazy("quotation", "Expired")  # sent and past its validity without an answer
    SUPERSEDED = "superseded", pgettext_lazy("quotation", "Superseded")  # replaced by a later revision (read-only)


QUOTATION_STATUS_COLORS = {
    QuotationStatus.DRAFT: "grey",
    QuotationStatus.SENT: "blue",
    QuotationStatus.ACCEPTED: "green",
    QuotationStatus.LOST: "red",
    QuotationStatus.EXPIRED: "amber",
    QuotationStatus.SUPERSEDED: "grey",
}
# What the customer decided (or let lapse): the statuses the win-rate report counts as decided.
DECIDED_STATUSES = (QuotationStatus.ACCEPTED, QuotationStatus.LOST, QuotationStatus.EXPIRED)
# Only a draft's figures change; everything after it is kept as the customer saw it (a revision changes it).
EDITABLE_STATUSES = (QuotationStatus.DRAFT,)

# The state machine as data: each action, the statuses it may start from and the status it leads to. "send" from
# sent is a re-send (the status stays). "expire" is the daily job's; a sent quotation past its validity also reads
# as expired before the job has run (selectors.effective_status).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "send": ((QuotationStatus.DRAFT, QuotationStatus.SENT), QuotationStatus.SENT),
    "accept": ((QuotationStatus.SENT,), QuotationStatus.ACCEPTED),
    "lose": ((QuotationStatus.DRAFT, QuotationStatus.SENT, QuotationStatus.EXPIRED), QuotationStatus.LOST),
    "expire": ((QuotationStatus.SENT,), QuotationStatus.EXPIRED),
    "revise": ((QuotationStatus.SENT, QuotationStatus.EXPIRED), QuotationStatus.SUPERSEDED),
}
ACTIONS = tuple(TRANSITIONS)


class LostReason(models.TextChoices):
    """Why the customer did not buy (丢单原因)."""

    PRICE = "price", _("Price too high")
    LEAD_TIME = "lead_time", _("Delivery time too long")
    COMPETITOR = "competitor", _("Went to a competitor")
    SPEC = "spec", _("Could not meet the specification or quality")
    QUANTITY = "quantity", _("Quantity or MOQ")
    TERMS = "terms", _("Payment or delivery terms")
    PROJECT = "project", _("Customer's project cancelled")
    NO_RESPONSE = "no_response", _("No response")
    OTHER = "other", _("Other")


class PriceSource(models.TextChoices):
    """Where a material's price on a quotation comes from."""

    PURCHASE = "purchase", _("Latest purchase order")
    MATERIAL = "material", _("Material's purchase price")
    MANUAL = "manual", _("Typed on the quotation")
    NONE = "none", _("No price known")


PRICE_SOURCE_COLORS = {
    PriceSource.PURCHASE: "green",
    PriceSource.MATERIAL: "blue",
    PriceSource.MANUAL: "amber",
    PriceSource.NONE: "red",
}
