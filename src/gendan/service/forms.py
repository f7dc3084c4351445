"""The filters of the complaint register and the complaint report."""

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Product
from gendan.core.models import User
from gendan.partners.models import Customer
from gendan.service.choices import ComplaintStatus, Severity
from gendan.service.models import RootCause


class CauseField(forms.ModelChoiceField):
    """A root-cause category by its name in the reader's language."""

    def label_from_instance(self, obj: RootCause) -> str:
        return obj.name_in(translation.get_language())


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "—"), ("open", _("Open (not closed)")), *ComplaintStatus.choices],
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.order_by("code"), empty_label="—"
    )
    product = forms.ModelChoiceField(
        label=_("Product"), required=False, queryset=Product.objects.order_by("code"), empty_label="—"
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("username"),
        empty_label="—",
    )
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=[("", "—"), *Severity.choices])
    root_cause = CauseField(
        label=_("Root cause"),
        required=False,
        queryset=RootCause.objects.order_by("position", "code"),
        to_field_name="code",
        empty_label="—",
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


GROUP_CHOICES = [
    ("customer", _("Customer")),
    ("product", _("Product")),
    ("cause", _("Root cause")),
    ("department", _("Responsible department")),
    ("month", _("Month")),
    ("severity", _("Severity")),
]


class ReportForm(forms.Form):
    date_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(label=_("Group by"), required=False, choices=GROUP_CHOICES)
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.order_by("code"), empty_label="—"
    )
