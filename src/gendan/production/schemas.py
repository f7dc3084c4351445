"""Production API shapes."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from gendan.production.choices import Priority
from gendan.production.selectors import TRACKING_SORTS

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
    plan_edited: bool
    version: int


class PlanDayOut(BaseModel):
    date: dt.date
    quantity: Decimal
    load: Decimal = Field(description="hours, or units on a work centre counted in units")
    overtime: Decimal


class PlanOperationOut(BaseModel):
    position: int
    operation: str
    work_centre_id: int
    work_centre: str
    unit: str
    quantity: Decimal = Field(description="what the operation makes in-house (less what was sent out)")
    days: list[PlanDayOut]


class PlanOut(BaseModel):
    notice_id: int
    number: str
    version: int
    plan_edited: bool = Field(description="the planner adjusted the daily quantities by hand")
    due_date: dt.date
    planned_start: dt.date | None
    planned_finish: dt.date | None
    operations: list[PlanOperationOut]


class PlanDayIn(BaseModel):
    position: int
    date: dt.date
    quantity: Decimal = Field(ge=0)


class PlanIn(BaseModel):
    version: int | None = None
    rows: list[PlanDayIn] = Field(
        description="the new daily quantities of the operations given, from today on: an operation given is planned "
        "on exactly these days (the days before today stay as they were)"
    )
    accept_overload: bool = Field(False, description="save even when a day goes over capacity (within overtime)")
    check_only: bool = Field(False, description="answer the re-check and save nothing")


class OverloadOut(BaseModel):
    work_centre_id: int
    work_centre: str
    date: dt.date
    capacity: Decimal
    limit: Decimal = Field(description="the capacity with the work centre's allowed overtime")
    planned: Decimal = Field(description="everything planned there that day with this edit")
    over: Decimal
    unit: str


class PlanEditOut(BaseModel):
    saved: bool
    overloads: list[OverloadOut]
    plan: PlanOut


class VersionIn(BaseModel):
    version: int | None = None


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
    subcontract_id: int | None = Field(
        None, description="on a subcontract factory: the subcontract order (default: the order's out there)"
    )
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
    subcontract_id: int | None = None
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


TrackingSortT = Literal[tuple(f"{sign}{key}" for key in TRACKING_SORTS for sign in ("", "-"))]  # type: ignore[valid-type]


class TrackingRowOut(BaseModel):
    order_id: int
    order_number: str
    customer_id: int
    customer_code: str
    customer_name: str
    merchandiser: str = Field(description="the order's merchandiser (username)")
    products: list[str] = Field(description="the product codes of the order's notices")
    quantity: Decimal = Field(description="the quantity of the order's released (and done) notices")
    planned_cum: Decimal = Field(description="finished output planned up to today")
    actual_cum: Decimal = Field(description="good finished output reported (at each notice's last operation)")
    variance: Decimal = Field(description="actual − planned cumulative")
    pct_complete: Decimal | None
    defect_rate: Decimal | None = Field(description="defects as a % of everything made at every work centre")
    scrap_rate: Decimal | None
    run_rate: Decimal | None = Field(description="average daily finished output of the last 5 working days")
    started: dt.date | None = Field(description="the first day output was reported")
    planned_finish: dt.date | None
    forecast_completion_date: dt.date | None = Field(
        description="as the order's progress: the planned finish before any output, None when stalled"
    )
    ex_factory_date: dt.date = Field(description="the order's committed ex-factory date")
    is_forecast_late: bool = Field(description="the forecast completion is after the ex-factory date")
    late_days: int | None = Field(description="working days from the ex-factory date to the forecast (negative: ahead)")
    is_behind: bool = Field(description="behind plan by more than GENDAN_PRODUCTION_TOLERANCE % of the plan")
    is_stalled: bool = Field(
        description="finished output was planned by today but none was made in the last 5 working days"
    )


class TrackingPage(BaseModel):
    items: list[TrackingRowOut]
    count: int


# ---- outsourcing -------------------------------------------------------------------------------------------------


class SubcontractIn(BaseModel):
    notice_id: int
    factory_id: int = Field(description="a work centre of kind factory")
    first_position: int | None = Field(None, description="first operation sent out (default: the routing's first)")
    last_position: int | None = Field(None, description="last operation sent out (default: the routing's last)")
    quantity: Decimal | None = Field(None, description="default: the notice's quantity")
    unit_price: Decimal = Decimal(0)
    currency: str = "CNY"
    send_date: dt.date | None = Field(None, description="default: today")
    due_date: dt.date = Field(description="when the factory returns the goods")
    notes: str = ""


class SubcontractPatch(BaseModel):
    version: int | None = None
    factory_id: int | None = None
    first_position: int | None = None
    last_position: int | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    currency: str | None = None
    send_date: dt.date | None = None
    due_date: dt.date | None = None
    notes: str | None = None


class SubcontractReceiptIn(BaseModel):
    date: dt.date | None = Field(None, description="default: today")
    quantity: Decimal = Field(description="received, at most what is still out")
    rejected_qty: Decimal = Field(Decimal(0), description="rejected at the inspection (the rest is accepted)")
    findings: str = Field("", description="what the inspection found (required when something is rejected)")


class SubcontractReceiptOut(BaseModel):
    id: int
    date: dt.date
    quantity: Decimal
    accepted_qty: Decimal
    rejected_qty: Decimal
    findings: str
    by: str


class SubcontractOut(BaseModel):
    id: int
    number: str
    notice_id: int
    notice_number: str
    order_id: int
    order_number: str
    product_code: str
    factory_id: int
    factory: str
    first_position: int
    last_position: int
    operations: str
    quantity: Decimal
    unit_price: Decimal
    currency: str
    amount: Decimal
    send_date: dt.date
    due_date: dt.date
    planned_finish: dt.date | None
    status: str
    received_qty: Decimal
    accepted_qty: Decimal
    rejected_qty: Decimal
    owner: str
    notes: str
    version: int
    receipts: list[SubcontractReceiptOut] = []


class SubcontractPage(BaseModel):
    items: list[SubcontractOut]
    count: int


class ProductionReasonIn(BaseModel):
    reason: str = ""


class FactoryRecordOut(BaseModel):
    factory_id: int
    factory: str
    orders: int
    quantity: Decimal
    received: Decimal
    due_qty: Decimal = Field(description="quantity of the orders due back by today (or already back)")
    on_time_pct: Decimal | None = Field(description="quantity back by its return date ÷ due_qty, %")
    late_orders: int
    avg_days_late: Decimal | None
    late_open: int = Field(description="orders past their return date and still out")
    rejected: Decimal
    rejected_pct: Decimal | None
    defect_pct: Decimal | None = Field(description="defects in the factory's daily reports, %")
    first_pass_pct: float | None = Field(
        None, description="lots it made that quality inspected in the period and passed the first time, %"
    )


class FactoryLinkOut(BaseModel):
    id: int
    url: str = Field(description="the page the factory opens to report its daily output (no account needed)")
    party: str
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    use_count: int
