"""The office's writes: assigned tasks (交办事项) and their comments, notices and meeting minutes (通知, 会议纪要) with
their recipients, read receipts and the outside parties' links.

A task moves assigned → accepted → done; the assignee may decline it (saying why), the assigner cancels it (saying
why) or reopens a done one. The assigner may change it while it is open or declined; a new assignee starts again
from assigned. Assignment, comments, declining, completion, cancelling and reopening reach the other side's inbox.

A notice is sent when it is created: to every active user of the chosen departments, to the chosen users, and to the
chosen suppliers and factories, each through its own signed link (e-mailed to its contacts that have an address).
Each recipient has a read receipt: opened (the first time), acknowledged (已阅). Unread notices show in the sender's
chase list after `GENDAN_NOTICE_FOLLOW_UP_DAYS` working days.

Every command runs in one transaction, locks the row it changes, checks the optimistic `version` when given, and
records the audit trail; bad input raises ValidationError naming the field and writes nothing.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gendan.core import audit, clock, links
from gendan.core.choices import AuditAction
from gendan.core.cleaning import clean_bool as _bool
from gendan.core.cleaning import clean_date as _date
from gendan.core.cleaning import clean_id as _id
from gendan.core.cleaning import clean_text as _text
from gendan.core.editing import check_version
from gendan.core.exceptions import NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import Attachment, Department, ExternalLink, User
from gendan.core.notifications import notify_in_their_language
from gendan.core.numbering import next_number
from gendan.core.services import add_attachment, ensure_can
from gendan.office.choices import (
    EDITABLE_TASK_STATUSES,
    TASK_TRANSITIONS,
    NoticeKind,
    NoticeStatus,
    Priority,
    RecipientKind,
    TaskStatus,
)
from gendan.office.models import Notice, NoticeRecipient, Task, TaskComment
from gendan.partners.models import Customer, Supplier
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order

logger = logging.getLogger(__name__)

TASK_PREFIX = "TK"
NOTICE_PREFIX = "NT"
LINK_PURPOSE = "office_notice"
TASK_FIELDS = ["title", "description", "order", "customer", "assignee", "due_date", "priority"]
NOTICE_FIELDS = ["kind", "title", "body", "meeting_date", "location", "attendees", "ack_required"]
TITLE_MAX = 200


def notice_follow_up_days() -> int:
    """Working days after which a notice not read (or not acknowledged) is chased (GENDAN_NOTICE_FOLLOW_UP_DAYS)."""
    return int(getattr(settings, "GENDAN_NOTICE_FOLLOW_UP_DAYS", 2))


def notice_link_days() -> int:
    """Days an outside party's notice link works (GENDAN_NOTICE_LINK_DAYS)."""
    return int(getattr(settings, "GENDAN_NOTICE_LINK_DAYS", 30))


# ---- input cleaning ----------------------------------------------------------------------------------------------


def _user(value: Any) -> User | None:
    """An active user from a User, an id or a username."""
    if isinstance(value, User):
        return value if value.is_active else None
    text = str(value or "").strip()
    if not text:
        return None
    lookup = {"pk": int(text)} if text.isdigit() else {"username": text}
    return User.objects.filter(is_active=True, **lookup).first()


def _as_list(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v for v in (p.strip() for p in value.split(",")) if v]
    if isinstance(value, Iterable):
        return [v for v in value if v not in (None, "")]
    return [value]


# ---- tasks -------------------------------------------------------------------------------------------------------


def can_manage_tasks(user: User) -> bool:
    return user.has_perm("office.manage_tasks")


def can_see_task(task: Task, user: User) -> bool:
    """The assignee, the assigner, a manager of tasks, and the merchandiser of the order or customer it concerns."""
    if user.pk in (task.assignee_id, task.assigned_by_id) or can_manage_tasks(user):
        return True
    if task.order_id and task.order.merchandiser_id == user.pk:
        return True
    return bool(task.customer_id and task.customer.merchandiser_id == user.pk)


def can_direct_task(task: Task, user: User) -> bool:
    """Whoever may change, cancel or reopen a task: its assigner or a manager of tasks."""
    return user.pk == task.assigned_by_id or can_manage_tasks(user)


def task_url(task: Task) -> str:
    return reverse("office:task", args=[task.pk])


def _task_title(task: Task) -> str:
    return f"{task.number} {task.title}"


def _notify(
    recipients: Iterable[User],
    *,
    by: User | None,
    url: str,
    title: Callable[[], str],
    body: Callable[[], str] | None = None,
) -> None:
    """Tell each of `recipients` but the one who acted, in their own language."""
    people = [u for u in {u.pk: u for u in recipients if u is not None}.values() if by is None or u.pk != by.pk]
    if people:
        notify_in_their_language(recipients=people, title=title, body=body or (lambda: ""), url=url, actor=by)


