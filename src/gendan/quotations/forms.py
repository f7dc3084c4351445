"""The filters of the quotation list and the period of the report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.core.models import User
from gendan.partners.models import Customer
from gendan.quotations.choices import QuotationStatus


class QuotationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "—"), ("open", _("Open (draft, or sent and valid)")), *QuotationStatus.choices],
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.all(), empty_label="—"
    )
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("username"),
        empty_label="—",
    )
    date_from = forms.DateField(label=_("Dated from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Dated to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
