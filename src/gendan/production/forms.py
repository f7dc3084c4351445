"""Forms of the production pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.production.choices import NoticeStatus, Priority
from gendan.sales.forms import DateInput


class CapacityCheckForm(forms.Form):
    product = forms.CharField(label=_("Product code"), max_length=40)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3, min_value=0)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.EDD, required=False)


class NoticeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *NoticeStatus.choices])