def _clean_task(data: dict[str, Any], *, task: Task | None, by: User) -> dict[str, Any]:
    """Check a task's fields; on a change (`task`), what `data` does not name is kept."""
    errors: dict[str, str] = {}
    current = {name: getattr(task, name) for name in TASK_FIELDS} if task else {}

    title = current.get("title", "")
    if "title" in data or task is None:
        title = _text(data.get("title"))
        if not title:
            errors["title"] = _("Give the task a title.")
        elif len(title) > TITLE_MAX:
            errors["title"] = _("Keep the title under %(n)s characters.") % {"n": TITLE_MAX}
    description = _text(data.get("description")) if "description" in data else current.get("description", "")

    assignee = current.get("assignee")
    if "assignee" in data or task is None:
        raw = data.get("assignee")
        assignee = _user(raw)
        if assignee is None:
            errors["assignee"] = (
                _("There is no active user %(user)s.") % {"user": raw}
                if raw not in (None, "")
                else _("Choose who does it.")
            )
        elif not assignee.has_perm("office.view_task"):
            errors["assignee"] = _("%(name)s cannot receive tasks.") % {"name": assignee.username}

    due = current.get("due_date")
    if "due_date" in data or task is None:
        due = _date(data.get("due_date"), "due_date", errors)
        if due is None and "due_date" not in errors:
            errors["due_date"] = _("Say by when it is due.")
        elif due is not None and due < clock.today() and due != current.get("due_date"):
            errors["due_date"] = _("The due date cannot be in the past.")

    priority = current.get("priority", Priority.NORMAL)
    if "priority" in data or task is None:
        priority = str(data.get("priority") or Priority.NORMAL)
        if priority not in Priority.values:
            errors["priority"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(Priority.values)}

    order = current.get("order")
    if "order_id" in data:
        order_id = _id(data.get("order_id"))
        order = Order.objects.select_related("customer").filter(pk=order_id).first() if order_id else None
        if order_id and order is None:
            errors["order_id"] = _("There is no order %(id)s.") % {"id": data.get("order_id")}
        elif order is not None and order.status == OrderStatus.CANCELLED and order != current.get("order"):
            errors["order_id"] = _("Order %(number)s is cancelled.") % {"number": order.number}

    customer = current.get("customer")
    if "customer_id" in data:
        customer_id = _id(data.get("customer_id"))
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        if customer_id and customer is None:
            errors["customer_id"] = _("There is no customer %(id)s.") % {"id": data.get("customer_id")}
    if order is not None:
        if "customer_id" in data and customer is not None and customer.pk != order.customer_id:
            errors["customer_id"] = _("Order %(number)s is for %(customer)s.") % {
                "number": order.number,
                "customer": order.customer.code,
            }
        customer = order.customer
    elif "order_id" in data and "customer_id" not in data and task is not None and current.get("order") is not None:
        customer = None  # the order is taken off: so is the customer it brought
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": description,
        "order": order,
        "customer": customer,
        "assignee": assignee,
        "due_date": due,
        "priority": priority,
    }


def _assigned_text(task: Task) -> str:
    parts = [
        _("Due %(date)s, priority %(priority)s.")
        % {"date": task.due_date.isoformat(), "priority": task.get_priority_display()}
    ]
    if task.order_id:
        parts.append(_("Order %(number)s.") % {"number": task.order.number})
    elif task.customer_id:
        parts.append(_("Customer %(code)s.") % {"code": task.customer.code})
    if task.description:
        parts.append(task.description[:500])
    return " ".join(parts)


@transaction.atomic
def create_task(*, by: User, data: dict[str, Any]) -> Task:
    """Assign a task to a person; they hear of it in their inbox (and by e-mail)."""
    ensure_can(by, "office.add_task")
    clean = _clean_task(data, task=None, by=by)
    task = Task.objects.create(number=next_number(TASK_PREFIX), assigned_by=by, assigned_at=clock.now(), **clean)
    audit.record_create(instance=task, by=by, fields=TASK_FIELDS, related=task.order or task.customer)
    _notify(
        [task.assignee],
        by=by,
        url=task_url(task),
        title=lambda: (
            _("New task from %(name)s: %(task)s")
            % {"name": by.get_full_name() or by.username, "task": _task_title(task)}
        ),
        body=lambda: _assigned_text(task),
    )
    return task


