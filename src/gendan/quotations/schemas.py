"""The quotations API's schemas (django-ninja / Pydantic v2). Choices are listed as enums; money, prices, costs
and percentages are decimal strings in responses and strings or numbers in requests."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

StatusT = Literal["draft", "sent", "accepted", "lost", "expired", "superseded"]
ReasonT = Literal["price", "lead_time", "competitor", "spec", "quantity", "terms", "project", "no_response", "other"]
SourceT = Literal["purchase", "material", "manual", "none"]
LangT = Literal["en", "zh"]

# ---- in ----------------------------------------------------------------------------------------------------------


class MaterialPriceIn(BaseModel):
    id: int | None = Field(None, description="the line's material row (or name it by material_id)")
    material_id: int | None = None
    unit_price: Decimal = Field(description="CNY per unit of the material; the price becomes typed (manual)")


class QuotationLineIn(BaseModel):
    id: int | None = Field(None, description="PATCH: the line to change; without: a new line")
    product_id: int | None = Field(None, description="required for a new line")
    quantity: Decimal | None = Field(None, description="required for a new line")
    description: str | None = Field(None, description="instead of the product's name on the quotation")
    material_cost: Decimal | None = Field(
        None, description="CNY per unit; typed only for a product without BOM (else the materials' sum)"
    )
    processing_cost: Decimal | None = Field(
        None,
        description="CNY per unit at the line's quantity, the setup's share included; typed only for a product "
        "without routing (else from the routing's minutes × the work centres' rates)",
    )
    setup_cost: Decimal | None = Field(None, description="CNY per batch; typed only for a product without routing")
    packaging_cost: Decimal | None = Field(None, description="CNY per unit")
    overhead_pct: Decimal | None = Field(None, description="% on material + processing + packaging (0–100)")
    freight_cost: Decimal | None = Field(None, description="CNY per unit, to the Incoterm's named place")
    margin_pct: Decimal | None = Field(None, description="% of the price (0–95): price = cost ÷ (1 − margin)")
    price_override: Decimal | None = Field(
        None, description="a price in the quotation's currency instead of the computed one; null clears it"
    )
    breaks: list[Decimal] | None = Field(None, description="further quantities, each priced (replaces them all)")
    materials: list[MaterialPriceIn] | None = Field(None, description="typed prices of the BOM's materials")


class QuotationIn(BaseModel):
    customer_id: int
    contact_id: int | None = Field(None, description="default: the customer's primary contact")
    currency: str | None = Field(None, description="default: the customer's")
    fx_rate: Decimal | None = Field(
        None, description="CNY per unit of the currency (1 for CNY); default: the quoting rate of the currency"
    )
    incoterm: str | None = Field(None, description="default: the customer's")
    incoterm_place: str | None = Field(None, description="default: the customer's last on that Incoterm")
    payment_terms: str | None = Field(None, description="default: the customer's")
    lead_time_days: int | None = Field(None, description="delivery lead time after the order (days)")
    valid_until: dt.date | None = Field(None, description="default: today + GENDAN_QUOTATION_VALIDITY_DAYS")
    salesperson: str | None = Field(None, description="username; default: you")
    remarks: str | None = Field(None, description="printed on the quotation")
    notes: str | None = Field(None, description="internal")
    lines: list[QuotationLineIn] = Field(default_factory=list)


class QuotationPatch(BaseModel):
    version: int | None = Field(None, description="the version read (409 stale_version when someone saved since)")
    customer_id: int | None = None
    contact_id: int | None = None
    currency: str | None = None
    fx_rate: Decimal | None = None
    incoterm: str | None = None
    incoterm_place: str | None = None
    payment_terms: str | None = None
    lead_time_days: int | None = None
    valid_until: dt.date | None = None
    salesperson: str | None = None
    remarks: str | None = None
    notes: str | None = None
    lines: list[QuotationLineIn] | None = Field(
        None, description="the lines whole: with id changes that line, without adds one, a line left out is removed"
    )


class QuotationSendIn(BaseModel):
    version: int | None = None
    to: list[str] | None = Field(None, description="e-mail addresses; default: the contact's")
    lang: LangT = "en"
    message: str = ""
    email: bool = Field(True, description="false: only record it sent (handed over another way)")


class AcceptIn(BaseModel):
    version: int | None = None
    comment: str = ""
    date: dt.date | None = Field(None, description="the customer's decision; default today")


class LoseIn(BaseModel):
    version: int | None = None
    reason: ReasonT
    comment: str = Field("", description="required for the reason other")
    date: dt.date | None = None


class ReviseIn(BaseModel):
    version: int | None = None
    comment: str = ""


class OrderLineChoice(BaseModel):
    line_id: int
    quantity: Decimal | None = Field(
        None, description="default: the line's; another is priced at the largest quoted quantity not above it"
    )


class ToOrderIn(BaseModel):
    customer_po: str = ""
    ex_factory_date: dt.date | None = Field(None, description="default: today + the quoted lead time")
    lines: list[OrderLineChoice] | None = Field(None, description="default: every line at its quantity")


# ---- out ---------------------------------------------------------------------------------------------------------


class QuotationMaterialOut(BaseModel):
    id: int
    material_id: int
    material_code: str
    qty_per_unit: Decimal
    scrap_pct: Decimal
    unit_price: Decimal
    cost: Decimal
    source: SourceT
    source_note: str


class OperationOut(BaseModel):
    id: int
    position: int
    name: str
    work_centre_id: int
    work_centre_code: str
    minutes_per_unit: Decimal
    setup_minutes: Decimal
    hourly_rate: Decimal
    has_rate: bool


class BreakOut(BaseModel):
    id: int
    quantity: Decimal
    unit_price: Decimal


class QuotationLineOut(BaseModel):
    id: int
    position: int
    product_id: int
    product_code: str
    description: str
    quantity: Decimal
    material_cost: Decimal
    processing_cost: Decimal = Field(description="per unit at the line's quantity, the setup's share included")
    run_cost: Decimal
    setup_cost: Decimal
    packaging_cost: Decimal
    overhead_pct: Decimal
    freight_cost: Decimal
    margin_pct: Decimal
    cost: Decimal = Field(description="the full cost of one unit in CNY")
    unit_price: Decimal = Field(description="the price quoted, in the quotation's currency (computed, or the override)")
    computed_unit_price: Decimal
    price_override: Decimal | None
    amount: Decimal
    materials: list[QuotationMaterialOut]
    operations: list[OperationOut]
    breaks: list[BreakOut]


class QuotationOut(BaseModel):
    id: int
    number: str
    revision: int
    customer_id: int
    customer_code: str
    contact_id: int | None
    quote_date: dt.date
    currency: str
    fx_rate: Decimal
    incoterm: str
    incoterm_place: str
    payment_terms: str
    lead_time_days: int
    valid_until: dt.date
    salesperson: str
    status: StatusT = Field(description="as it stands today: a sent quotation past its validity is expired")
    total_amount: Decimal
    sent_at: dt.datetime | None
    decided_date: dt.date | None
    lost_reason: ReasonT | Literal[""]
    lost_note: str
    order_id: int | None
    previous_id: int | None
    next_revision_id: int | None
    version: int


class QuotationDetailOut(QuotationOut):
    remarks: str
    notes: str
    lines: list[QuotationLineOut]


class QuotationPage(BaseModel):
    items: list[QuotationOut]
    count: int


class ReportRowOut(BaseModel):
    key: str
    label: str
    quoted: int
    open: int
    won: int
    lost: int
    expired: int
    decided: int
    win_rate: Decimal | None = Field(description="won ÷ decided (accepted, lost, expired), %")
    value_quoted: Decimal
    value_won: Decimal
    value_lost: Decimal
    value_win_rate: Decimal | None
    lost_reasons: dict[str, int]


class ReasonRowOut(BaseModel):
    reason: str
    label: str
    count: int
    pct: Decimal | None


class QuotationReportOut(BaseModel):
    date_from: dt.date
    date_to: dt.date
    currency: str = Field(description="values are in CNY at each quotation's quoted rate")
    totals: ReportRowOut
    by_customer: list[ReportRowOut]
    by_salesperson: list[ReportRowOut]
    lost_reasons: list[ReasonRowOut]
