"""Forms of the purchasing pages. They parse what was typed; the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.core.money import Currency
from gendan.inventory.models import Location, Warehouse
from gendan.partners.choices import SupplierKind
from gendan.partners.models import Supplier
from gendan.procurement.choices import DelayCause, Disposition, PoStatus
from gendan.sales.forms import DateInput


class PoFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *PoStatus.choices])
    supplier = forms.ModelChoiceField(label=_("Supplier"), required=False, queryset=Supplier.objects.all())
    late = forms.BooleanField(label=_("Late lines only"), required=False)


class PoHeaderForm(forms.Form):
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True, kind=SupplierKind.MATERIAL)
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.CNY)
    ship_to = forms.ModelChoiceField(label=_("Deliver to"), queryset=Warehouse.objects.filter(is_active=True))
    payment_terms = forms.CharField(label=_("Payment terms"), required=False, max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PoLineForm(forms.Form):
    material = forms.CharField(label=_("Material code"), max_length=40)
    spec = forms.CharField(label=_("Spec"), required=False, max_length=200)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3, min_value=0)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=14, decimal_places=4, min_value=0, required=False)
    required_date = forms.DateField(label=_("Required date"), widget=DateInput())
    order = forms.CharField(label=_("For order"), required=False, max_length=30)


PoLineFormSet = forms.formset_factory(PoLineForm, extra=3, can_delete=True, max_num=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class DelayCauseForm(forms.Form):
    cause = forms.ChoiceField(label=_("Delay cause"), choices=[("", "—"), *DelayCause.choices], required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput(), required=False)
    checked_qty = forms.DecimalField(label=_("Quantity checked"), max_digits=14, decimal_places=3, required=False)
    accepted_qty = forms.DecimalField(label=_("Accepted"), max_digits=14, decimal_places=3, min_value=0)
    rejected_qty = forms.DecimalField(label=_("Rejected"), max_digits=14, decimal_places=3, min_value=0, initial=0)
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Disposition.choices)
    defects = forms.CharField(label=_("Defects"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReceiptHeaderForm(forms.Form):
    received_date = forms.DateField(label=_("Received on"), widget=DateInput())
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.filter(is_active=True).select_related("warehouse")
    )
    note = forms.CharField(label=pgettext_lazy("receipt", "Note"), required=False, max_length=300)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=pgettext_lazy("period", "From"), widget=DateInput(), required=False)
    date_to = forms.DateField(label=pgettext_lazy("period", "To"), widget=DateInput(), required=False)
    supplier = forms.ModelChoiceField(label=_("Supplier"), required=False, queryset=Supplier.objects.all())
