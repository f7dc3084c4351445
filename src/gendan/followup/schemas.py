"""Schemas of the follow-up API: milestones, follow-ups, the chase list, the risk board, T&A templates."""

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import BaseModel, Field

from gendan.core.choices import Role
from gendan.followup.choices import Channel, MilestoneStatus, Party
from gendan.sales.choices import OrderStatus, Risk


class MilestoneOut(BaseModel):
    id: int
    order_id: int
    code: str
    name: str = Field(description="in the caller's language")
    name_zh: str
    name_en: str
    planned_date: dt.date
    forecast_date: dt.date
    actual_date: dt.date | None
    promised_date: dt.date | None = Field(description="a recorded forecast, e.g. a supplier's promise")
    forecast_note: str
    status: MilestoneStatus
    owner: str
    owner_role: Role
    depends_on: list[str] = Field(description="codes of the predecessors")
    lags: dict[str, int] = Field(description="working days of lag after each predecessor")
    is_ex_factory: bool
    compressed: bool
    driven_by: str | None = Field(description="the predecessor that sets the forecast, if any")
    version: int


class MilestonePatch(Schema):
    """Record `actual_date`, or a `forecast_date` (with a `note`); plan rights also allow `planned_date`,
    `owner`, names and `depends_on` (["MO+15", "PPS"]). `version` (optional) guards against lost updates."""

    actual_date: dt.date | None = None
    forecast_date: dt.date | None = None
    note: str | None = None
    planned_date: dt.date | None = None
    owner: str | None = None
    name_zh: str | None = None
    name_en: str | None = None
    depends_on: list[str] | None = None
    version: int | None = None


class MilestoneIn(Schema):
    code: str
    name_zh: str = ""
    name_en: str = ""
    planned_date: dt.date
    owner: str | None = None
    owner_role: Role = Role.MERCHANDISER
    depends_on: list[str] = Field(default_factory=list)
    after: str | None = Field(None, description="the code of the milestone it follows in the list")


class FollowUpIn(Schema):
    party: Party
    channel: Channel
    summary: str
    contact: str = ""
    promised_date: dt.date | None = None
    milestone_id: int | None = None
    next_follow_up_date: dt.date | None = None


class FollowUpOut(BaseModel):
    id: int
    order_id: int
    milestone_id: int | None
    milestone_code: str | None
    party: Party
    contact: str
    channel: Channel
    summary: str
    promised_date: dt.date | None
    next_follow_up_date: dt.date | None
    closed_at: dt.datetime | None
    created_by: str
    created_at: dt.datetime


class FollowUpPage(BaseModel):
    items: list[FollowUpOut]
    count: int


class ChaseRowOut(BaseModel):
    kind: str = Field(description="milestone, follow_up, order, or another domain's kind such as po_line")
    order_id: int | None
    order_number: str
    milestone_id: int | None
    milestone_code: str | None
    milestone_name: str
    due_date: dt.date
    days_late: int = Field(description="working days past due; negative: working days left")
    reason: str
    object_id: int = Field(description="the milestone, follow-up or order the row is about")
    url: str
    customer: str
    tier: str
    amount: Decimal
    currency: str
    promised_date: dt.date | None = None
    kind_label: str = ""
    document: str = Field("", description="the document the row is about, e.g. a purchase order number")


class LatestFollowUp(BaseModel):
    date: dt.datetime
    by: str
    party: Party
    channel: Channel
    summary: str
    promised_date: dt.date | None


class RiskRowOut(BaseModel):
    id: int
    number: str
    customer_id: int
    customer_code: str
    customer_name: str
    merchandiser: str
    status: OrderStatus
    ex_factory_date: dt.date = Field(description="committed")
    forecast_ex_factory_date: dt.date | None
    slack_days: int | None
    risk: Risk
    total_amount: Decimal
    currency: str
    driving_milestone: str | None
    on_time_probability: float | None = Field(None, description="learned chance of leaving by the committed date")
    learned_ex_factory_date: dt.date | None = None
    learned_driver: str | None = None
    driving_milestone_id: int | None = Field(
        None, description="the driving milestone's, else (at risk only by the learned forecast) the learned driver's"
    )
    driving_milestone_name: str
    driving_owner: str | None
    driving_planned_date: dt.date | None
    driving_forecast_date: dt.date | None
    latest_follow_up: LatestFollowUp | None


class RiskPage(BaseModel):
    items: list[RiskRowOut]
    count: int


class ReassignIn(Schema):
    owner: str


class TemplateMilestoneIO(Schema):
    code: str
    name_zh: str = ""
    name_en: str = ""
    owner_role: Role = Role.MERCHANDISER
    offset_days: int = Field(description="working days from the ex-factory date; negative before it")
    depends_on: list[str] = Field(default_factory=list, description='["MO+15", "PPS"]: code and lag')
    is_ex_factory: bool = False
    done_on_confirm: bool = False


class TemplateIn(Schema):
    code: str
    name: str
    is_default: bool = False
    is_active: bool = True
    customer_ids: list[int] = Field(default_factory=list)
    product_categories: list[str] = Field(default_factory=list)
    milestones: list[TemplateMilestoneIO]
    version: int | None = None


class TemplateOut(Schema):
    id: int
    code: str
    name: str
    is_default: bool
    is_active: bool
    customer_ids: list[int]
    product_categories: list[str]
    milestones: list[TemplateMilestoneIO]
    version: int
