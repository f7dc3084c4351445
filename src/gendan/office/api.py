"""The office API: assigned tasks and their comments, notices and minutes with their read receipts and the
suppliers' links, the daily summary."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from gendan.core import clock
from gendan.core.apiutils import require_perm
from gendan.core.exceptions import PermissionDenied, ValidationError
from gendan.core.models import Attachment
from gendan.office import selectors, services, summary
from gendan.office.choices import OPEN_TASK_STATUSES, RecipientKind
from gendan.office.models import Notice, NoticeRecipient, Task
from gendan.office.schemas import (
    CommentOut,
    LinkIn,
    MyReceiptOut,
    NoticeDetail,
    OfficeAttachmentOut,
    OfficeCommentIn,
    OfficeLinkOut,
    OfficeNoticeIn,
    OfficeNoticePage,
    OfficeReceiptOut,
    OfficeTaskIn,
    OfficeTaskPatch,
    RecipientsIn,
    SummaryOut,
    TaskActionIn,
    TaskDetail,
    TaskPage,
    TeamSummaryOut,
    WithdrawIn,
)

router = Router(tags=["office"])


# ---- tasks -------------------------------------------------------------------------------------------------------


def task_dict(t: Task) -> dict[str, Any]:
    return {
        "id": t.pk,
        "number": t.number,
        "title": t.title,
        "description": t.description,
        "order_id": t.order_id,
        "order_number": t.order.number if t.order_id else None,
        "customer_id": t.customer_id,
        "customer_code": t.customer.code if t.customer_id else None,
        "assignee": t.assignee.username,
        "assigned_by": t.assigned_by.username,
        "due_date": t.due_date,
        "priority": t.priority,
        "status": t.status,
        "is_overdue": t.status in OPEN_TASK_STATUSES and t.due_date < clock.today(),
        "accepted_at": t.accepted_at,
        "completed_at": t.completed_at,
        "completion_note": t.completion_note,
        "decline_reason": t.decline_reason,
        "cancel_reason": t.cancel_reason,
        "assigned_at": t.assigned_at,
        "version": t.version,
        "url": reverse("office:task", args=[t.pk]),
    }


def attachment_dict(a: Attachment, url: str) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "size": a.size,
        "uploaded_by": a.uploaded_by.username if a.uploaded_by_id else None,
        "uploaded_at": a.uploaded_at,
        "url": url,
    }


def comment_dict(c: Any) -> dict[str, Any]:
    return {"id": c.pk, "author": c.author.username, "body": c.body, "created_at": c.created_at}


def task_detail_dict(t: Task) -> dict[str, Any]:
    return {
        **task_dict(t),
        "comments": [comment_dict(c) for c in selectors.comments_of(t)],
        "attachments": [
            attachment_dict(a, reverse("office:task_file", args=[t.pk, a.pk])) for a in selectors.files_of(t)
        ],
    }


@router.get("/tasks", response=TaskPage)
def task_list(
    request: HttpRequest,
    scope: str = Query("to_me", description="to_me (assigned to the caller), by_me (assigned by the caller), all"),
    status: str = Query("open", description="open (assigned or accepted), a status, or empty for any"),
    priority: str = "",
    q: str = "",
    assignee: str = Query("", description="a username"),
    order_id: int | None = None,
    customer_id: int | None = None,
    overdue: bool = False,
    due_date_from: dt.date | None = None,
    due_date_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Assigned tasks (交办事项) the caller may see, overdue first, then by due date and priority."""
    require_perm(request, "office.view_task")
    if scope not in selectors.TASK_SCOPES:
        raise ValidationError(
            {"scope": _("Choose one of: %(choices)s.") % {"choices": ", ".join(selectors.TASK_SCOPES)}}
        )
    qs = selectors.task_list(
        viewer=request.user,
        scope=scope,
        status=status,
        priority=priority,
        q=q,
        assignee=assignee or None,
        order_id=order_id,
        customer_id=customer_id,
        overdue=overdue,
        due_from=due_date_from,
        due_to=due_date_to,
    )
    return {"items": [task_dict(t) for t in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/tasks", response={201: TaskDetail})
def task_create(request: HttpRequest, data: OfficeTaskIn):
    """Assign a task to a person (managers); they hear of it in their inbox and by e-mail."""
    task = services.create_task(by=request.user, data=data.model_dump())
    return Status(201, task_detail_dict(selectors.get_task(task.pk, request.user)))


@router.get("/tasks/{task_id}", response=TaskDetail)
def task_get(request: HttpRequest, task_id: int):
    require_perm(request, "office.view_task")
    return task_detail_dict(selectors.get_task(task_id, request.user))


@router.patch("/tasks/{task_id}", response=TaskDetail)
def task_update(request: HttpRequest, task_id: int, data: OfficeTaskPatch):
    """Change a task (its assigner, or a manager), `version` as read; a new assignee starts again from assigned."""
    require_perm(request, "office.view_task")
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    services.update_task(task=selectors.get_task(task_id, request.user), by=request.user, data=values, version=version)
    return task_detail_dict(selectors.get_task(task_id, request.user))


def _act(request: HttpRequest, task_id: int, action: str, data: TaskActionIn | None) -> dict[str, Any]:
    require_perm(request, "office.view_task")
    services.transition_task(
        task=selectors.get_task(task_id, request.user),
        action=action,
        by=request.user,
        comment=data.text if data else "",
        version=data.version if data else None,
    )
    return task_detail_dict(selectors.get_task(task_id, request.user))


@router.post("/tasks/{task_id}/accept", response=TaskDetail)
def task_accept(request: HttpRequest, task_id: int, data: TaskActionIn | None = None):
    """assigned → accepted (the assignee; a comment goes on the thread)."""
    return _act(request, task_id, "accept", data)


@router.post("/tasks/{task_id}/decline", response=TaskDetail)
def task_decline(request: HttpRequest, task_id: int, data: TaskActionIn):
    """assigned or accepted → declined (the assignee, with the reason)."""
    return _act(request, task_id, "decline", data)


@router.post("/tasks/{task_id}/complete", response=TaskDetail)
def task_complete(request: HttpRequest, task_id: int, data: TaskActionIn):
    """assigned or accepted → done (the assignee, or a manager for them), with a note of what was done."""
    return _act(request, task_id, "complete", data)


@router.post("/tasks/{task_id}/cancel", response=TaskDetail)
def task_cancel(request: HttpRequest, task_id: int, data: TaskActionIn):
    """assigned, accepted or declined → cancelled (the assigner, with the reason)."""
    return _act(request, task_id, "cancel", data)


@router.post("/tasks/{task_id}/reopen", response=TaskDetail)
def task_reopen(request: HttpRequest, task_id: int, data: TaskActionIn):
    """done → accepted (the assigner, saying what is still to do)."""
    return _act(request, task_id, "reopen", data)


@router.get("/tasks/{task_id}/comments", response=list[CommentOut])
def task_comments(request: HttpRequest, task_id: int):
    """The task's thread, oldest first (always short: a bare array)."""
    require_perm(request, "office.view_task")
    return [comment_dict(c) for c in selectors.comments_of(selectors.get_task(task_id, request.user))]


@router.post("/tasks/{task_id}/comments", response={201: CommentOut})
def task_comment(request: HttpRequest, task_id: int, data: OfficeCommentIn):
    require_perm(request, "office.view_task")
    comment = services.add_comment(task=selectors.get_task(task_id, request.user), by=request.user, body=data.body)
    return Status(201, comment_dict(comment))


@router.post("/tasks/{task_id}/attachments", response={201: OfficeAttachmentOut})
def task_attach(request: HttpRequest, task_id: int, file: File[UploadedFile]):
    require_perm(request, "office.view_task")
    task = selectors.get_task(task_id, request.user)
    att = services.attach_to_task(task=task, by=request.user, upload=file)
    return Status(201, attachment_dict(att, reverse("office:task_file", args=[task.pk, att.pk])))


# ---- notices -----------------------------------------------------------------------------------------------------


def notice_dict(n: Notice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "number": n.number,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "meeting_date": n.meeting_date,
        "location": n.location,
        "attendees": n.attendees,
        "ack_required": n.ack_required,
        "sender": n.sender.username,
        "status": n.status,
        "sent_at": n.sent_at,
        "departments": [d.code for d in n.departments.all()],
        "recipient_count": n.recipient_count or 0,
        "read_count": n.read_count or 0,
        "acknowledged_count": n.acknowledged_count or 0,
        "pending_count": n.pending_count or 0,
        "my_receipt": {"read_at": n.my_read_at, "acknowledged_at": n.my_acknowledged_at} if n.is_recipient else None,
        "withdrawn_at": n.withdrawn_at,
        "withdraw_reason": n.withdraw_reason,
        "version": n.version,
        "url": reverse("office:notice", args=[n.pk]),
    }


def public_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("office:public_notice", args=[token]))


def _sees_receipts(notice: Notice, user: Any) -> bool:
    return services.can_direct_notice(notice, user) or user.has_perm("office.view_all_notices")


def notice_detail_dict(request: HttpRequest, n: Notice) -> dict[str, Any]:
    live: list[dict[str, Any]] = []
    if _sees_receipts(n, request.user):
        live = [
            {
                "id": r.link.pk,
                "supplier_id": r.supplier_id,
                "url": public_url(request, r.token),
                "expires_at": r.link.expires_at,
            }
            for r in selectors.receipts_of(n)
            if r.link_state == "live"
        ]
    return {
        **notice_dict(n),
        "attachments": [
            attachment_dict(a, reverse("office:notice_file", args=[n.pk, a.pk])) for a in selectors.files_of(n)
        ],
        "links": live,
    }


def receipt_dict(request: HttpRequest, r: NoticeRecipient) -> dict[str, Any]:
    link = None
    if r.kind == RecipientKind.SUPPLIER and r.link is not None:
        link = {
            "id": r.link.pk,
            "state": r.link_state,
            "url": public_url(request, r.token) if r.token else None,
            "expires_at": r.link.expires_at,
        }
    return {
        "id": r.pk,
        "kind": r.kind,
        "user": r.user.username if r.user_id else None,
        "supplier_id": r.supplier_id,
        "name": r.party_name,
        "department": r.department.code if r.department_id else None,
        "emailed_to": r.emailed_to,
        "read_at": r.read_at,
        "acknowledged_at": r.acknowledged_at,
        "acknowledged_by_name": r.acknowledged_by_name,
        "pending": r.pending,
        "link": link,
    }


@router.get("/notices", response=OfficeNoticePage)
def notice_list(
    request: HttpRequest,
    box: str = Query("inbox", description="inbox (to the caller), sent (by the caller), all"),
    kind: str = "",
    status: str = "",
    q: str = "",
    unread: bool = Query(False, description="only those the caller has not read (or acknowledged, when asked)"),
    sent_date_from: dt.date | None = None,
    sent_date_to: dt.date | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Notices and meeting minutes (通知, 会议纪要), newest first, with their receipts' counts and the caller's own."""
    require_perm(request, "office.view_notice")
    if box not in selectors.NOTICE_BOXES:
        raise ValidationError(
            {"box": _("Choose one of: %(choices)s.") % {"choices": ", ".join(selectors.NOTICE_BOXES)}}
        )
    qs = selectors.notice_list(
        viewer=request.user,
        box=box,
        kind=kind,
        status=status,
        q=q,
        unread=unread,
        sent_from=sent_date_from,
        sent_to=sent_date_to,
    ).prefetch_related("departments")
    return {"items": [notice_dict(n) for n in qs[offset : offset + limit]], "count": qs.count()}


@router.post("/notices", response={201: NoticeDetail})
def notice_create(request: HttpRequest, data: OfficeNoticeIn):
    """Send a notice or minutes to departments (their active users), users and suppliers (each a signed link, e-mailed
    to its contacts). Files are added with POST /notices/{id}/attachments."""
    notice = services.create_notice(by=request.user, data=data.model_dump())
    return Status(201, notice_detail_dict(request, selectors.get_notice(notice.pk, request.user)))


@router.get("/notices/{notice_id}", response=NoticeDetail)
def notice_get(request: HttpRequest, notice_id: int):
    """One notice (reading it through the API is not a read receipt: POST /read)."""
    require_perm(request, "office.view_notice")
    return notice_detail_dict(request, selectors.get_notice(notice_id, request.user))


@router.get("/notices/{notice_id}/receipts", response=list[OfficeReceiptOut])
def notice_receipts(request: HttpRequest, notice_id: int):
    """Every recipient's read receipt, those still waiting first (the sender and managers; a bare array)."""
    require_perm(request, "office.view_notice")
    notice = selectors.get_notice(notice_id, request.user)
    if not _sees_receipts(notice, request.user):
        raise PermissionDenied(_("Only the sender of %(number)s sees its receipts.") % {"number": notice.number})
    return [receipt_dict(request, r) for r in selectors.receipts_of(notice)]


def _mine(receipt: NoticeRecipient | None, notice: Notice) -> dict[str, Any]:
    if receipt is None:
        raise PermissionDenied(_("You are not a recipient of %(number)s.") % {"number": notice.number})
    return {"read_at": receipt.read_at, "acknowledged_at": receipt.acknowledged_at}


@router.post("/notices/{notice_id}/read", response=MyReceiptOut)
def notice_read(request: HttpRequest, notice_id: int):
    """The caller has read the notice (their receipt; the first time counts)."""
    require_perm(request, "office.view_notice")
    notice = selectors.get_notice(notice_id, request.user)
    return _mine(services.mark_read(notice=notice, user=request.user), notice)


@router.post("/notices/{notice_id}/acknowledge", response=MyReceiptOut)
def notice_acknowledge(request: HttpRequest, notice_id: int):
    """The caller confirms they have read it (已阅)."""
    require_perm(request, "office.view_notice")
    notice = selectors.get_notice(notice_id, request.user)
    return _mine(services.acknowledge(notice=notice, user=request.user), notice)


@router.post("/notices/{notice_id}/recipients", response={201: list[OfficeReceiptOut]})
def notice_add_recipients(request: HttpRequest, notice_id: int, data: RecipientsIn):
    """Send the notice to more departments, users or suppliers; the new receipts (those already on it skipped)."""
    require_perm(request, "office.view_notice")
    notice = selectors.get_notice(notice_id, request.user)
    created = {r.pk for r in services.add_recipients(notice=notice, by=request.user, data=data.model_dump())}
    return Status(201, [receipt_dict(request, r) for r in selectors.receipts_of(notice) if r.pk in created])


@router.post("/notices/{notice_id}/links", response={201: OfficeLinkOut})
def notice_link(request: HttpRequest, notice_id: int, data: LinkIn):
    """A new link for one supplier of the notice (its earlier link stops working), optionally e-mailed."""
    require_perm(request, "office.view_notice")
    notice = selectors.get_notice(notice_id, request.user)
    recipient, token = services.renew_link(
        notice=notice, by=request.user, supplier_id=data.supplier_id, email=data.email
    )
    link = recipient.link
    return Status(
        201,
        {
            "id": link.pk,
            "supplier_id": recipient.supplier_id,
            "url": public_url(request, token),
            "expires_at": link.expires_at,
        },
    )


@router.post("/notices/{notice_id}/withdraw", response=NoticeDetail)
def notice_withdraw(request: HttpRequest, notice_id: int, data: WithdrawIn):
    """sent → withdrawn (the sender, with the reason): links stop working, recipients are told."""
    require_perm(request, "office.view_notice")
    notice = selectors.get_notice(notice_id, request.user)
    services.withdraw_notice(notice=notice, by=request.user, reason=data.reason, version=data.version)
    return notice_detail_dict(request, selectors.get_notice(notice_id, request.user))


@router.post("/notices/{notice_id}/attachments", response={201: OfficeAttachmentOut})
def notice_attach(request: HttpRequest, notice_id: int, file: File[UploadedFile]):
    require_perm(request, "office.view_notice")
    notice = selectors.get_notice(notice_id, request.user)
    att = services.attach_to_notice(notice=notice, by=request.user, upload=file)
    return Status(201, attachment_dict(att, reverse("office:notice_file", args=[notice.pk, att.pk])))


# ---- the daily summary -------------------------------------------------------------------------------------------


@router.get("/daily-summary", response={200: SummaryOut | TeamSummaryOut})
def daily_summary(
    request: HttpRequest,
    date: dt.date | None = Query(None, description="the day (default today)"),
    user: str = Query("", description="a username (managers); default the caller"),
    team: bool = Query(False, description="one summary per team member (managers)"),
):
    """A person's day (每日总结): completed, followed up, slipped and why, due next; or the team's."""
    require_perm(request, "office.view_task")
    day = date or clock.today()
    if team:
        require_perm(request, "office.view_team_summary")
        return {"date": day, "people": [summary.summary_dict(s) for s in summary.team_summary(day)]}
    person = summary.summary_user(request.user, user)
    return summary.summary_dict(summary.daily_summary(person, day))
