"""Schemas of the orders API. Money and quantities are decimal strings; choices are enums."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BaseModel, BeforeValidator, Field

from gendan.core.money import Currency
from gendan.partners.choices import Incoterm
from gendan.sales.choices import OrderStatus, Priority, ReviewTopic, Risk, Verdict

# Output schemas of the order list are plain pydantic models: they validate the selector's dicts at
# pydantic-core speed (ninja's Schema wraps every nested object in a Django getter, ~10 ms per page).


class LineOut(BaseModel):
    id: int
    position: int
    product_id: int
    product_code: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    ex_factory_date: dt.date | None
    packaging_note: str


class AttachmentOut(BaseModel):
    id: int
    name: str
    size: int
    url: str
    review_item_id: int | None = None
    uploaded_by: str | None = None
    uploaded_at: dt.datetime


def _none_when_blank(value: Any) -> Any:
    return value or None


class OrderOut(BaseModel):
    id: int
    number: str
    customer_id: int
    customer_code: str
    customer_po: str
    currency: Currency
    incoterm: Incoterm
    incoterm_place: str
    payment_terms: str
    order_date: dt.date
    requested_delivery_date: dt.date | None
    ex_factory_date: dt.date
    ship_to: str
    merchandiser: str
    priority: Priority
    quality_requirements: str
    packaging_requirements: str
    remarks: str
    status: OrderStatus
    status_reason: str
    version: int
    revision: int
    review_round: int
    total_qty: Decimal
    total_amount: Decimal
    confirmed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # the follow-up engine's view of the order (null until the order has a T&A plan)
    forecast_ex_factory_date: dt.date | None = None
    risk: Annotated[Risk | None, BeforeValidator(_none_when_blank)] = None
    slack_days: int | None = Field(None, description="working days of slack; negative when late")
    driving_milestone: Annotated[str | None, BeforeValidator(_none_when_blank)] = None
    # the learned forecast (null without enough history, and once the order has left the factory)
    on_time_probability: float | None = Field(
        None, ge=0, le=1, description="chance of leaving the factory by the committed date, learned from history"
    )
    learned_ex_factory_date: dt.date | None = Field(None, description="ex-factory with the delays history expects")
    learned_driver: Annotated[str | None, BeforeValidator(_none_when_blank)] = Field(
        None, description="the milestone most likely to make the order late"
    )
    lines: list[LineOut]


class ReviewItemOut(BaseModel):
    id: int
    topic: ReviewTopic
    department: str
    verdict: Verdict
    comment: str
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    round: int


class OrderDetailOut(OrderOut):
    review_override_reason: str
    review_items: list[ReviewItemOut] = Field(default_factory=list, description="the current review round")
    attachments: list[AttachmentOut] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="what the user should know of the change just made")


class LineIn(Schema):
    product_id: int
    quantity: Decimal
    unit_price: Decimal
    ex_factory_date: dt.date | None = None
    packaging_note: str = ""


class OrderIn(Schema):
    customer_id: int
    customer_po: str = ""
    order_date: dt.date | None = None
    currency: Currency | None = None
    incoterm: Incoterm | None = None
    incoterm_place: str = ""
    payment_terms: str | None = None
    requested_delivery_date: dt.date | None = None
    ex_factory_date: dt.date
    ship_to: str = ""
    merchandiser: str | None = Field(None, description="username; default: the creator when a merchandiser")
    priority: Priority = Priority.NORMAL
    quality_requirements: str = ""
    packaging_requirements: str = ""
    remarks: str = ""
    lines: list[LineIn] = Field(min_length=1)


class LinePatch(Schema):
    """A line of a PATCH: with `id` it updates that line (fields left out keep their value); without, it adds one."""

    id: int | None = None
    product_id: int | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    ex_factory_date: dt.date | None = None
    packaging_note: str | None = None


class OrderPatch(Schema):
    version: int = Field(description="the version you read; a stale one gets 409")
    customer_id: int | None = None
    customer_po: str | None = None
    order_date: dt.date | None = None
    currency: Currency | None = None
    incoterm: Incoterm | None = None
    incoterm_place: str | None = None
    payment_terms: str | None = None
    requested_delivery_date: dt.date | None = None
    ex_factory_date: dt.date | None = None
    ship_to: str | None = None
    merchandiser: str | None = None
    priority: Priority | None = None
    quality_requirements: str | None = None
    packaging_requirements: str | None = None
    remarks: str | None = None
    lines: list[LinePatch] | None = Field(
        None, description="replaces the lines: with id updates, without id adds, missing ones are removed"
    )
    change_reason: str = Field("", description="required when changing a confirmed order")


class DecisionIn(Schema):
    verdict: Verdict
    comment: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ConfirmIn(Schema):
    override_reason: str = ""


class RevisionOut(Schema):
    number: int
    reason: str
    changes: list[dict[str, Any]]
    departments: list[str]
    created_by: str | None
    created_at: dt.datetime


class ChangeOut(Schema):
    id: int
    time: dt.datetime
    user: str
    action: str
    object_type: str
    object_id: int
    object: str
    changes: dict[str, Any]
    message: str
