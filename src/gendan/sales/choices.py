"""Sales constants: order statuses and their transitions, priorities, review topics and verdicts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import DepartmentCode


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being entered; fully editable by its owner
    IN_REVIEW = "in_review", _("In review")  # contract review (合同评审) under way
    CONFIRMED = "confirmed", _("Confirmed")  # accepted; changes now need a reason and make a revision
    IN_PRODUCTION = "in_production", _("In production")
    READY_TO_SHIP = "ready_to_ship", _("Ready to ship")
    SHIPPED = "shipped", _("Shipped")
    CLOSED = "closed", _("Closed")  # shipped and paid; nothing more to follow
    ON_HOLD = "on_hold", _("On hold")  # paused with a reason; resumes to the status it left
    CANCELLED = "cancelled", _("Cancelled")


STATUS_COLORS = {
    OrderStatus.DRAFT: "grey",
    OrderStatus.IN_REVIEW: "amber",
    OrderStatus.CONFIRMED: "blue",
    OrderStatus.IN_PRODUCTION: "indigo",
    OrderStatus.READY_TO_SHIP: "teal",
    OrderStatus.SHIPPED: "green",
    OrderStatus.CLOSED: "dark",
    OrderStatus.ON_HOLD: "orange",
    OrderStatus.CANCELLED: "red",
}

# Open statuses: hold and cancel are allowed from each of them.
OPEN_STATUSES = (
    OrderStatus.DRAFT,
    OrderStatus.IN_REVIEW,
    OrderStatus.CONFIRMED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.READY_TO_SHIP,
)
# Statuses in which a change is an order change (订单变更): it needs a reason and makes a revision.
CHANGE_CONTROLLED = (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP)
# Statuses in which the order can still be edited at all.
EDITABLE = (OrderStatus.DRAFT, *CHANGE_CONTROLLED)

TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.DRAFT: {OrderStatus.IN_REVIEW, OrderStatus.ON_HOLD, OrderStatus.CANCELLED},
    OrderStatus.IN_REVIEW: {OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.ON_HOLD, OrderStatus.CANCELLED},
    OrderStatus.CONFIRMED: {OrderStatus.IN_PRODUCTION, OrderStatus.ON_HOLD, OrderStatus.CANCELLED},
    OrderStatus.IN_PRODUCTION: {OrderStatus.READY_TO_SHIP, OrderStatus.ON_HOLD, OrderStatus.CANCELLED},
    OrderStatus.READY_TO_SHIP: {
        OrderStatus.SHIPPED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.ON_HOLD,
        OrderStatus.CANCELLED,
    },
    OrderStatus.SHIPPED: {OrderStatus.CLOSED},
    OrderStatus.CLOSED: set(),
    OrderStatus.ON_HOLD: set(OPEN_STATUSES) | {OrderStatus.CANCELLED},  # resume returns to held_from_status
    OrderStatus.CANCELLED: set(),
}


class Risk(models.TextChoices):
    """An order's delivery risk, kept by the follow-up engine (followup) on each re-forecast."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")  # forecast ex-factory after the committed date
    LATE = "late", _("Late")  # committed ex-factory date passed, not shipped


RISK_COLORS = {Risk.ON_TRACK: "green", Risk.AT_RISK: "amber", Risk.LATE: "red"}


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ReviewTopic(models.TextChoices):
    DELIVERY_DATE = "delivery_date", _("Delivery date")
    PRICE = "price", _("Price")
    TERMS = "terms", _("Payment and trade terms")
    CAPACITY = "capacity", _("Capacity")
    MATERIALS = "materials", _("Materials")
    QUALITY = "quality", _("Quality requirements")
    COMPLETENESS = "completeness", _("Completeness of order data")


# Who answers each review item; the order of this table is the order of the review.
REVIEW_DEPARTMENTS: dict[str, str] = {
    ReviewTopic.DELIVERY_DATE: DepartmentCode.PRODUCTION,
    ReviewTopic.PRICE: DepartmentCode.SALES,
    ReviewTopic.TERMS: DepartmentCode.FINANCE,
    ReviewTopic.CAPACITY: DepartmentCode.PRODUCTION,
    ReviewTopic.MATERIALS: DepartmentCode.PURCHASING,
    ReviewTopic.QUALITY: DepartmentCode.QUALITY,
    ReviewTopic.COMPLETENESS: DepartmentCode.MERCHANDISING,
}

# What the completeness item asks for (documents attached to the order or its review item).
COMPLETENESS_DOCUMENTS = [
    _("customer specification"),
    _("process sheet"),
    _("approved sample"),
    _("fabric/trim swatch cards"),
]


class Verdict(models.TextChoices):
    PENDING = "pending", _("Pending")
    PASS = "pass", _("Pass")
    REJECT = "reject", _("Reject")


# Which departments an order change concerns, by the part of the order that changed.
CHANGE_DEPARTMENTS: dict[str, list[str]] = {
    "quantity": [
        DepartmentCode.MERCHANDISING,
        DepartmentCode.PRODUCTION,
        DepartmentCode.PURCHASING,
        DepartmentCode.SHIPPING,
    ],
    "lines": [
        DepartmentCode.MERCHANDISING,
        DepartmentCode.PRODUCTION,
        DepartmentCode.PURCHASING,
        DepartmentCode.SHIPPING,
        DepartmentCode.FINANCE,
    ],
    "price": [DepartmentCode.SALES, DepartmentCode.FINANCE],
    "dates": [
        DepartmentCode.MERCHANDISING,
        DepartmentCode.PRODUCTION,
        DepartmentCode.PURCHASING,
        DepartmentCode.SHIPPING,
    ],
    "packaging": [
        DepartmentCode.MERCHANDISING,
        DepartmentCode.PRODUCTION,
        DepartmentCode.PURCHASING,
        DepartmentCode.SHIPPING,
    ],
    "terms": [DepartmentCode.SALES, DepartmentCode.FINANCE, DepartmentCode.SHIPPING],
    "quality": [DepartmentCode.MERCHANDISING, DepartmentCode.QUALITY, DepartmentCode.PRODUCTION],
    "other": [DepartmentCode.MERCHANDISING],
}
