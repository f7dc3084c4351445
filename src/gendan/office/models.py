"""The daily office: tasks a manager assigns (主管交办事项) with their comments, and notices and meeting minutes
(传达通知, 会议纪要) with a read receipt per recipient."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.core.fields import VersionedModel
from gendan.core.models import Department, ExternalLink
from gendan.office.choices import NoticeKind, NoticeStatus, Priority, RecipientKind, TaskStatus
from gendan.partners.models import Customer, Supplier
from gendan.sales.models import Order

__all__ = ["Notice", "NoticeRecipient", "Task", "TaskComment"]


class Task(VersionedModel):
    """A task assigned to one person (交办事项): about an order or a customer, or neither; due on a date, with a
    priority. The assignee accepts (or declines, saying why), comments and completes it with a note; the assigner
    cancels or reopens it."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT, related_name="office_tasks"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="tasks"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="tasks_given"
    )
    due_date = models.DateField(pgettext_lazy("task", "due date"))
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED)
    assigned_at = models.DateTimeField(_("assigned"))
    accepted_at = models.DateTimeField(pgettext_lazy("task", "accepted"), null=True, blank=True)
    completed_at = models.DateTimeField(pgettext_lazy("task", "completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completion_note = models.TextField(_("completion note"), blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("assigned task")
        verbose_name_plural = _("assigned tasks")
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"]),
            models.Index(fields=["assigned_by", "status", "due_date"]),
            models.Index(fields=["status", "completed_at"]),
        ]
        permissions = [
            ("manage_tasks", _("Can see and manage every assigned task")),
            ("view_team_summary", _("Can see everyone's daily summary")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"[:200]


class TaskComment(models.Model):
    """One comment on a task's thread (the assignee, the assigner, or a manager)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("task comment")
        verbose_name_plural = _("task comments")
        indexes = [models.Index(fields=["task", "created_at"])]

    def __str__(self) -> str:
        return f"{self.task.number}: {self.body[:60]}"


class Notice(VersionedModel):
    """A notice or meeting minutes (通知 / 会议纪要) sent to departments (every user in them), users, and outside
    factories and suppliers (each through its own signed link). Attachments are core attachments on it."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices, default=NoticeKind.NOTICE)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    location = models.CharField(pgettext_lazy("meeting", "place"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    ack_required = models.BooleanField(
        _("acknowledgement required"),
        default=False,
        help_text=_("Recipients confirm they have read it (已阅); until they do it counts as unread."),
    )
    departments = models.ManyToManyField(Department, verbose_name=_("departments"), blank=True, related_name="+")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="notices_sent"
    )
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.SENT)
    sent_at = models.DateTimeField(pgettext_lazy("notice", "sent"))
    sent_date = models.DateField(_("sent on"), db_index=True)  # the company's date of sent_at, for the chase list
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True)
    # the sender stopped following up the recipients who have not read it (they left, or it no longer matters)
    chase_stopped_at = models.DateTimeField(_("follow-up stopped"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["sender", "status", "sent_date"])]
        permissions = [("view_all_notices", _("Can see every notice and its read receipts"))]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"[:200]


class NoticeRecipient(models.Model):
    """One recipient of a notice and its read receipt: a colleague (possibly through a department), or a supplier or
    factory reading through its link. `read_at` is the first time it was opened; `acknowledged_at` when the recipient
    confirmed it (已阅)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    kind = models.CharField(_("kind"), max_length=10, choices=RecipientKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notice_receipts",
    )
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("through department"), null=True, blank=True, on_delete=models.SET_NULL
    )
    link = models.ForeignKey(ExternalLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    emailed_to = models.CharField(_("e-mailed to"), max_length=500, blank=True)
    added_at = models.DateTimeField(_("added"))
    read_at = models.DateTimeField(pgettext_lazy("notice", "read"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by_name = models.CharField(_("acknowledged by"), max_length=100, blank=True)

    class Meta:
        ordering = ["notice", "kind", "id"]
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=RecipientKind.USER, user__isnull=False, supplier__isnull=True)
                | models.Q(kind=RecipientKind.SUPPLIER, supplier__isnull=False, user__isnull=True),
                name="notice_recipient_one_party",
            ),
            models.UniqueConstraint(
                fields=["notice", "user"], condition=models.Q(user__isnull=False), name="notice_recipient_user_once"
            ),
            models.UniqueConstraint(
                fields=["notice", "supplier"],
                condition=models.Q(supplier__isnull=False),
                name="notice_recipient_supplier_once",
            ),
        ]

    def __str__(self) -> str:
        party = self.user if self.user_id else self.supplier
        return f"{self.notice.number} → {party}"

    @property
    def party_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        return f"{self.supplier.code} {self.supplier.name}"

    def is_pending(self, ack_required: bool) -> bool:
        """Still waiting for this recipient: not opened, or not acknowledged when the notice asks for it."""
        return self.acknowledged_at is None if ack_required else self.read_at is None