def _lock_task(task: Task) -> Task:
    found = (
        Task.objects.select_for_update(of=("self",))
        .select_related("order__customer", "customer", "assignee", "assigned_by")
        .filter(pk=task.pk)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no task %(id)s.") % {"id": task.pk})
    return found


@transaction.atomic
def update_task(*, task: Task, by: User, data: dict[str, Any], version: int | None = None) -> Task:
    """Change a task (its assigner or a manager of tasks) while it is open or declined. A new assignee starts from
    assigned again and is told; the assignee hears of a new due date or priority."""
    locked = _lock_task(task)
    if not can_see_task(locked, by):
        raise NotFound(_("There is no task %(id)s.") % {"id": task.pk})
    if not can_direct_task(locked, by):
        raise PermissionDenied(_("Only the person who assigned %(number)s may change it.") % {"number": locked.number})
    check_version(locked, version)
    if locked.status not in EDITABLE_TASK_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: it cannot be changed.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    unknown = set(data) - {"title", "description", "order_id", "customer_id", "assignee", "due_date", "priority"}
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    clean = _clean_task(data, task=locked, by=by)
    before = audit.snapshot(locked, TASK_FIELDS)
    old_assignee = locked.assignee
    for name, value in clean.items():
        setattr(locked, name, value)
    changes = audit.diff(before, audit.snapshot(locked, TASK_FIELDS))
    reassigned = locked.assignee_id != old_assignee.pk
    if reassigned and "assignee" not in changes:  # two people of the same name: the record shows them apart
        changes["assignee"] = [old_assignee.username, locked.assignee.username]
    if not changes:
        return locked
    if reassigned:
        changes["status"] = [locked.status, TaskStatus.ASSIGNED]
        locked.status = TaskStatus.ASSIGNED
        locked.assigned_at = clock.now()
        locked.accepted_at = None
        locked.declined_at = None
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked, action=AuditAction.UPDATE, by=by, changes=changes, related=locked.order or locked.customer
    )
    if reassigned:
        _notify(
            [locked.assignee],
            by=by,
            url=task_url(locked),
            title=lambda: (
                _("New task from %(name)s: %(task)s")
                % {"name": by.get_full_name() or by.username, "task": _task_title(locked)}
            ),
            body=lambda: _assigned_text(locked),
        )
        _notify(
            [old_assignee],
            by=by,
            url=task_url(locked),
            title=lambda: (
                _("%(task)s was given to %(name)s") % {"task": _task_title(locked), "name": locked.assignee.username}
            ),
        )
    elif {"due_date", "priority", "title", "description"} & set(changes):
        _notify(
            [locked.assignee],
            by=by,
            url=task_url(locked),
            title=lambda: _("%(task)s was changed") % {"task": _task_title(locked)},
            body=lambda: _assigned_text(locked),
        )
    return locked


def _refuse(task: Task, action: str) -> TransitionNotAllowed:
    target = TaskStatus(TASK_TRANSITIONS[action][1]).label
    return TransitionNotAllowed(
        _("%(number)s is %(status)s: it cannot move to %(target)s.")
        % {"number": task.number, "status": task.get_status_display(), "target": target}
    )


def _move(task: Task, action: str, *, by: User, message: str = "", **fields: Any) -> None:
    """Move a locked task by `action` (and set its other fields), count a version, record it."""
    allowed, status = TASK_TRANSITIONS[action]
    if task.status not in allowed:
        raise _refuse(task, action)
    changes: dict[str, list[Any]] = {"status": [task.status, status]}
    for name, value in fields.items():
        if getattr(task, name) != value and not name.endswith("_at") and name != "completed_by":
            changes[name] = [getattr(task, name), value]
        setattr(task, name, value)
    task.status = status
    task.version += 1
    task.save()
    audit.record(
        instance=task,
        action=AuditAction.TRANSITION,
        by=by,
        changes=changes,
        message=message[:500],
        related=task.order or task.customer,
    )


def _locked_for(task: Task, by: User, version: int | None) -> Task:
    locked = _lock_task(task)
    if not can_see_task(locked, by):
        raise NotFound(_("There is no task %(id)s.") % {"id": task.pk})
    check_version(locked, version)
    return locked


def _ensure_assignee(task: Task, by: User, action: str) -> None:
    if by.pk != task.assignee_id:
        raise PermissionDenied(
            _("Only %(name)s, to whom %(number)s is assigned, may %(action)s it.")
            % {"name": task.assignee.username, "number": task.number, "action": action}
        )


@transaction.atomic
def accept_task(*, task: Task, by: User, comment: str = "", version: int | None = None) -> Task:
    """The assignee takes the task on (a comment goes on its thread)."""
    locked = _locked_for(task, by, version)
    _ensure_assignee(locked, by, _("accept"))
    _move(locked, "accept", by=by, message=comment, accepted_at=clock.now())
    if _text(comment):
        _add_comment(locked, by, comment)
    return locked


@transaction.atomic
def decline_task(*, task: Task, by: User, reason: str = "", version: int | None = None) -> Task:
    """The assignee gives the task back, saying why; the assigner reassigns or cancels it."""
    locked = _locked_for(task, by, version)
    _ensure_assignee(locked, by, _("decline"))
    if locked.status not in TASK_TRANSITIONS["decline"][0]:
        raise _refuse(locked, "decline")
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why you decline the task.")})
    _move(locked, "decline", by=by, decline_reason=reason, declined_at=clock.now())
    _notify(
        [locked.assigned_by],
        by=by,
        url=task_url(locked),
        title=lambda: _("%(name)s declined %(task)s") % {"name": by.username, "task": _task_title(locked)},
        body=lambda: reason,
    )
    return locked


