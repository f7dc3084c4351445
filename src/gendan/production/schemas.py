"""Production API shapes."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from gendan.production.choices import Priority

PriorityT = Literal[tuple(Priority.values)]  # type: ignore[valid-type]


class CapacityCheckIn(BaseModel):
    product_id: int
    quantity: Decimal = Field(gt=0)
    due_date: dt.date
    priority: PriorityT = Field("edd", description="edd: behind what is due earlier; rush: ahead of everything")


class OrderCheckIn(BaseModel):
    priority: PriorityT = "edd"


class LoadOut(BaseModel):
    work_centre_id: int
    work_centre: str
    date: dt.date
    hours: Decimal | None = Field(description="the hours it takes there that day (None on a work centre in units)")
    units: Decimal | None = None


class CapacityCheckOut(BaseModel):
    feasible: bool
    earliest_finish: dt.date | None = Field(description="None: it does not fit within a year")
    due_date: dt.date
    start: dt.date | None
    load: list[LoadOut]
    measures: list[dict[str, Any]] = Field(
        description="when the date is not met: overtime {total_hours, days: [{work_centre_id, date, hours}], finish}, "
        "split {by_due_qty, by_due_date, rest_qty, rest_date}, outsource {work_centre_id, supplier_id, quantity, "
        "finish}, new_date {date}"
    )


class OrderLineCheckOut(BaseModel):
    order_line_id: int
    product_id: int
    product_code: str
    quantity: Decimal
    feasible: bool
    earliest_finish: dt.date | None
    due_date: dt.date
    load: list[LoadOut]
    measures: list[dict[str, Any]]


class OrderCheckOut(BaseModel):
    order_id: int
    feasible: bool
    earliest_finish: dt.date | None
    due_date: dt.date
    load: list[LoadOut]
    measures: list[dict[str, Any]]
    lines: list[OrderLineCheckOut]


class NoticeIn(BaseModel):
    order_line_id: int
    quantity: Decimal | None = Field(None, gt=0, description="default: the line's quantity")
    due_date: dt.date | None = Field(None, description="default: the line's ex-factory date, else the order's")
    packaging: str | None = None
    notes: str = ""


class NoticeOut(BaseModel):
    id: int
    number: str
    order_id: int
    order_number: str
    order_line_id: int | None
    product_id: int
    product_code: str
    spec: str
    quantity: Decimal
    packaging: str
    due_date: dt.date
    status: str
    planned_start: dt.date | None
    planned_finish: dt.date | None
    version: int


class NoticePage(BaseModel):
    items: list[NoticeOut]
    count: int


class ReleaseIn(BaseModel):
    accept: Literal["", "overtime", "late"] = Field(
        "", description="when the date cannot be met: overtime makes the overtime measure real; late releases anyway"
    )


class DailyReportIn(BaseModel):
    date: dt.date
    work_centre_id: int
    order_id: int | None = None
    notice_id: int | None = Field(None, description="default: the order's released notice through the work centre")
    good_qty: Decimal = Field(Decimal(0), ge=0)
    defect_qty: Decimal = Field(Decimal(0), ge=0)
    scrap_qty: Decimal = Field(Decimal(0), ge=0)
    hours: Decimal = Field(Decimal(0), ge=0)
    headcount: int = Field(0, ge=0)
    variance_reason: str = ""
    note: str = ""


class DailyReportOut(BaseModel):
    id: int
    date: dt.date
    work_centre_id: int
    work_centre: str
    order_id: int
    notice_id: int
    good_qty: Decimal
    defect_qty: Decimal
    scrap_qty: Decimal
    hours: Decimal
    headcount: int
    variance_reason: str
    note: str
    reported_by: str


class DailyReportPage(BaseModel):
    items: list[DailyReportOut]
    count: int


class ProgressRowOut(BaseModel):
    date: dt.date
    planned_cum: Decimal
    actual_cum: Decimal | None = Field(description="None on days to come")
    variance: Decimal | None = Field(description="actual − planned cumulative; None on days to come")
    pct_complete: Decimal | None


class ProgressOut(BaseModel):
    order_id: int
    total: Decimal
    actual: Decimal
    rows: list[ProgressRowOut]
    planned_finish: dt.date | None
    forecast_completion_date: dt.date | None
    run_rate: Decimal | None = Field(description="average daily finished output of the last 5 working days")
    defect_rate: Decimal | None
    scrap_rate: Decimal | None


class AnomalyIn(BaseModel):
    order_id: int
    kind: str = Field(description="equipment, material, quality, staff, process, other")
    severity: str = "medium"
    description: str
    owner: str | None = Field(None, description="a username; default: you")
    due_date: dt.date | None = Field(None, description="default: the next working day")
    work_centre_id: int | None = None


class AnomalyActionOut(BaseModel):
    text: str
    by: str
    at: dt.datetime


class AnomalyOut(BaseModel):
    id: int
    order_id: int
    order_number: str
    work_centre_id: int | None
    kind: str
    severity: str
    description: str
    owner: str
    due_date: dt.date
    closed_at: dt.datetime | None
    resolution: str
    actions: list[AnomalyActionOut]
    version: int


class AnomalyPage(BaseModel):
    items: list[AnomalyOut]
    count: int


class TextIn(BaseModel):
    text: str = ""


class CloseIn(BaseModel):
    resolution: str = ""
