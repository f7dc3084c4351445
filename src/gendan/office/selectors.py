"""The office's reads: task lists (to me, by me, all) and a task's thread, the tasks of an order or a customer, notice
lists with their receipts, and the chase-list rows (tasks due or overdue, declined tasks, notices not read)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gendan.core import clock, links
from gendan.core.exceptions import NotFound
from gendan.core.models import Attachment, User
from gendan.core.services import attachments_for
from gendan.office.choices import (
    CHASE_NOTICE,
    CHASE_TASK,
    OPEN_TASK_STATUSES,
    PRIORITY_RANK,
    NoticeKind,
    NoticeStatus,
    Priority,
    RecipientKind,
    TaskStatus,
)
from gendan.office.models import Notice, NoticeRecipient, Task, TaskComment
from gendan.office.services import can_manage_tasks, can_see_notice, can_see_task, notice_follow_up_days, pending_q

TASK_SCOPES = ("to_me", "by_me", "all")
NOTICE_BOXES = ("inbox", "sent", "all")


# ---- tasks -------------------------------------------------------------------------------------------------------


def visible_tasks(viewer: User) -> QuerySet[Task]:
    """The tasks `viewer` may see: theirs (to or by them), those of the orders and customers they follow as
    merchandiser; every task for a manager of tasks."""
    qs = Task.objects.all()
    if not can_manage_tasks(viewer):
        qs = qs.filter(
            Q(assignee=viewer)
            | Q(assigned_by=viewer)
            | Q(order__merchandiser=viewer)
            | Q(customer__merchandiser=viewer)
        )
    return qs


def _ranked(qs: QuerySet[Task], today: dt.date) -> QuerySet[Task]:
    return qs.annotate(
        is_overdue=Case(
            When(status__in=OPEN_TASK_STATUSES, due_date__lt=today, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        priority_rank=Case(
            *[When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()],
            default=Value(9),
            output_field=IntegerField(),
        ),
        comment_count=Count("comments", distinct=True),
    )


def task_list(
    *,
    viewer: User,
    scope: str = "to_me",
    status: str = "open",
    priority: str = "",
    q: str = "",
    assignee: str | int | None = None,
    order_id: int | None = None,
    customer_id: int | None = None,
    overdue: bool = False,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> QuerySet[Task]:
    """Tasks assigned to the viewer (`to_me`), by the viewer (`by_me`), or every task they may see (`all`); overdue
    first, then by due date and priority. `status` "open" means assigned or accepted; "" means any."""
    today = clock.today()
    qs = visible_tasks(viewer).select_related("assignee", "assigned_by", "order", "customer")
    if scope == "to_me":
        qs = qs.filter(assignee=viewer)
    elif scope == "by_me":
        qs = qs.filter(assigned_by=viewer)
    if status == "open":
        qs = qs.filter(status__in=OPEN_TASK_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if assignee:
        qs = qs.filter(assignee_id=int(assignee)) if str(assignee).isdigit() else qs.filter(assignee__username=assignee)
    if order_id:
        qs = qs.filter(order_id=order_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if overdue:
        qs = qs.filter(status__in=OPEN_TASK_STATUSES, due_date__lt=today)
    if due_from:
        qs = qs.filter(due_date__gte=due_from)
    if due_to:
        qs = qs.filter(due_date__lte=due_to)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(order__number__icontains=q)
            | Q(customer__code__icontains=q)
        )
    return _ranked(qs, today).order_by("-is_overdue", "due_date", "priority_rank", "id")


def get_task(pk: int, viewer: User) -> Task:
    """One task the viewer may see (NotFound otherwise: an object outside the caller's scope is a 404)."""
    found = (
        Task.objects.select_related(
            "assignee", "assigned_by", "completed_by", "order__customer", "order__merchandiser", "customer"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None or not can_see_task(found, viewer):
        raise NotFound(_("There is no task %(id)s.") % {"id": pk})
    return found


def comments_of(task: Task) -> list[TaskComment]:
    return list(TaskComment.objects.filter(task=task).select_related("author").order_by("created_at", "id"))


def files_of(instance: Any) -> list[Attachment]:
    return list(attachments_for(instance).select_related("uploaded_by"))


def tasks_about(viewer: User, *, order_id: int | None = None, customer_id: int | None = None) -> list[Task]:
    """The tasks of an order (or a customer, its orders' included) the viewer may see: open first, newest due."""
    qs = visible_tasks(viewer).select_related("assignee", "assigned_by", "order")
    qs = qs.filter(order_id=order_id) if order_id else qs.filter(customer_id=customer_id)
    today = clock.today()
    return list(
        _ranked(qs, today)
        .annotate(
            is_open=Case(
                When(status__in=OPEN_TASK_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("is_open", "-is_overdue", "due_date", "-id")[:50]
    )


def open_tasks_of(user: User) -> QuerySet[Task]:
    """The user's open tasks (overdue first), and the tasks they assigned that came back declined."""
    today = clock.today()
    qs = Task.objects.filter(
        Q(assignee=user, status__in=OPEN_TASK_STATUSES) | Q(assigned_by=user, status=TaskStatus.DECLINED)
    ).select_related("assignee", "assigned_by", "order", "customer")
    return _ranked(qs, today).order_by("-is_overdue", "due_date", "priority_rank", "id")


def task_counts(user: User) -> dict[str, int]:
    """The user's open tasks, overdue ones among them, and the open tasks they assigned (one query)."""
    today = clock.today()
    row = Task.objects.filter(Q(assignee=user) | Q(assigned_by=user), status__in=OPEN_TASK_STATUSES).aggregate(
        mine=Count("pk", filter=Q(assignee=user)),
        overdue=Count("pk", filter=Q(assignee=user, due_date__lt=today)),
        given=Count("pk", filter=Q(assigned_by=user)),
    )
    return {k: v or 0 for k, v in row.items()}


# ---- notices -----------------------------------------------------------------------------------------------------


def _with_receipts(qs: QuerySet[Notice], viewer: User) -> QuerySet[Notice]:
    """Each notice with its recipients' counts and the viewer's own receipt."""
    mine = NoticeRecipient.objects.filter(notice=OuterRef("pk"), user=viewer)
    recipients = NoticeRecipient.objects.filter(notice=OuterRef("pk")).order_by().values("notice")

    def counted(extra: Q | None = None) -> Coalesce:
        rows = recipients.filter(extra) if extra is not None else recipients
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)

    return qs.annotate(
        recipient_count=counted(),
        read_count=counted(Q(read_at__isnull=False)),
        acknowledged_count=counted(Q(acknowledged_at__isnull=False)),
        pending_count=counted(pending_q()),
        is_recipient=Exists(mine),
        my_read_at=Subquery(mine.values("read_at")[:1]),
        my_acknowledged_at=Subquery(mine.values("acknowledged_at")[:1]),
    )


def notice_list(
    *,
    viewer: User,
    box: str = "inbox",
    kind: str = "",
    q: str = "",
    unread: bool = False,
    status: str = "",
    sent_from: dt.date | None = None,
    sent_to: dt.date | None = None,
) -> QuerySet[Notice]:
    """Notices to the viewer (`inbox`), sent by the viewer (`sent`), or all they may see (`all`), newest first.
    `unread`: those the viewer has not read yet (or not acknowledged, when the notice asks for it)."""
    received = NoticeRecipient.objects.filter(user=viewer).values("notice_id")
    qs = Notice.objects.select_related("sender")
    if box == "inbox":
        qs = qs.filter(pk__in=received)
    elif box == "sent":
        qs = qs.filter(sender=viewer)
    elif not viewer.has_perm("office.view_all_notices"):
        qs = qs.filter(Q(pk__in=received) | Q(sender=viewer))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if sent_from:
        qs = qs.filter(sent_date__gte=sent_from)
    if sent_to:
        qs = qs.filter(sent_date__lte=sent_to)
    if unread:
        waiting = NoticeRecipient.objects.filter(pending_q(), user=viewer).values("notice_id")
        qs = qs.filter(pk__in=waiting, status=NoticeStatus.SENT)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(body__icontains=q))
    return _with_receipts(qs, viewer).order_by("-sent_at", "-id")


def unread_notice_count(user: User) -> int:
    """Notices waiting for the user: not read, or not acknowledged when asked (the badge)."""
    return NoticeRecipient.objects.filter(pending_q(), user=user, notice__status=NoticeStatus.SENT).count()


def get_notice(pk: int, viewer: User) -> Notice:
    found = (
        _with_receipts(Notice.objects.select_related("sender").prefetch_related("departments"), viewer)
        .filter(pk=pk)
        .first()
    )
    if found is None or not can_see_notice(found, viewer, is_recipient=found.is_recipient):
        raise NotFound(_("There is no notice %(id)s.") % {"id": pk})
    return found


def receipts_of(notice: Notice) -> list[NoticeRecipient]:
    """Every recipient's receipt, those still waiting first; supplier receipts carry `token` when their link is live
    (so the sender can pass it on) and `link_state`."""
    rows = list(NoticeRecipient.objects.filter(notice=notice).select_related("user", "supplier", "department", "link"))
    now = clock.now()
    for r in rows:
        r.notice = notice
        r.pending = r.is_pending(notice.ack_required)
        r.token = ""
        r.link_state = ""
        if r.kind == RecipientKind.SUPPLIER:
            link = r.link
            if link is None:
                r.link_state = "none"
            elif link.revoked_at is not None:
                r.link_state = "revoked"
            elif link.expires_at <= now:
                r.link_state = "expired"
            else:
                r.link_state = "live"
                r.token = links.token_for(link)
    rows.sort(key=lambda r: (not r.pending, r.kind != RecipientKind.SUPPLIER, r.party_name.lower()))
    return rows


def my_receipt(notice: Notice, user: User) -> NoticeRecipient | None:
    return NoticeRecipient.objects.filter(notice=notice, user=user).first()


def notice_file(notice: Notice, attachment_id: int) -> Attachment:
    found = attachments_for(notice).filter(pk=attachment_id).first()
    if found is None:
        raise NotFound(_("There is no such file."))
    return found


# ---- the chase list ----------------------------------------------------------------------------------------------


def _row(**kw: Any) -> Any:
    from gendan.followup.selectors import ChaseRow

    return ChaseRow(**kw)


def _task_common(task: Task) -> dict[str, Any]:
    order, customer = task.order, task.customer
    return {
        "kind": CHASE_TASK,
        "kind_label": pgettext("chase kind", "Task"),
        "document": task.number,
        "order_id": task.order_id,
        "order_number": order.number if order else "",
        "milestone_id": None,
        "milestone_code": None,
        "milestone_name": task.title[:80],
        "object_id": task.pk,
        "url": reverse("office:task", args=[task.pk]),
        "customer": customer.code if customer else "",
        "tier": customer.tier if customer else "",
        "amount": order.total_amount if order else Decimal(0),
        "currency": order.currency if order else "",
    }


def _priority_prefix(task: Task) -> str:
    return f"[{task.get_priority_display()}] " if task.priority in (Priority.HIGH, Priority.URGENT) else ""


def _chase_tasks(q: Any) -> list[Any]:
    """The user's open tasks due by the horizon's end; the tasks they assigned that are overdue (the other person's),
    or came back declined."""
    user, day, until, calendar = q.user, q.day, q.until, q.calendar
    tasks = (
        Task.objects.filter(
            Q(assignee=user, status__in=OPEN_TASK_STATUSES, due_date__lte=until)
            | (Q(assigned_by=user, status__in=OPEN_TASK_STATUSES, due_date__lt=day) & ~Q(assignee=user))
            | Q(assigned_by=user, status=TaskStatus.DECLINED)
        )
        .select_related("order__customer", "customer", "assignee", "assigned_by")
        .order_by("due_date", "pk")
    )
    rows = []
    for t in tasks:
        common = _task_common(t)
        due = f"{t.due_date:%m-%d}"
        if t.status == TaskStatus.DECLINED:
            declined = timezone.localtime(t.declined_at).date() if t.declined_at else day
            reason = _("%(title)s — declined by %(name)s: %(reason)s. Reassign or cancel it.") % {
                "title": t.title,
                "name": t.assignee.get_full_name() or t.assignee.username,
                "reason": t.decline_reason.rstrip("。．.!！ "),
            }
            rows.append(_row(due_date=declined, days_late=calendar.between(declined, day), reason=reason, **common))
        elif t.assignee_id == user.pk:
            reason = _("%(prefix)s%(title)s — from %(name)s, due %(due)s") % {
                "prefix": _priority_prefix(t),
                "title": t.title,
                "name": t.assigned_by.get_full_name() or t.assigned_by.username,
                "due": due,
            }
            if t.status == TaskStatus.ASSIGNED:
                reason += " " + _("(not accepted yet)")
            rows.append(_row(due_date=t.due_date, days_late=calendar.between(t.due_date, day), reason=reason, **common))
        else:
            reason = _("%(prefix)s%(title)s — %(name)s has not finished it, due %(due)s (%(status)s)") % {
                "prefix": _priority_prefix(t),
                "title": t.title,
                "name": t.assignee.get_full_name() or t.assignee.username,
                "due": due,
                "status": t.get_status_display(),
            }
            rows.append(_row(due_date=t.due_date, days_late=calendar.between(t.due_date, day), reason=reason, **common))
    return rows


NAMES_SHOWN = 5


def notice_chase_due(sent_date: dt.date, calendar: Any) -> dt.date:
    """When an unread notice is followed up: once GENDAN_NOTICE_FOLLOW_UP_DAYS working days have passed since it was
    sent (sent on a day off, the next working day is the first of them)."""
    return calendar.add(calendar.previous_working_day(sent_date), notice_follow_up_days())


def _chase_notices(q: Any) -> list[Any]:
    """The user's sent notices that some recipient has not read (or acknowledged, when asked) N working days on,
    naming who."""
    user, day, calendar = q.user, q.day, q.calendar
    days = notice_follow_up_days()
    waiting = NoticeRecipient.objects.filter(pending_q()).filter(Q(user__isnull=True) | Q(user__is_active=True))
    notices = list(
        Notice.objects.filter(
            sender=user,
            status=NoticeStatus.SENT,
            chase_stopped_at__isnull=True,
            sent_date__lte=day - dt.timedelta(days=days),
        )
        .filter(Exists(waiting.filter(notice=OuterRef("pk"))))
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=waiting.select_related("user", "supplier").order_by("-kind", "id"),  # colleagues first
                to_attr="waiting",
            )
        )
        .annotate(total=Count("recipients"))
        .order_by("sent_date", "pk")
    )
    rows = []
    for n in notices:
        due = notice_chase_due(n.sent_date, calendar)
        if due > day:
            continue
        names = [r.party_name for r in n.waiting]
        shown = ", ".join(names[:NAMES_SHOWN])
        if len(names) > NAMES_SHOWN:
            shown += " " + _("and %(n)s more") % {"n": len(names) - NAMES_SHOWN}
        template = (
            _("%(number)s “%(title)s” sent %(date)s: not acknowledged by %(names)s (%(n)s of %(total)s)")
            if n.ack_required
            else _("%(number)s “%(title)s” sent %(date)s: not read by %(names)s (%(n)s of %(total)s)")
        )
        reason = template % {
            "number": n.number,
            "title": n.title,
            "date": f"{n.sent_date:%m-%d}",
            "names": shown,
            "n": len(names),
            "total": n.total,
        }
        rows.append(
            _row(
                kind=CHASE_NOTICE,
                kind_label=str(NoticeKind(n.kind).label),
                document=n.number,
                order_id=None,
                order_number="",
                milestone_id=None,
                milestone_code=None,
                milestone_name=n.title[:80],
                due_date=due,
                days_late=calendar.between(due, day),
                reason=reason,
                object_id=n.pk,
                url=reverse("office:notice", args=[n.pk]) + "#receipts",
                customer="",
                tier="",
                amount=Decimal(0),
                currency="",
            )
        )
    return rows


def register() -> None:
    from gendan.followup.selectors import register_chase_source

    register_chase_source(_chase_tasks)
    register_chase_source(_chase_notices)