@transaction.atomic
def complete_task(*, task: Task, by: User, note: str = "", version: int | None = None) -> Task:
    """The assignee (or a manager of tasks, for them) reports the task done with a note of what was done."""
    locked = _locked_for(task, by, version)
    if by.pk != locked.assignee_id and not can_manage_tasks(by):
        _ensure_assignee(locked, by, _("complete"))
    if locked.status not in TASK_TRANSITIONS["complete"][0]:
        raise _refuse(locked, "complete")
    note = _text(note)
    if not note:
        raise ValidationError({"note": pgettext("task", "Say what was done.")})
    now = clock.now()
    _move(
        locked,
        "complete",
        by=by,
        completion_note=note,
        completed_at=now,
        completed_by=by,
        accepted_at=locked.accepted_at or now,
    )
    _notify(
        [locked.assigned_by, locked.assignee],
        by=by,
        url=task_url(locked),
        title=lambda: _("%(task)s is done") % {"task": _task_title(locked)},
        body=lambda: note,
    )
    return locked


@transaction.atomic
def cancel_task(*, task: Task, by: User, reason: str = "", version: int | None = None) -> Task:
    """The assigner (or a manager of tasks) calls the task off, saying why."""
    locked = _locked_for(task, by, version)
    if not can_direct_task(locked, by):
        raise PermissionDenied(_("Only the person who assigned %(number)s may cancel it.") % {"number": locked.number})
    if locked.status not in TASK_TRANSITIONS["cancel"][0]:
        raise _refuse(locked, "cancel")
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the task is cancelled.")})
    _move(locked, "cancel", by=by, cancel_reason=reason, cancelled_at=clock.now())
    _notify(
        [locked.assignee],
        by=by,
        url=task_url(locked),
        title=lambda: _("%(task)s was cancelled") % {"task": _task_title(locked)},
        body=lambda: reason,
    )
    return locked


@transaction.atomic
def reopen_task(*, task: Task, by: User, reason: str = "", version: int | None = None) -> Task:
    """The assigner is not satisfied: the done task goes back to the assignee (accepted), with the reason."""
    locked = _locked_for(task, by, version)
    if not can_direct_task(locked, by):
        raise PermissionDenied(_("Only the person who assigned %(number)s may reopen it.") % {"number": locked.number})
    if locked.status not in TASK_TRANSITIONS["reopen"][0]:
        raise _refuse(locked, "reopen")
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say what is still to do.")})
    _move(locked, "reopen", by=by, message=reason, completed_at=None, completed_by=None)
    _add_comment(locked, by, reason)
    _notify(
        [locked.assignee],
        by=by,
        url=task_url(locked),
        title=lambda: _("%(task)s was reopened") % {"task": _task_title(locked)},
        body=lambda: reason,
    )
    return locked


def transition_task(*, task: Task, action: str, by: User, comment: str = "", version: int | None = None) -> Task:
    """One entry for the pages and the API: the named action with its comment (the reason or the note)."""
    if action == "accept":
        return accept_task(task=task, by=by, comment=comment, version=version)
    if action == "decline":
        return decline_task(task=task, by=by, reason=comment, version=version)
    if action == "complete":
        return complete_task(task=task, by=by, note=comment, version=version)
    if action == "cancel":
        return cancel_task(task=task, by=by, reason=comment, version=version)
    if action == "reopen":
        return reopen_task(task=task, by=by, reason=comment, version=version)
    raise ValidationError({"action": _("Unknown action %(action)s.") % {"action": action}})


def _add_comment(task: Task, by: User, body: str) -> TaskComment:
    comment = TaskComment.objects.create(task=task, author=by, body=_text(body), created_at=clock.now())
    audit.record(
        instance=comment,
        action=AuditAction.CREATE,
        by=by,
        changes={"body": [None, comment.body[:300]]},
        related=task,
    )
    return comment


@transaction.atomic
def add_comment(*, task: Task, by: User, body: str) -> TaskComment:
    """A comment on the task's thread, by anyone who sees the task; the assignee, the assigner and the earlier
    commenters hear of it."""
    locked = _lock_task(task)
    if not can_see_task(locked, by):
        raise NotFound(_("There is no task %(id)s.") % {"id": task.pk})
    body = _text(body)
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("Keep the comment under %(n)s characters.") % {"n": 5000}})
    comment = _add_comment(locked, by, body)
    earlier = User.objects.filter(pk__in=TaskComment.objects.filter(task=locked).values("author_id"))
    _notify(
        [locked.assignee, locked.assigned_by, *earlier],
        by=by,
        url=task_url(locked) + f"#comment-{comment.pk}",
        title=lambda: _("%(name)s commented on %(task)s") % {"name": by.username, "task": _task_title(locked)},
        body=lambda: body[:500],
    )
    return comment


@transaction.atomic
def attach_to_task(*, task: Task, by: User, upload: UploadedFile) -> Attachment:
    """A file on the task (a photo, the document it asks for), by anyone who sees it."""
    locked = _lock_task(task)
    if not can_see_task(locked, by):
        raise NotFound(_("There is no task %(id)s.") % {"id": task.pk})
    return add_attachment(instance=locked, upload=upload, by=by)


