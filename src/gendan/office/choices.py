"""The office's constants: tasks' priorities and statuses with the transitions allowed between them, notices' kinds
and statuses, the chase-list kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Priority(models.TextChoices):
    LOW = "low", pgettext_lazy("priority", "Low")
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    HIGH = "high", pgettext_lazy("priority", "High")
    URGENT = "urgent", pgettext_lazy("priority", "Urgent")


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
PRIORITY_COLORS = {Priority.URGENT: "red", Priority.HIGH: "orange", Priority.NORMAL: "blue", Priority.LOW: "grey"}


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", pgettext_lazy("task", "Assigned")
    ACCEPTED = "accepted", pgettext_lazy("task", "Accepted")
    DONE = "done", pgettext_lazy("task", "Done")
    DECLINED = "declined", pgettext_lazy("task", "Declined")
    CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")


TASK_STATUS_COLORS = {
    TaskStatus.ASSIGNED: "amber",
    TaskStatus.ACCEPTED: "blue",
    TaskStatus.DONE: "green",
    TaskStatus.DECLINED: "red",
    TaskStatus.CANCELLED: "grey",
}
# Open: the assignee still has it to do.
OPEN_TASK_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.ACCEPTED)
# The assigner may still change it (a declined task is reassigned or cancelled).
EDITABLE_TASK_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.DECLINED)

# The state machine as data: each action, the statuses it may start from and the status it leads to; who may take it
# is checked by the service (the assignee accepts, declines and completes; the assigner cancels and reopens).
TASK_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": ((TaskStatus.ASSIGNED,), TaskStatus.ACCEPTED),
    "decline": (OPEN_TASK_STATUSES, TaskStatus.DECLINED),
    "complete": (OPEN_TASK_STATUSES, TaskStatus.DONE),
    "cancel": (EDITABLE_TASK_STATUSES, TaskStatus.CANCELLED),
    "reopen": ((TaskStatus.DONE,), TaskStatus.ACCEPTED),
}
TASK_ACTIONS = tuple(TASK_TRANSITIONS)


class NoticeKind(models.TextChoices):
    NOTICE = "notice", pgettext_lazy("office notice", "Notice")  # 通知
    MINUTES = "minutes", pgettext_lazy("office notice", "Meeting minutes")  # 会议纪要


class NoticeStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("notice", "Sent")
    WITHDRAWN = "withdrawn", pgettext_lazy("notice", "Withdrawn")


NOTICE_STATUS_COLORS = {NoticeStatus.SENT: "blue", NoticeStatus.WITHDRAWN: "grey"}


class RecipientKind(models.TextChoices):
    USER = "user", _("Colleague")
    SUPPLIER = "supplier", _("Supplier / factory")


# The chase-list kinds the office adds (../shared/API.md).
CHASE_TASK = "task"
CHASE_NOTICE = "notice"
