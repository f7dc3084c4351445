"""Purchasing API shapes."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from gendan.core.money import Currency
from gendan.procurement.choices import DelayCause, Disposition, InspectionStatus, PoStatus

CurrencyT = Literal[tuple(Currency.values)]  # type: ignore[valid-type]
DelayCauseT = Literal[tuple(["", *DelayCause.values])]  # type: ignore[valid-type]


class RequirementOut(BaseModel):
    material_id: int
    material_code: str
    material_name: str
    unit: str
    required_qty: Decimal
    issued_qty: Decimal
    allocated_stock_qty: Decimal = Field(description="reserved for this order from stock")
    on_order_qty: Decimal = Field(description="still expected from open purchase lines of this order")
    to_buy_qty: Decimal
    need_by_date: dt.date = Field(description="the planned date of the order's materials-in-house milestone")
    default_supplier_id: int | None


class PoLineIn(BaseModel):
    id: int | None = None
    material_id: int
    spec: str = ""
    quantity: Decimal = Field(gt=0)
    unit: str | None = None
    unit_price: Decimal | None = Field(None, ge=0, description="default: the material's purchase price")
    required_date: dt.date
    promised_date: dt.date | None = None
    order_id: int | None = Field(None, description="the customer order the material is bought for")


class PoIn(BaseModel):
    supplier_id: int
    currency: CurrencyT | None = None
    ship_to_id: int | None = Field(None, description="deliver-to warehouse (default: the first warehouse)")
    order_date: dt.date | None = None
    payment_terms: str = ""
    notes: str = ""
    lines: list[PoLineIn] = Field(min_length=1, max_length=500)


class PoPatch(BaseModel):
    version: int | None = None
    supplier_id: int | None = None
    currency: CurrencyT | None = None
    ship_to_id: int | None = None
    order_date: dt.date | None = None
    payment_terms: str | None = None
    notes: str | None = None
    lines: list[PoLineIn] | None = None


class PoLineOut(BaseModel):
    id: int
    position: int
    material_id: int
    material_code: str
    spec: str
    quantity: Decimal
    confirmed_qty: Decimal | None
    unit: str
    unit_price: Decimal
    amount: Decimal
    required_date: dt.date
    first_promised_date: dt.date | None
    promised_date: dt.date | None
    received_qty: Decimal
    accepted_qty: Decimal
    open_qty: Decimal
    order_id: int | None
    order_number: str | None
    delay_cause: str
    delay_note: str


class PoOut(BaseModel):
    id: int
    number: str
    supplier_id: int
    supplier_code: str
    status: PoStatus
    currency: str
    buyer: str
    order_date: dt.date
    ship_to_id: int
    payment_terms: str
    notes: str
    total_amount: Decimal
    needs_manager_approval: bool
    approved_by: str | None
    approved_at: dt.datetime | None
    sent_at: dt.datetime | None
    version: int
    lines: list[PoLineOut]


class PoSent(PoOut):
    supplier_link: str = Field(description="the signed link to give the supplier (shown once per send)")


class LinkOut(BaseModel):
    id: int
    url: str = Field(description="the page the supplier opens (no account needed)")
    party: str
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    use_count: int


class PoDetail(PoOut):
    links: list[LinkOut] = Field(description="the live supplier links")


class PoPage(BaseModel):
    items: list[PoOut]
    count: int


class FromRequirementsIn(BaseModel):
    order_ids: list[int] = Field(min_length=1, max_length=1000)


class FromRequirementsOut(BaseModel):
    purchase_orders: list[PoOut]
    messages: list[str]


class PurchaseReasonIn(BaseModel):
    reason: str = ""


class PromiseLineIn(BaseModel):
    line_id: int
    promised_date: dt.date | None = None
    confirmed_qty: Decimal | None = Field(None, gt=0)


class PromiseIn(BaseModel):
    lines: list[PromiseLineIn] = Field(min_length=1)
    note: str = ""


class DelayCauseIn(BaseModel):
    cause: DelayCauseT
    note: str = ""


class ReceiptLineIn(BaseModel):
    line_id: int
    quantity: Decimal = Field(gt=0)
    unit_price: Decimal | None = Field(None, ge=0, description="the invoiced price, when it differs from the PO's")


class PurchaseReceiptIn(BaseModel):
    lines: list[ReceiptLineIn] = Field(min_length=1)
    received_date: dt.date | None = None
    location_id: int | None = None
    shipment_id: int | None = None
    note: str = ""


class PurchaseInspectionOut(BaseModel):
    id: int
    receipt_number: str
    purchase_order_id: int
    purchase_order_number: str
    line_id: int
    material_code: str
    received_qty: Decimal
    status: InspectionStatus
    inspected_on: dt.date | None
    inspector: str | None
    checked_qty: Decimal
    accepted_qty: Decimal
    rejected_qty: Decimal
    disposition: str
    defects: str
    version: int


class PurchaseReceiptOut(BaseModel):
    id: int
    number: str
    purchase_order_id: int
    received_date: dt.date
    location_id: int
    inspections: list[PurchaseInspectionOut]


class InspectionResultIn(BaseModel):
    accepted_qty: Decimal = Field(ge=0)
    rejected_qty: Decimal = Field(Decimal(0), ge=0)
    disposition: Literal[tuple(Disposition.values)]  # type: ignore[valid-type]
    defects: str = ""
    checked_qty: Decimal | None = Field(None, gt=0)
    inspected_on: dt.date | None = None
    version: int | None = None


class ScorecardOut(BaseModel):
    supplier_id: int
    supplier_code: str
    date_from: dt.date
    date_to: dt.date
    receipt_lines: int
    on_time_pct: Decimal | None
    quality_pct: Decimal | None
    quantity_pct: Decimal | None
    price_variance_pct: Decimal | None
    place_errors: int
    score: Decimal | None
    rank: int | None = Field(description="among the suppliers with deliveries in the period")