# ---- notices -----------------------------------------------------------------------------------------------------


def can_see_notice(notice: Notice, user: User, *, is_recipient: bool | None = None) -> bool:
    if notice.sender_id == user.pk or user.has_perm("office.view_all_notices"):
        return True
    if is_recipient is None:
        is_recipient = NoticeRecipient.objects.filter(notice=notice, user=user).exists()
    return is_recipient


def can_direct_notice(notice: Notice, user: User) -> bool:
    """Whoever may add recipients, renew links, attach files and withdraw: the sender, or a user who may change
    every notice (managers)."""
    return user.pk == notice.sender_id or user.has_perm("office.change_notice")


def notice_url(notice: Notice) -> str:
    return reverse("office:notice", args=[notice.pk])


def _resolve_recipients(data: dict[str, Any], *, sender: User, errors: dict[str, str]) -> dict[str, Any]:
    """The departments, users and suppliers named in `data` (codes, usernames, ids)."""
    departments: list[Department] = []
    wanted = [str(getattr(w, "code", w)) for w in _as_list(data.get("departments"))]
    if wanted:
        by_key = {d.code: d for d in Department.objects.all()}
        by_key.update({str(d.pk): d for d in list(by_key.values())})
        missing = [w for w in wanted if w not in by_key]
        if missing:
            errors["departments"] = _("There is no department %(codes)s.") % {"codes": ", ".join(missing)}
        for key in wanted:
            if key in by_key and by_key[key] not in departments:
                departments.append(by_key[key])
    users: list[User] = []
    for raw in _as_list(data.get("users")):
        user = _user(raw)
        if user is None:
            errors["users"] = _("There is no active user %(user)s.") % {"user": getattr(raw, "username", raw)}
        elif user.pk != sender.pk and user not in users:
            users.append(user)
    suppliers: list[Supplier] = []
    for raw in _as_list(data.get("supplier_ids")):
        supplier_id = _id(raw)
        supplier = Supplier.objects.filter(pk=supplier_id).first() if supplier_id and supplier_id > 0 else None
        if supplier is None:
            errors["supplier_ids"] = _("There is no supplier %(id)s.") % {"id": raw}
        elif not supplier.is_active:
            errors["supplier_ids"] = _("%(code)s is inactive.") % {"code": supplier.code}
        elif supplier not in suppliers:
            suppliers.append(supplier)
    return {"departments": departments, "users": users, "suppliers": suppliers}


def _supplier_addresses(supplier: Supplier) -> list[str]:
    from gendan.partners.models import Contact

    return list(
        dict.fromkeys(
            Contact.objects.filter(supplier=supplier)
            .exclude(email="")
            .order_by("-is_primary", "name")
            .values_list("email", flat=True)
        )
    )


def _add_recipients(
    notice: Notice, *, by: User, departments: list[Department], users: list[User], suppliers: list[Supplier]
) -> list[NoticeRecipient]:
    """New receipts for the people and parties not on the notice yet: the departments' active users, the users, the
    suppliers (each with its link and its e-mail after commit). Internal recipients are notified."""
    now = clock.now()
    have_users = set(
        NoticeRecipient.objects.filter(notice=notice, user__isnull=False).values_list("user_id", flat=True)
    )
    have_suppliers = set(
        NoticeRecipient.objects.filter(notice=notice, supplier__isnull=False).values_list("supplier_id", flat=True)
    )
    have_users.add(notice.sender_id)
    new_users: dict[int, tuple[User, Department | None]] = {}
    if departments:
        for user in (
            User.objects.filter(is_active=True, department__in=departments)
            .select_related("department")
            .order_by("username")
        ):
            if user.pk not in have_users:
                new_users.setdefault(user.pk, (user, user.department))
    for user in users:
        if user.pk not in have_users:
            new_users[user.pk] = (user, None)
    rows = [
        NoticeRecipient(notice=notice, kind=RecipientKind.USER, user=user, department=department, added_at=now)
        for user, department in new_users.values()
    ]
    rows += [
        NoticeRecipient(notice=notice, kind=RecipientKind.SUPPLIER, supplier=s, added_at=now)
        for s in suppliers
        if s.pk not in have_suppliers
    ]
    created = NoticeRecipient.objects.bulk_create(rows)
    if not created:
        return []
    for recipient in created:  # bulk_create sets the ids on SQLite and PostgreSQL
        if recipient.kind == RecipientKind.SUPPLIER:
            _issue_link(recipient, by=by, email=True)
    people = [u for u, _dept in new_users.values()]
    _notify(
        people,
        by=by,
        url=notice_url(notice),
        title=lambda: (
            _("%(kind)s from %(name)s: %(title)s")
            % {"kind": notice.get_kind_display(), "name": by.get_full_name() or by.username, "title": notice.title}
        ),
        body=lambda: notice.body[:500],
    )
    return created


