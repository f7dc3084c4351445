"""The reports API's schemas (django-ninja / Pydantic v2)."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

ReportT = Literal["sales", "inventory", "collection", "delivery"]
SourceT = Literal["stored", "earlier", "receipts", "missing"]


class RateUsed(BaseModel):
    currency: str
    month: str = Field(description="YYYY-MM")
    rate: Decimal = Field(description="CNY for one unit of the currency")
    source: SourceT = Field(
        description="stored: that month's rate; earlier: the latest earlier month's; receipts: the average rate of "
        "that month's receipts; missing: none at all, counted at 1"
    )


class ReportOut(BaseModel):
    report: ReportT
    currency: str = Field(description="the reporting currency of every amount (empty for delivery performance)")
    date_from: dt.date = Field(serialization_alias="from")
    date_to: dt.date = Field(serialization_alias="to")
    group_by: list[str]
    rows: list[dict[str, Any]] = Field(
        description="one per group: each dimension of group_by as `<dimension>` (its key: an id, a YYYY-MM month, "
        "a code) and `<dimension>_label`, then the report's figures"
    )
    totals: dict[str, Any]
    warnings: list[str] = Field(description="what the reader must know, e.g. a currency-month without any rate")
    rates: list[RateUsed] = Field(description="the rates the amounts were converted at")
    extra: dict[str, Any] = Field(
        default_factory=dict,
        description="sales: trend (amount by month and the same month a year earlier); delivery: causes (the top "
        "causes of the late orders); inventory: as_of, slow_days",
    )


class KeyFiguresOut(BaseModel):
    currency: str
    today: dt.date
    sales_this_month: Decimal
    sales_last_month: Decimal
    sales_same_month_last_year: Decimal
    change_vs_last_month: Decimal | None = Field(description="percent")
    change_vs_last_year: Decimal | None = Field(description="percent")
    open_orders: int
    open_amount: Decimal
    at_risk_orders: int
    late_orders: int
    on_time_pct_90: Decimal | None
    otif_pct_90: Decimal | None
    orders_due_90: int
    receivable: Decimal
    overdue: Decimal
    dso_90: Decimal | None
    stock_value: Decimal | None = None
    open_complaints: int | None = None
    warnings: list[str]


class RateIn(BaseModel):
    currency: str = Field(description="an ISO 4217 code other than CNY")
    month: str = Field(description="YYYY-MM (or any day of the month, YYYY-MM-DD)")
    rate: Decimal = Field(description="CNY for one unit of the currency")
    note: str = ""


class RatePatch(BaseModel):
    version: int | None = Field(None, description="the version read (409 stale_version when someone saved since)")
    currency: str | None = None
    month: str | None = None
    rate: Decimal | None = None
    note: str | None = None


class RateOut(BaseModel):
    id: int
    currency: str
    month: str = Field(description="YYYY-MM")
    rate: Decimal
    note: str
    version: int
    updated_at: dt.datetime
    updated_by: str | None = Field(description="username")


class RatePage(BaseModel):
    items: list[RateOut]
    count: int
