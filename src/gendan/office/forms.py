"""The office's forms: a task, a notice (its recipients and files), the lists' filters."""

from typing import Any

from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.core.models import Department, User
from gendan.office.choices import NoticeKind, Priority, TaskStatus
from gendan.partners.choices import SupplierKind
from gendan.partners.models import Customer, Supplier

DATE = {"type": "date"}
ISO = "%Y-%m-%d"


def people_with(app_label: str, codename: str) -> QuerySet[User]:
    """Active users whose role (or superuser flag) grants `app_label.codename`."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
            | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
        )
        .distinct()
        .order_by("username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        full = obj.get_full_name()
        return f"{obj.username} · {full}" if full else obj.username


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        full = obj.get_full_name()
        dept = f" ({obj.department})" if obj.department_id else ""
        return (f"{full} · {obj.username}" if full else obj.username) + dept


class SupplierMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Supplier) -> str:
        return f"{obj.code} {obj.name} · {obj.get_kind_display()}"


class TaskForm(forms.Form):
    """Assign or change a task. The order is typed by its number (a list of the open ones helps)."""

    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"data-testid": "task-title"})
    )
    assignee = UserChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), widget=forms.Select(attrs={"data-testid": "task-assignee"})
    )
    due_date = forms.DateField(
        label=pgettext_lazy("task", "Due date"),
        widget=forms.DateInput(format=ISO, attrs={**DATE, "data-testid": "task-due"}),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        widget=forms.Select(attrs={"data-testid": "task-priority"}),
    )
    order = forms.CharField(
        label=_("Order"),
        required=False,
        max_length=30,
        help_text=_("The order number it concerns, if any."),
        widget=forms.TextInput(attrs={"list": "open-orders", "data-testid": "task-order", "autocomplete": "off"}),
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        required=False,
        queryset=Customer.objects.none(),
        empty_label="—",
        help_text=_("Taken from the order when one is given."),
        widget=forms.Select(attrs={"data-testid": "task-customer"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-testid": "task-description"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people_with("office", "view_task").select_related("department")
        self.fields["customer"].queryset = Customer.objects.filter(is_active=True).order_by("code")


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "data-testid": "comment-body"})
    )


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), ("", _("Any")), *TaskStatus.choices],
    )
    priority = forms.ChoiceField(label=_("Priority"), required=False, choices=[("", "—"), *Priority.choices])
    assignee = UserChoiceField(label=_("Assignee"), required=False, queryset=User.objects.none(), empty_label="—")
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people_with("office", "view_task")


class NoticeForm(forms.Form):
    """Compose a notice or meeting minutes and choose who receives it."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=NoticeKind.choices,
        initial=NoticeKind.NOTICE,
        widget=forms.Select(attrs={"data-testid": "notice-kind"}),
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"data-testid": "notice-title"})
    )
    meeting_date = forms.DateField(
        label=_("Meeting date"),
        required=False,
        help_text=_("For meeting minutes."),
        widget=forms.DateInput(format=ISO, attrs={**DATE, "data-testid": "notice-meeting-date"}),
    )
    location = forms.CharField(label=pgettext_lazy("meeting", "Place"), required=False, max_length=200)
    attendees = forms.CharField(
        label=_("Attendees"),
        required=False,
        help_text=_("For meeting minutes: who took part."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10, "data-testid": "notice-body"}))
    ack_required = forms.BooleanField(
        label=_("Ask recipients to acknowledge (已阅)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-testid": "notice-ack"}),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        required=False,
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"data-testid": "notice-departments"}),
    )
    users = UserMultipleChoiceField(
        label=_("Colleagues"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8, "data-testid": "notice-users"}),
    )
    suppliers = SupplierMultipleChoiceField(
        label=_("Factories and suppliers"),
        required=False,
        queryset=Supplier.objects.none(),
        help_text=_("Each gets its own link (no account needed), e-mailed to its contacts that have an address."),
        widget=forms.SelectMultiple(attrs={"size": 8, "data-testid": "notice-suppliers"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.order_by("code")
        self.fields["users"].queryset = people_with("office", "view_notice").select_related("department")
        kinds = [SupplierKind.SUBCONTRACT, SupplierKind.MATERIAL, SupplierKind.FORWARDER, SupplierKind.INSPECTION]
        rank = Case(*[When(kind=k, then=Value(n)) for n, k in enumerate(kinds)], output_field=IntegerField())
        self.fields["suppliers"].queryset = (
            Supplier.objects.filter(is_active=True, kind__in=kinds).annotate(rank=rank).order_by("rank", "code")
        )


class RecipientsForm(NoticeForm):
    """Only the recipients' part of the notice form (send to more)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("kind", "title", "meeting_date", "location", "attendees", "body", "ack_required"):
            del self.fields[name]


class NoticeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *NoticeKind.choices])
    unread = forms.BooleanField(label=_("Unread only"), required=False)