def _issue_link(recipient: NoticeRecipient, *, by: User, email: bool) -> str:
    """A new link for a supplier recipient (its earlier one withdrawn); e-mailed to its contacts after commit."""
    link, token = links.create_link(
        target=recipient, purpose=LINK_PURPOSE, party=str(recipient.supplier), by=by, days=notice_link_days()
    )
    recipient.link = link
    fields = ["link"]
    if email:
        addresses = _supplier_addresses(recipient.supplier)
        if addresses:
            recipient.emailed_to = ", ".join(addresses)[:500]
            fields.append("emailed_to")
            from gendan.office.tasks import send_notice_email

            recipient_id = recipient.pk
            transaction.on_commit(lambda: send_notice_email.enqueue(recipient_id))
    recipient.save(update_fields=fields)
    return token


def _clean_notice(data: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    kind = str(data.get("kind") or NoticeKind.NOTICE)
    if kind not in NoticeKind.values:
        errors["kind"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(NoticeKind.values)}
    title = _text(data.get("title"))
    if not title:
        errors["title"] = _("Give the notice a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(n)s characters.") % {"n": TITLE_MAX}
    body = _text(data.get("body"))
    if not body:
        errors["body"] = _("Write the notice.") if kind != NoticeKind.MINUTES else _("Write the minutes.")
    meeting = _date(data.get("meeting_date"), "meeting_date", errors)
    if kind == NoticeKind.MINUTES and meeting is None and "meeting_date" not in errors:
        errors["meeting_date"] = _("Give the date of the meeting.")
    elif meeting is not None and meeting > clock.today():
        errors["meeting_date"] = _("Minutes are of a meeting that took place: the date cannot be in the future.")
    return {
        "kind": kind,
        "title": title[:TITLE_MAX],
        "body": body,
        "meeting_date": meeting,
        "location": _text(data.get("location"), 200),
        "attendees": _text(data.get("attendees"), 5000),
        "ack_required": _bool(data.get("ack_required")),
    }


@transaction.atomic
def create_notice(*, by: User, data: dict[str, Any], files: Iterable[UploadedFile] = ()) -> Notice:
    """Send a notice or meeting minutes (with its files) to departments, users and suppliers/factories at once."""
    ensure_can(by, "office.add_notice")
    errors: dict[str, str] = {}
    clean = _clean_notice(data, errors)
    targets = _resolve_recipients(data, sender=by, errors=errors)
    if not errors and not (targets["departments"] or targets["users"] or targets["suppliers"]):
        errors["recipients"] = _("Choose at least one department, colleague or supplier.")
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    notice = Notice.objects.create(
        number=next_number(NOTICE_PREFIX), sender=by, sent_at=now, sent_date=clock.today(), **clean
    )
    if targets["departments"]:
        notice.departments.set(targets["departments"])
    audit.record_create(instance=notice, by=by, fields=NOTICE_FIELDS)
    for upload in files:
        add_attachment(instance=notice, upload=upload, by=by)
    created = _add_recipients(notice, by=by, **targets)
    if not created:
        raise ValidationError({"recipients": _("Nobody is in the chosen departments: choose colleagues or suppliers.")})
    audit.record(
        instance=notice,
        action=AuditAction.UPDATE,
        by=by,
        changes={"recipients": [None, len(created)]},
        message=_("Sent to %(n)s recipients") % {"n": len(created)},
    )
    return notice


def _lock_notice(notice: Notice) -> Notice:
    found = Notice.objects.select_for_update(of=("self",)).select_related("sender").filter(pk=notice.pk).first()
    if found is None:
        raise NotFound(_("There is no notice %(id)s.") % {"id": notice.pk})
    return found


def _directed(notice: Notice, by: User, what: str) -> Notice:
    locked = _lock_notice(notice)
    if not can_see_notice(locked, by):
        raise NotFound(_("There is no notice %(id)s.") % {"id": notice.pk})
    if not can_direct_notice(locked, by):
        raise PermissionDenied(
            _("Only the sender of %(number)s may %(what)s.") % {"number": locked.number, "what": what}
        )
    return locked


def _ensure_sent(notice: Notice) -> None:
    if notice.status != NoticeStatus.SENT:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s.") % {"number": notice.number, "status": notice.get_status_display()}
        )


@transaction.atomic
def add_recipients(*, notice: Notice, by: User, data: dict[str, Any]) -> list[NoticeRecipient]:
    """Send a sent notice to more departments, users or suppliers (those already on it are skipped)."""
    locked = _directed(notice, by, _("add recipients"))
    _ensure_sent(locked)
    errors: dict[str, str] = {}
    targets = _resolve_recipients(data, sender=locked.sender, errors=errors)
    if not errors and not (targets["departments"] or targets["users"] or targets["suppliers"]):
        errors["recipients"] = _("Choose at least one department, colleague or supplier.")
    if errors:
        raise ValidationError(errors)
    if targets["departments"]:
        locked.departments.add(*targets["departments"])
    created = _add_recipients(locked, by=by, **targets)
    if created:
        audit.record(
            instance=locked,
            action=AuditAction.UPDATE,
            by=by,
            changes={"recipients": [None, ", ".join(str(r.user or r.supplier) for r in created)[:500]]},
            message=_("Sent to %(n)s more recipients") % {"n": len(created)},
        )
    return created


