"""The foresight API's schemas (`GET /api/v1/foresight`)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class ForesightLateRowOut(Schema):
    order_id: int
    order_number: str
    committed_date: dt.date
    shipped_date: dt.date | None = Field(description="the ex-factory milestone's actual date; null: not shipped yet")
    first_flag_date: dt.date | None = Field(description="the earliest flag of the method; null: never flagged")
    lead_days: int | None = Field(
        description="working days from the first flag to the committed date (negative: flagged after it)"
    )
    driver: str | None = Field(description="the driving milestone's code at the first flag")


class ForesightFalseAlarmRowOut(Schema):
    order_id: int
    order_number: str
    committed_date: dt.date
    shipped_date: dt.date
    first_flag_date: dt.date
    days_flagged: int = Field(description="working days the order's flags were open up to its shipped date")
    driver: str | None = Field(description="the driving milestone's code at the first flag")


class ForesightOut(Schema):
    late_orders: int
    flagged_ahead: dict[str, int] = Field(
        description='late orders first flagged at least N working days before their committed date: {"5", "10", "20"}'
    )
    false_alarms: int = Field(description="orders that shipped on time although flagged")
    false_alarm_rate: Decimal | None = Field(
        description="percent: false alarms ÷ (false alarms + late orders flagged before their committed date)"
    )
    median_lead_days: Decimal | None = Field(description="over the late orders that were flagged")
    rows: list[ForesightLateRowOut] = Field(description="the late orders")
    false_alarm_rows: list[ForesightFalseAlarmRowOut]


# ---- learned delay profiles (`GET /api/v1/suppliers/{id}/delay-profile`, `…/work-centres/{id}/delay-profile`) ----


class PooledDelayOut(Schema):
    p10: int
    p50: int
    p90: int
    sample_size: int = Field(description="observations of every source of the kind in the window")


class HistogramBucketOut(Schema):
    days: int = Field(
        description="working days late (negative: early); the first bucket counts that many or earlier, the last "
        "that many or later"
    )
    count: int


class DelayWindowOut(Schema):
    model_config = {"populate_by_name": True}

    date_from: dt.date = Field(alias="from", description="the first day of the learning window")
    date_to: dt.date = Field(alias="to", description="the last day of the learning window (today)")


class DelayProfileOut(Schema):
    p10: int = Field(description="working days late, learned (own history shrunk towards the pooled one)")
    p50: int
    p90: int
    sample_size: int = Field(description="the source's own observations in the window")
    weight: Decimal = Field(description="0–1: the share of its own history in the learned figures")
    mean: Decimal = Field(description="expected working days late")
    on_time_share: Decimal | None = Field(
        description="0–1: share of its own observations 0 or fewer days late; null without any"
    )
    pooled: PooledDelayOut = Field(description="the company-wide figures of the kind, for comparison")
    histogram: list[HistogramBucketOut] = Field(description="its own observations by working days late")
    window: DelayWindowOut


class SupplierDelayProfileOut(DelayProfileOut):
    supplier_id: int


class WorkCentreDelayProfileOut(DelayProfileOut):
    work_centre_id: int
