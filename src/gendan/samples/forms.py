"""The filters of the sample and dispatch registers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.core.models import User
from gendan.partners.choices import SupplierKind
from gendan.partners.models import Customer, Supplier
from gendan.samples.choices import SampleKind, SampleStatus


class SampleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "—"), ("open", _("Open (not decided)")), *SampleStatus.choices],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *SampleKind.choices])
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.all(), empty_label="—"
    )
    order = forms.CharField(label=_("Order"), required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("username"),
        empty_label="—",
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class DispatchFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.all(), empty_label="—"
    )
    courier = forms.ModelChoiceField(
        label=_("Courier"), required=False, queryset=Supplier.objects.filter(kind=SupplierKind.COURIER), empty_label="—"
    )
    date_from = forms.DateField(label=_("Sent from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Sent to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    awaiting = forms.BooleanField(label=_("Awaiting feedback"), required=False)