def _receipt(notice: Notice, user: User) -> NoticeRecipient | None:
    return NoticeRecipient.objects.select_for_update().filter(notice=notice, user=user).first()


@transaction.atomic
def mark_read(*, notice: Notice, user: User) -> NoticeRecipient | None:
    """The user opened the notice: the first time is their read receipt. None when they are not a recipient."""
    receipt = _receipt(notice, user)
    if receipt is None:
        if not can_see_notice(notice, user, is_recipient=False):
            raise NotFound(_("There is no notice %(id)s.") % {"id": notice.pk})
        return None
    if receipt.read_at is None:
        receipt.read_at = clock.now()
        receipt.save(update_fields=["read_at"])
    return receipt


@transaction.atomic
def acknowledge(*, notice: Notice, user: User) -> NoticeRecipient:
    """The user confirms they have read the notice (已阅)."""
    receipt = _receipt(notice, user)
    if receipt is None:
        if not can_see_notice(notice, user, is_recipient=False):
            raise NotFound(_("There is no notice %(id)s.") % {"id": notice.pk})
        raise PermissionDenied(_("You are not a recipient of %(number)s.") % {"number": notice.number})
    if notice.status != NoticeStatus.SENT:
        _ensure_sent(notice)
    if receipt.acknowledged_at is None:
        now = clock.now()
        receipt.read_at = receipt.read_at or now
        receipt.acknowledged_at = now
        receipt.acknowledged_by_name = (user.get_full_name() or user.username)[:100]
        receipt.save(update_fields=["read_at", "acknowledged_at", "acknowledged_by_name"])
        audit.record(
            instance=notice,
            action=AuditAction.UPDATE,
            by=user,
            changes={"acknowledged": [None, user.username]},
            message=_("Acknowledged"),
        )
    return receipt


# ---- the outside party's link -----------------------------------------------------------------------------------


def link_actor(link: ExternalLink) -> str:
    return _("%(party)s (notice link)") % {"party": link.party}


def recipient_for_token(token: str) -> tuple[NoticeRecipient, ExternalLink]:
    """The receipt a supplier's link opens (LinkInvalid when altered, expired, withdrawn, or the notice withdrawn)."""
    link = links.resolve(token, LINK_PURPOSE)
    recipient = (
        NoticeRecipient.objects.select_related("notice__sender", "supplier")
        .filter(pk=link.object_id, kind=RecipientKind.SUPPLIER)
        .first()
    )
    if recipient is None or recipient.notice.status != NoticeStatus.SENT:
        raise links.LinkInvalid(_("This link is not valid. Ask your contact for a new one."))
    return recipient, link


def _check_link(recipient: NoticeRecipient, link: ExternalLink) -> None:
    if link.purpose != LINK_PURPOSE or link.object_id != recipient.pk:
        raise PermissionDenied(_("This link does not open this notice."))


@transaction.atomic
def open_by_link(*, recipient: NoticeRecipient, link: ExternalLink) -> NoticeRecipient:
    """The supplier opened its link: the first time is its read receipt (recorded in its name)."""
    _check_link(recipient, link)
    locked = NoticeRecipient.objects.select_for_update(of=("self",)).select_related("notice").get(pk=recipient.pk)
    if locked.read_at is None:
        locked.read_at = clock.now()
        locked.save(update_fields=["read_at"])
        audit.record(
            instance=locked.notice,
            action=AuditAction.UPDATE,
            by=None,
            actor=link_actor(link),
            changes={"read": [None, link.party]},
            message=_("Opened through the link"),
        )
    return locked


@transaction.atomic
def acknowledge_by_link(*, recipient: NoticeRecipient, link: ExternalLink, name: str = "") -> NoticeRecipient:
    """The supplier confirms it has read the notice (已阅), optionally naming who; the sender hears of it."""
    _check_link(recipient, link)
    locked = (
        NoticeRecipient.objects.select_for_update(of=("self",)).select_related("notice__sender").get(pk=recipient.pk)
    )
    _ensure_sent(locked.notice)
    name = _text(name, 100)
    if locked.acknowledged_at is not None:
        return locked
    now = clock.now()
    locked.read_at = locked.read_at or now
    locked.acknowledged_at = now
    locked.acknowledged_by_name = name
    locked.save(update_fields=["read_at", "acknowledged_at", "acknowledged_by_name"])
    notice = locked.notice
    who = f"{link.party} ({name})" if name else link.party
    audit.record(
        instance=notice,
        action=AuditAction.UPDATE,
        by=None,
        actor=link_actor(link),
        changes={"acknowledged": [None, who]},
        message=_("Acknowledged through the link"),
    )
    _notify(
        [notice.sender],
        by=None,
        url=notice_url(notice),
        title=lambda: _("%(party)s acknowledged %(number)s") % {"party": who, "number": notice.number},
        body=lambda: notice.title,
    )
    return locked


