"""The customer relations API's schemas (django-ninja / Pydantic v2). Choices are listed as enums."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

VisitStatusT = Literal["planned", "confirmed", "in_progress", "visited", "closed", "cancelled"]
PurposeT = Literal["business", "factory_audit", "quality", "new_products", "relationship", "other"]
TaskKindT = Literal["sample", "hotel", "pickup", "factory", "meeting", "other"]
PhaseT = Literal["preparation", "follow_up"]
QuestionKindT = Literal["score", "text"]
CategoryT = Literal["", "quality", "delivery", "service", "price", "communication", "overall"]
RoundStatusT = Literal["draft", "sent", "closed"]
TierT = Literal["key", "normal", "prospect"]
StateT = Literal["not_sent", "waiting", "answered", "withdrawn", "expired"]


# ---- visits ------------------------------------------------------------------------------------------------------


class VisitorIn(BaseModel):
    contact_id: int | None = Field(None, description="one of the customer's contacts (its name and title by default)")
    name: str = ""
    title: str = ""
    note: str = ""


class AgendaIn(BaseModel):
    date: dt.date | None = Field(None, description="within the visit (default: the arrival)")
    start_time: str | None = Field(None, description="HH:MM")
    end_time: str | None = Field(None, description="HH:MM")
    topic: str
    place: str = ""
    people: str = Field("", description="who of ours is there")


class SiteIn(BaseModel):
    supplier_id: int | None = Field(None, description="a subcontract factory; none: one of our own sites (named)")
    name: str = Field("", description="the site's name (default: the factory's)")
    date: dt.date | None = None
    note: str = ""


class TaskIn(BaseModel):
    kind: TaskKindT = Field("other", description="preparation tasks: what is prepared (sample when a product)")
    description: str = Field("", description="what is to be done (default for a sample: the product)")
    product_id: int | None = None
    note: str = ""
    owner: str | None = Field(None, description="username (default: the visit's host)")
    due_date: dt.date | None = Field(
        None,
        description="preparation: on or before the arrival (default the working day before); actions: "
        "default 5 working days after the visit",
    )


class TaskPatch(BaseModel):
    version: int | None = Field(None, description="the version read (409 stale_version when someone saved since)")
    kind: TaskKindT | None = None
    description: str | None = None
    product_id: int | None = None
    note: str | None = None
    owner: str | None = None
    due_date: dt.date | None = None


class DoneIn(BaseModel):
    done: bool = Field(True, description="false opens it again")
    note: str = ""
    version: int | None = None


class VisitIn(BaseModel):
    customer_id: int
    title: str = Field("", description="default: Visit of <customer>")
    purpose: PurposeT = "business"
    objectives: str = ""
    arrival_date: dt.date
    departure_date: dt.date | None = Field(None, description="default: the arrival")
    host: str | None = Field(None, description="username (default: the customer's merchandiser, else you)")
    hotel: str = ""
    hotel_note: str = ""
    pickup_date: dt.date | None = None
    pickup_time: str | None = Field(None, description="HH:MM")
    pickup_place: str = ""
    pickup_driver: str = ""
    pickup_car: str = ""
    notes: str = ""
    visitors: list[VisitorIn] = []
    agenda: list[AgendaIn] = []
    sites: list[SiteIn] = []
    tasks: list[TaskIn] = Field([], description="preparation tasks")


class VisitPatch(BaseModel):
    version: int | None = Field(None, description="the version read (409 stale_version when someone saved since)")
    customer_id: int | None = Field(None, description="only while planned")
    title: str | None = None
    purpose: PurposeT | None = None
    objectives: str | None = None
    arrival_date: dt.date | None = None
    departure_date: dt.date | None = None
    host: str | None = None
    hotel: str | None = None
    hotel_note: str | None = None
    pickup_date: dt.date | None = None
    pickup_time: str | None = None
    pickup_place: str | None = None
    pickup_driver: str | None = None
    pickup_car: str | None = None
    notes: str | None = None
    visitors: list[VisitorIn] | None = Field(None, description="replaces the visitors whole")
    agenda: list[AgendaIn] | None = Field(None, description="replaces the agenda whole")
    sites: list[SiteIn] | None = Field(None, description="replaces the factories to see whole")


class VisitorOut(BaseModel):
    contact_id: int | None
    name: str
    title: str
    note: str


class AgendaOut(BaseModel):
    date: dt.date
    start_time: str | None
    end_time: str | None
    topic: str
    place: str
    people: str


class SiteOut(BaseModel):
    supplier_id: int | None
    name: str
    in_house: bool
    date: dt.date | None
    note: str


class TaskOut(BaseModel):
    id: int
    phase: PhaseT
    kind: TaskKindT
    description: str
    product_id: int | None
    note: str
    owner: str
    due_date: dt.date
    done_date: dt.date | None
    done_by: str | None
    is_late: bool
    version: int


class VisitOut(BaseModel):
    id: int
    number: str
    customer_id: int
    title: str
    purpose: PurposeT
    objectives: str
    arrival_date: dt.date
    departure_date: dt.date
    host: str
    hotel: str
    hotel_note: str
    pickup_date: dt.date | None
    pickup_time: str | None
    pickup_place: str
    pickup_driver: str
    pickup_car: str
    status: VisitStatusT
    cancel_reason: str
    notes: str
    open_preparation: int
    open_actions: int
    version: int


class VisitDetailOut(VisitOut):
    visitors: list[VisitorOut]
    agenda: list[AgendaOut]
    sites: list[SiteOut]
    tasks: list[TaskOut] = Field(description="preparation tasks")
    actions: list[TaskOut] = Field(description="follow-up actions")
    attendees: str
    minutes: str
    decisions: str
    minutes_by: str | None
    minutes_at: dt.datetime | None


class VisitPage(BaseModel):
    items: list[VisitOut]
    count: int


class RelationReasonIn(BaseModel):
    reason: str = Field("", description="required to cancel")
    version: int | None = None


class MinutesIn(BaseModel):
    attendees: str = ""
    minutes: str
    decisions: str = ""
    version: int | None = None


# ---- surveys -----------------------------------------------------------------------------------------------------


class QuestionIn(BaseModel):
    key: str = Field("", description="kept across revisions to compare rounds (default: the next free qN)")
    kind: QuestionKindT = "score"
    category: CategoryT = ""
    text_zh: str
    text_en: str
    required: bool = True


class QuestionOut(BaseModel):
    id: int
    position: int
    key: str
    kind: QuestionKindT
    category: CategoryT
    text_zh: str
    text_en: str
    required: bool


class RelationTemplateIn(BaseModel):
    code: str = Field(description="short and unique, e.g. CSAT; kept by every revision")
    name: str
    name_en: str = ""
    intro_zh: str = ""
    intro_en: str = ""
    questions: list[QuestionIn]


class TemplatePatch(BaseModel):
    version: int | None = None
    name: str | None = None
    name_en: str | None = None
    intro_zh: str | None = None
    intro_en: str | None = None
    questions: list[QuestionIn] | None = Field(None, description="replaces the questions whole, in order")


class RelationTemplateOut(BaseModel):
    id: int
    code: str
    revision: int
    name: str
    name_en: str
    intro_zh: str
    intro_en: str
    is_current: bool
    used: bool = Field(description="a round used it: editing makes the next revision")
    questions: list[QuestionOut]
    version: int


class TemplatePage(BaseModel):
    items: list[RelationTemplateOut]
    count: int


class SelectionIn(BaseModel):
    contact_ids: list[int] = Field([], description="customer contacts")
    customer_ids: list[int] = Field([], description="customers (their primary contact)")
    tiers: list[TierT] = Field([], description="active customers of these tiers")
    merchandiser: str | None = Field(None, description="active customers of this merchandiser (username)")
    all_active: bool = Field(False, description="every active customer")
    primary_only: bool = Field(True, description="false: every contact of the customers picked")


class RoundIn(SelectionIn):
    template_id: int = Field(description="the current revision of a template")
    title: str = Field("", description="default: the template's name and the period")
    period_start: dt.date
    period_end: dt.date
    closes_on: dt.date | None = Field(None, description="answers accepted until (default: in 30 days)")
    notes: str = ""


class RoundPatch(BaseModel):
    version: int | None = None
    title: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    closes_on: dt.date | None = None
    notes: str | None = None


class RecipientOut(BaseModel):
    id: int
    customer_id: int
    contact_id: int | None
    contact_name: str
    email: str
    language: str
    tier: TierT
    merchandiser: str | None
    state: StateT
    sent_at: dt.datetime | None
    reminded_at: dt.datetime | None
    reminder_count: int
    answered_at: dt.datetime | None
    link_url: str = Field(description="the live link, to pass on by hand (empty when none works)")
    link_expires_at: dt.datetime | None


class RelationRoundOut(BaseModel):
    id: int
    number: str
    template_id: int
    template_code: str
    title: str
    period_start: dt.date
    period_end: dt.date
    closes_on: dt.date
    status: RoundStatusT
    owner: str
    selection: str
    sent_at: dt.datetime | None
    closed_at: dt.datetime | None
    invited: int
    sent: int
    answered: int
    response_rate: Decimal | None = Field(description="answered / sent, in percent")
    version: int


class RoundDetailOut(RelationRoundOut):
    recipients: list[RecipientOut]


class RoundPage(BaseModel):
    items: list[RelationRoundOut]
    count: int


class SendOut(BaseModel):
    sent: int
    round: RelationRoundOut


class RemindIn(BaseModel):
    recipient_ids: list[int] = Field([], description="default: everyone who has not answered")


class CountOut(BaseModel):
    count: int


class RelationLinkOut(BaseModel):
    url: str
    expires_at: dt.datetime


class RenewIn(BaseModel):
    send: bool = Field(True, description="e-mail the new link")


class TextAnswerOut(BaseModel):
    customer: str
    contact: str
    tier: str
    text: str


class QuestionResultOut(BaseModel):
    id: int
    key: str
    kind: QuestionKindT
    category: CategoryT
    text_zh: str
    text_en: str
    answers: int
    mean: Decimal | None
    distribution: dict[str, int] = Field(description='{"1": n, …, "5": n}; empty for text questions')
    previous_mean: Decimal | None
    delta: Decimal | None
    texts: list[TextAnswerOut]


class GroupOut(BaseModel):
    key: str
    label: str
    sent: int
    answered: int
    response_rate: Decimal | None
    mean: Decimal | None
    question_means: dict[str, Decimal | None] = Field(description="question key → mean")


class PeriodOut(GroupOut):
    round_id: int
    number: str
    period_start: dt.date
    period_end: dt.date
    category_means: dict[str, Decimal | None]


class CategoryOut(BaseModel):
    category: str
    label: str
    mean: Decimal | None
    previous: Decimal | None
    delta: Decimal | None


class ResultsOut(BaseModel):
    round_id: int
    number: str
    tier: str
    merchandiser: str | None
    sent: int
    answered: int
    response_rate: Decimal | None
    mean: Decimal | None
    previous_round_id: int | None
    previous_mean: Decimal | None
    delta: Decimal | None
    questions: list[QuestionResultOut]
    categories: list[CategoryOut]
    by_tier: list[GroupOut]
    by_merchandiser: list[GroupOut]
    by_period: list[PeriodOut]
    comments: list[TextAnswerOut]


class RelationFollowUpOut(BaseModel):
    id: int
    round_id: int
    customer_id: int
    contact_name: str
    owner: str
    summary: str
    due_date: dt.date
    done_date: dt.date | None
    note: str
    version: int


class RelationFollowUpPage(BaseModel):
    items: list[RelationFollowUpOut]
    count: int


class FollowUpDoneIn(BaseModel):
    note: str = Field(description="what the customer said and what was done")
    version: int | None = None
