"""The office API's schemas (django-ninja / Pydantic v2). Choices are listed as enums; people are usernames."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

PriorityT = Literal["low", "normal", "high", "urgent"]
TaskStatusT = Literal["assigned", "accepted", "done", "declined", "cancelled"]
NoticeKindT = Literal["notice", "minutes"]
NoticeStatusT = Literal["sent", "withdrawn"]
RecipientKindT = Literal["user", "supplier"]
LinkStateT = Literal["live", "expired", "revoked", "none"]


# ---- tasks -------------------------------------------------------------------------------------------------------


class OfficeTaskIn(BaseModel):
    title: str = Field(max_length=200)
    description: str = ""
    assignee: str = Field(description="the username of the person who does it")
    due_date: dt.date
    priority: PriorityT = "normal"
    order_id: int | None = Field(None, description="the order it concerns (its customer follows)")
    customer_id: int | None = Field(None, description="the customer it concerns, when no order is given")


class OfficeTaskPatch(BaseModel):
    version: int | None = Field(None, description="the version read (409 stale_version when someone saved since)")
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    assignee: str | None = Field(None, description="a new assignee starts again from assigned")
    due_date: dt.date | None = None
    priority: PriorityT | None = None
    order_id: int | None = None
    customer_id: int | None = None


class TaskActionIn(BaseModel):
    """What a transition needs: the reason (decline, cancel, reopen) or the note of what was done (complete)."""

    comment: str = ""
    reason: str = ""
    note: str = ""
    version: int | None = None

    @property
    def text(self) -> str:
        return self.comment or self.reason or self.note


class OfficeCommentIn(BaseModel):
    body: str = Field(max_length=5000)


class CommentOut(BaseModel):
    id: int
    author: str
    body: str
    created_at: dt.datetime


class OfficeAttachmentOut(BaseModel):
    id: int
    name: str
    size: int
    uploaded_by: str | None
    uploaded_at: dt.datetime
    url: str


class OfficeTaskOut(BaseModel):
    id: int
    number: str
    title: str
    description: str
    order_id: int | None
    order_number: str | None
    customer_id: int | None
    customer_code: str | None
    assignee: str
    assigned_by: str
    due_date: dt.date
    priority: PriorityT
    status: TaskStatusT
    is_overdue: bool
    accepted_at: dt.datetime | None
    completed_at: dt.datetime | None
    completion_note: str
    decline_reason: str
    cancel_reason: str
    assigned_at: dt.datetime
    version: int
    url: str


class TaskDetail(OfficeTaskOut):
    comments: list[CommentOut]
    attachments: list[OfficeAttachmentOut]


class TaskPage(BaseModel):
    items: list[OfficeTaskOut]
    count: int


# ---- notices -----------------------------------------------------------------------------------------------------


class RecipientsIn(BaseModel):
    departments: list[str] = Field([], description="department codes: every active user in them receives it")
    users: list[str] = Field([], description="usernames")
    supplier_ids: list[int] = Field([], description="suppliers and factories: each gets its own signed link")


class OfficeNoticeIn(RecipientsIn):
    kind: NoticeKindT = "notice"
    title: str = Field(max_length=200)
    body: str
    meeting_date: dt.date | None = Field(None, description="required for minutes; not in the future")
    location: str = ""
    attendees: str = ""
    ack_required: bool = Field(False, description="recipients confirm they read it (已阅); until then it is unread")


class MyReceiptOut(BaseModel):
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None


class OfficeLinkOut(BaseModel):
    id: int
    supplier_id: int
    url: str
    expires_at: dt.datetime


class OfficeNoticeOut(BaseModel):
    id: int
    number: str
    kind: NoticeKindT
    title: str
    body: str
    meeting_date: dt.date | None
    location: str
    attendees: str
    ack_required: bool
    sender: str
    status: NoticeStatusT
    sent_at: dt.datetime
    departments: list[str]
    recipient_count: int
    read_count: int
    acknowledged_count: int
    pending_count: int
    my_receipt: MyReceiptOut | None
    withdrawn_at: dt.datetime | None
    withdraw_reason: str
    version: int
    url: str


class NoticeDetail(OfficeNoticeOut):
    attachments: list[OfficeAttachmentOut]
    links: list[OfficeLinkOut] = Field(description="the suppliers' live links (for the sender and managers)")


class OfficeNoticePage(BaseModel):
    items: list[OfficeNoticeOut]
    count: int


class ReceiptLinkOut(BaseModel):
    id: int
    state: LinkStateT
    url: str | None
    expires_at: dt.datetime


class OfficeReceiptOut(BaseModel):
    id: int
    kind: RecipientKindT
    user: str | None
    supplier_id: int | None
    name: str
    department: str | None = Field(description="the department it came through, if any")
    emailed_to: str
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by_name: str
    pending: bool
    link: ReceiptLinkOut | None


class LinkIn(BaseModel):
    supplier_id: int
    email: bool = Field(False, description="e-mail the new link to the supplier's contacts")


class WithdrawIn(BaseModel):
    reason: str = ""
    version: int | None = None


# ---- the daily summary -------------------------------------------------------------------------------------------


class SummaryLine(BaseModel):
    label: str
    detail: str
    url: str
    reason: str
    by: str
    is_late: bool
    order_number: str


class SummaryCount(BaseModel):
    label: str
    count: int


class SummaryCounts(BaseModel):
    milestones_done: int
    tasks_done: int
    other_records: int
    follow_ups: int
    slips: int
    due_next: int
    overdue_next: int


class DueRow(BaseModel):
    rank: int
    kind: str
    kind_label: str
    order_number: str
    document: str
    object_id: int
    milestone_code: str
    milestone_name: str
    due_date: dt.date
    days_late: int
    reason: str
    customer: str
    url: str


class SummaryOut(BaseModel):
    user: str
    name: str
    date: dt.date
    next_working_day: dt.date
    counts: SummaryCounts
    milestones_done: list[SummaryLine]
    tasks_done: list[SummaryLine]
    other_work: list[SummaryCount]
    follow_ups: list[SummaryLine]
    slips: list[SummaryLine]
    due_next: list[DueRow]


class TeamSummaryOut(BaseModel):
    date: dt.date
    people: list[SummaryOut]