@transaction.atomic
def renew_link(*, notice: Notice, by: User, supplier_id: Any, email: bool = False) -> tuple[NoticeRecipient, str]:
    """A fresh link for one supplier of the notice (its earlier link stops working); optionally e-mailed again.
    Returns the receipt and the link's token."""
    locked = _directed(notice, by, _("renew links"))
    _ensure_sent(locked)
    recipient = (
        NoticeRecipient.objects.select_for_update(of=("self",))
        .select_related("supplier")
        .filter(notice=locked, supplier_id=_id(supplier_id) or 0)
        .first()
    )
    if recipient is None:
        raise ValidationError(
            {
                "supplier_id": _("%(number)s was not sent to supplier %(id)s.")
                % {"number": locked.number, "id": supplier_id}
            }
        )
    token = _issue_link(recipient, by=by, email=email)
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={"link": [None, recipient.supplier.code]},
        message=_("New link for %(party)s") % {"party": recipient.supplier},
    )
    return recipient, token


@transaction.atomic
def revoke_link(*, notice: Notice, by: User, supplier_id: Any) -> NoticeRecipient:
    """Withdraw one supplier's link (it stops working at once); a new one can be issued later."""
    locked = _directed(notice, by, _("withdraw links"))
    recipient = (
        NoticeRecipient.objects.select_for_update(of=("self",))
        .select_related("supplier", "link")
        .filter(notice=locked, supplier_id=_id(supplier_id) or 0)
        .first()
    )
    if recipient is None:
        raise ValidationError(
            {
                "supplier_id": _("%(number)s was not sent to supplier %(id)s.")
                % {"number": locked.number, "id": supplier_id}
            }
        )
    if recipient.link is not None and recipient.link.revoked_at is None:
        links.revoke(link=recipient.link, by=by)
        audit.record(
            instance=locked,
            action=AuditAction.UPDATE,
            by=by,
            changes={"link": [recipient.supplier.code, None]},
            message=_("Link for %(party)s withdrawn") % {"party": recipient.supplier},
        )
    return recipient


@transaction.atomic
def withdraw_notice(*, notice: Notice, by: User, reason: str = "", version: int | None = None) -> Notice:
    """Withdraw a notice sent by mistake: its links stop working, it leaves the chase list; recipients are told."""
    locked = _directed(notice, by, _("withdraw it"))
    check_version(locked, version)
    _ensure_sent(locked)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the notice is withdrawn.")})
    locked.status = NoticeStatus.WITHDRAWN
    locked.withdrawn_at = clock.now()
    locked.withdraw_reason = reason
    locked.version += 1
    locked.save()
    for link in ExternalLink.objects.filter(
        purpose=LINK_PURPOSE,
        object_id__in=NoticeRecipient.objects.filter(notice=locked, kind=RecipientKind.SUPPLIER).values("pk"),
        revoked_at__isnull=True,
    ):
        links.revoke(link=link, by=by)
    audit.record(
        instance=locked,
        action=AuditAction.TRANSITION,
        by=by,
        changes={"status": [NoticeStatus.SENT, NoticeStatus.WITHDRAWN]},
        message=reason,
    )
    people = User.objects.filter(notice_receipts__notice=locked)
    _notify(
        people,
        by=by,
        url=notice_url(locked),
        title=lambda: _("%(number)s was withdrawn: %(title)s") % {"number": locked.number, "title": locked.title},
        body=lambda: reason,
    )
    return locked


@transaction.atomic
def stop_chasing(*, notice: Notice, by: User) -> Notice:
    """The sender stops following up the recipients who have not read the notice: it leaves the chase list."""
    locked = _directed(notice, by, _("stop following it up"))
    if locked.chase_stopped_at is None:
        locked.chase_stopped_at = clock.now()
        locked.version += 1
        locked.save(update_fields=["chase_stopped_at", "version", "updated_at"])
        audit.record(
            instance=locked,
            action=AuditAction.UPDATE,
            by=by,
            changes={"chase_stopped_at": [None, locked.chase_stopped_at]},
            message=_("Follow-up of unread receipts stopped"),
        )
    return locked


@transaction.atomic
def attach_to_notice(*, notice: Notice, by: User, upload: UploadedFile) -> Attachment:
    """One more file on a sent notice (its sender)."""
    locked = _directed(notice, by, _("attach files"))
    _ensure_sent(locked)
    return add_attachment(instance=locked, upload=upload, by=by)


def pending_q(ack_required_field: str = "notice__ack_required") -> Q:
    """Receipts still waiting: not read, or not acknowledged on a notice that asks for it."""
    return Q(**{ack_required_field: False, "read_at__isnull": True}) | Q(
        **{ack_required_field: True, "acknowledged_at__isnull": True}
    )
