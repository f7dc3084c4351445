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
