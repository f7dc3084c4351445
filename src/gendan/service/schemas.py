"""The complaints API's schemas (django-ninja / Pydantic v2). Choices are listed as enums; people are usernames."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

ChannelT = Literal["email", "phone", "visit", "wechat", "claim_letter", "inspection", "other"]
SeverityT = Literal["critical", "major", "minor"]
StatusT = Literal["registered", "routed", "investigating", "answered", "verified", "closed", "rejected"]
ActionKindT = Literal["containment", "corrective", "preventive"]
LanguageT = Literal["en", "zh"]
GroupT = Literal["customer", "product", "cause", "department", "month", "severity"]


class ComplaintLineIn(BaseModel):
    product_id: int | None = Field(None, description="required unless order_line_id is given")
    order_line_id: int | None = Field(
        None, description="a line of the complaint's order (default: its line of the product)"
    )
    quantity: Decimal = Field(description="the quantity affected (> 0, at most the quantity ordered)")
    defect: str = ""


class ComplaintLineOut(BaseModel):
    product_id: int
    product_code: str
    order_line_id: int | None
    quantity: Decimal
    defect: str


class ComplaintIn(BaseModel):
    customer_id: int | None = Field(None, description="required unless order_id is given (then the order's customer)")
    order_id: int | None = None
    contact_id: int | None = Field(None, description="a contact of the customer")
    shipment_id: int | None = Field(None, description="a shipment of the customer (carrying the order, when given)")
    lot: str = Field("", description="the production lot, as printed on the goods")
    channel: ChannelT = "email"
    received_date: dt.date | None = Field(None, description="default: today")
    customer_reference: str = Field("", description="the customer's claim or NCR number")
    title: str = Field("", description="a short subject (default: the description's first line)")
    description: str
    severity: SeverityT = "major"
    claim_amount: Decimal = Decimal(0)
    currency: str | None = Field(None, description="default: the order's, else the customer's currency")
    owner: str | None = Field(None, description="who follows it (default: the order's merchandiser)")
    lines: list[ComplaintLineIn] = Field(default_factory=list, description="the products complained about")


class ComplaintPatch(BaseModel):
    version: int | None = Field(None, description="the version read (409 stale_version when someone saved since)")
    customer_id: int | None = None
    order_id: int | None = None
    contact_id: int | None = None
    shipment_id: int | None = None
    lot: str | None = None
    channel: ChannelT | None = None
    received_date: dt.date | None = None
    customer_reference: str | None = None
    title: str | None = None
    description: str | None = None
    severity: SeverityT | None = None
    claim_amount: Decimal | None = None
    currency: str | None = None
    owner: str | None = None
    lines: list[ComplaintLineIn] | None = Field(None, description="replaces the products whole")
    root_cause: str | None = Field(None, description="the investigation: a root-cause category's code ('' clears it)")
    cause_detail: str | None = Field(None, description="the investigation: the root-cause analysis")


class ComplaintFileOut(BaseModel):
    id: int
    name: str
    size: int
    url: str


class ActionOut(BaseModel):
    id: int
    position: int
    kind: ActionKindT
    description: str
    owner: str
    due_date: dt.date
    done_date: dt.date | None
    result: str
    is_late: bool
    version: int


class ComplaintOut(BaseModel):
    id: int
    number: str
    customer_id: int
    contact_id: int | None
    channel: ChannelT
    received_date: dt.date
    customer_reference: str
    order_id: int | None
    shipment_id: int | None
    lot: str
    title: str
    description: str
    severity: SeverityT
    claim_amount: Decimal
    currency: str
    owner: str
    status: StatusT
    department: str | None = Field(description="the responsible department's code")
    responsible: str | None
    due_date: dt.date | None = Field(description="the answer is due (while routed or under investigation)")
    routed_date: dt.date | None
    is_overdue: bool = Field(description="the answer is past due, or an action is")
    root_cause: str | None
    cause_detail: str
    answer_text: str
    settlement_offer: str
    answer_language: LanguageT
    answered_date: dt.date | None
    answer_sent_at: dt.datetime | None
    answer_sent_to: str
    verified_date: dt.date | None
    verification_note: str
    closed_date: dt.date | None
    credit_amount: Decimal
    credit_note_id: int | None
    credit_note_number: str
    replacement_qty: Decimal
    replacement_value: Decimal
    replacement_order_id: int | None = Field(
        description="the replacement order (补货订单) made when it was closed with a replacement quantity"
    )
    replacement_order_number: str | None
    discount_pct: Decimal
    discount_order_id: int | None
    settlement_note: str
    rejected_date: dt.date | None
    reject_reason: str
    version: int


class ComplaintDetail(ComplaintOut):
    lines: list[ComplaintLineOut]
    actions: list[ActionOut]
    photos: list[ComplaintFileOut]


class ComplaintPage(BaseModel):
    items: list[ComplaintOut]
    count: int


class ComplaintCommentIn(BaseModel):
    comment: str = ""
    version: int | None = None


class RouteIn(BaseModel):
    responsible: str = Field(description="username (or id) of the person who owes the customer the answer")
    department: str | None = Field(None, description="department code (default: the person's)")
    due_date: dt.date | None = Field(None, description="default: by severity, 2 / 5 / 10 working days from today")
    comment: str = ""
    version: int | None = None


class AnswerIn(BaseModel):
    answer_text: str = Field("", description="the answer's words to the customer")
    settlement_offer: str = Field("", description="what we offer (credit, replacement, discount…)")
    language: LanguageT | None = Field(None, description="the PDF's language (default: as before, else en)")
    send_to: list[str] | None = Field(None, description="e-mail the PDF to these addresses at once")
    message: str = Field("", description="the e-mail's text when sent")
    version: int | None = None


class ComplaintSendIn(BaseModel):
    to: list[str]
    language: LanguageT | None = None
    message: str = ""


class VerifyIn(BaseModel):
    accepted: bool = Field(description="true: verified; false: back to investigating (comment required)")
    comment: str = ""
    date: dt.date | None = Field(None, description="the customer's answer (default today)")
    version: int | None = None


class ComplaintCloseIn(BaseModel):
    credit_amount: Decimal = Field(
        Decimal(0), description="a credit note issued in finance, in the complaint's currency"
    )
    replacement_qty: Decimal = Field(
        Decimal(0),
        description="more than 0 makes the replacement order: a free-of-charge draft of the complained products, the "
        "quantity shared between them in proportion to the quantities affected",
    )
    replacement_value: Decimal | None = Field(None, description="default: the quantity at the order's prices")
    discount_pct: Decimal = Field(
        Decimal(0), description="% off the customer's next order (its contract review says so)"
    )
    note: str = Field("", description="the settlement agreed, in words")
    version: int | None = None


class ComplaintRejectIn(BaseModel):
    reason: str
    version: int | None = None


class ActionIn(BaseModel):
    kind: ActionKindT
    description: str
    owner: str = Field(description="username (or id)")
    due_date: dt.date


class ActionPatch(BaseModel):
    version: int | None = None
    kind: ActionKindT | None = None
    description: str | None = None
    owner: str | None = None
    due_date: dt.date | None = None


class CompleteIn(BaseModel):
    result: str
    date: dt.date | None = Field(None, description="default today")
    version: int | None = None


class RootCauseOut(BaseModel):
    id: int
    code: str
    name_zh: str
    name_en: str
    position: int
    is_active: bool


class CostOut(BaseModel):
    currency: str
    claim_amount: Decimal
    credit_amount: Decimal
    replacement_value: Decimal


class ComplaintReportRowOut(BaseModel):
    key: str | int | None
    label: str
    count: int
    quantity: Decimal
    costs: list[CostOut]


class ReportTotalsOut(BaseModel):
    count: int
    quantity: Decimal
    costs: list[CostOut]


class CauseOut(BaseModel):
    code: str
    label: str
    count: int
    pct: Decimal
    cumulative_pct: Decimal


class ComplaintReportOut(BaseModel):
    date_from: dt.date
    date_to: dt.date
    group_by: GroupT
    rows: list[ComplaintReportRowOut]
    totals: ReportTotalsOut
    causes: list[CauseOut]
    not_investigated: int
    open: int
    closed: int
    rejected: int
    average_days_to_answer: Decimal | None = Field(description="working days from received to answered")
