"""The samples API's schemas (django-ninja / Pydantic v2). Choices are listed as enums."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

KindT = Literal["development", "counter", "size_set", "pp", "top", "shipment"]
StatusT = Literal["requested", "in_progress", "ready", "sent", "approved", "approved_with_comments", "cancelled"]
PaidByT = Literal["company", "customer", "supplier"]
DecisionT = Literal["", "approved", "approved_with_comments", "rejected"]
StepT = Literal["pattern", "material", "making", "check"]
ItemKindT = Literal["sample", "catalogue", "swatch", "other"]


class SampleIn(BaseModel):
    kind: KindT
    customer_id: int | None = Field(None, description="required unless order_id is given (then the order's customer)")
    order_id: int | None = None
    order_line_id: int | None = Field(None, description="a line of the order; its product is the sample's default")
    product_id: int | None = None
    description: str = Field("", description="required when there is no product")
    quantity: Decimal = Decimal(1)
    colours_sizes: str = ""
    required_date: dt.date
    maker_supplier_id: int | None = Field(None, description="a material supplier or factory; none: own sample room")
    cost: Decimal = Decimal(0)
    currency: str = "CNY"
    paid_by: PaidByT = "company"
    owner_id: int | None = Field(None, description="default: the order's merchandiser, else the requester")
    notes: str = ""


class SamplePatch(BaseModel):
    version: int | None = Field(None, description="the version read (409 stale_version when someone saved since)")
    kind: KindT | None = None
    customer_id: int | None = None
    order_id: int | None = None
    order_line_id: int | None = None
    product_id: int | None = None
    description: str | None = None
    quantity: Decimal | None = None
    colours_sizes: str | None = None
    required_date: dt.date | None = None
    maker_supplier_id: int | None = None
    cost: Decimal | None = None
    currency: str | None = None
    paid_by: PaidByT | None = None
    owner_id: int | None = None
    notes: str | None = None


class SampleOut(BaseModel):
    id: int
    number: str
    kind: KindT
    customer_id: int
    order_id: int | None
    order_line_id: int | None
    product_id: int | None
    description: str
    quantity: Decimal
    colours_sizes: str
    required_date: dt.date
    maker_supplier_id: int | None
    cost: Decimal
    currency: str
    paid_by: PaidByT
    owner_id: int
    status: StatusT
    round: int
    version: int


class SamplePage(BaseModel):
    items: list[SampleOut]
    count: int


class CommentIn(BaseModel):
    comment: str = ""
    version: int | None = None


class SampleSendIn(CommentIn):
    date: dt.date | None = Field(None, description="the day it was handed over (default today)")


class ApproveIn(BaseModel):
    with_comments: bool = False
    comment: str = Field("", description="the customer's comments (required with_comments)")
    date: dt.date | None = Field(None, description="the day the customer decided (default today)")
    version: int | None = None


class RejectIn(BaseModel):
    comment: str = Field(description="why the customer rejected it (required)")
    date: dt.date | None = Field(None, description="the day the customer decided (default today)")
    version: int | None = None


class StepOut(BaseModel):
    step: StepT
    planned_date: dt.date
    actual_date: dt.date | None
    is_late: bool


class FileOut(BaseModel):
    id: int
    name: str
    size: int
    url: str


class RoundOut(BaseModel):
    number: int
    required_date: dt.date
    started_date: dt.date | None
    ready_date: dt.date | None
    sent_date: dt.date | None
    decided_date: dt.date | None
    decision: DecisionT
    comments: str
    expected_approval_date: dt.date | None = Field(description="while undecided: required by + courier + feedback days")
    steps: list[StepOut]
    attachments: list[FileOut]


class StepPatch(BaseModel):
    planned_date: dt.date | None = None
    actual_date: dt.date | None = Field(None, description="null clears it")
    version: int | None = None


class ItemIn(BaseModel):
    sample_id: int | None = Field(None, description="a ready sample of the customer (its round becomes sent)")
    kind: ItemKindT | None = Field(None, description="for a free item: catalogue, swatch or other")
    description: str = ""
    quantity: Decimal | None = Field(None, description="default: the sample's quantity, or 1")


class DispatchIn(BaseModel):
    customer_id: int
    contact_id: int | None = None
    address: str = Field("", description="default: the customer's address")
    phone: str = Field("", description="default: the contact's phone")
    sent_date: dt.date | None = Field(None, description="default: today")
    courier_supplier_id: int | None = Field(None, description="a supplier of kind courier")
    courier: str = Field("", description="the courier's name (default: the courier supplier's)")
    tracking_no: str = ""
    cost: Decimal = Decimal(0)
    currency: str = "CNY"
    expected_arrival_date: dt.date | None = Field(None, description="default: sent + 3 working days")
    items: list[ItemIn]
    notes: str = ""


class DispatchPatch(BaseModel):
    version: int | None = None
    contact_id: int | None = None
    address: str | None = None
    phone: str | None = None
    courier_supplier_id: int | None = None
    courier: str | None = None
    tracking_no: str | None = None
    cost: Decimal | None = None
    currency: str | None = None
    expected_arrival_date: dt.date | None = None
    notes: str | None = None


class ItemOut(BaseModel):
    sample_id: int | None
    round: int | None
    description: str
    kind: ItemKindT
    quantity: Decimal


class DispatchOut(BaseModel):
    id: int
    number: str
    customer_id: int
    contact_id: int | None
    address: str
    phone: str
    sent_date: dt.date
    courier_supplier_id: int | None
    courier: str
    tracking_no: str
    items: list[ItemOut]
    cost: Decimal
    currency: str
    expected_arrival_date: dt.date
    arrival_date: dt.date | None
    feedback_due_date: dt.date
    feedback_received_date: dt.date | None
    awaiting_feedback: bool
    version: int


class DispatchPage(BaseModel):
    items: list[DispatchOut]
    count: int


class ArrivedIn(BaseModel):
    date: dt.date
    version: int | None = None
