"""Order forms: the header, the lines formset, the list filters, reasons and review decisions."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Product
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.core.money import Currency
from gendan.partners.choices import Incoterm
from gendan.partners.models import Customer
from gendan.sales.choices import OrderStatus, Priority, Verdict


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def merchandiser_choices(current_id: int | None = None) -> Any:
    """Active users who can own orders (and the order's current merchandiser, whoever that is)."""
    roles = Q(is_active=True, groups__name__in=[Role.MERCHANDISER, Role.SALES, Role.MANAGER])
    return User.objects.filter(roles | Q(pk=current_id) if current_id else roles).distinct().order_by("username")


class OrderForm(forms.Form):
    """The order header. Blank currency, Incoterm and payment terms come from the customer."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.filter(is_active=True), label=_("Customer"), empty_label=_("— choose —")
    )
    customer_po = forms.CharField(label=_("Customer PO number"), max_length=60, required=False)
    order_date = forms.DateField(label=_("Order date"), widget=DateInput())
    ex_factory_date = forms.DateField(label=_("Committed ex-factory date"), widget=DateInput())
    requested_delivery_date = forms.DateField(label=_("Requested delivery date"), widget=DateInput(), required=False)
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=[("", _("— customer's —")), *Currency.choices],
        required=False,
    )
    incoterm = forms.ChoiceField(
        label=_("Incoterm"), choices=[("", _("— customer's —")), *Incoterm.choices], required=False
    )
    incoterm_place = forms.CharField(label=_("Named place"), max_length=100, required=False)
    payment_terms = forms.CharField(
        label=_("Payment terms"), max_length=200, required=False, help_text=_("Blank: the customer's terms.")
    )
    merchandiser = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Merchandiser"), required=False, empty_label=_("— the customer's —")
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    ship_to = forms.CharField(label=_("Ship-to"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    quality_requirements = forms.CharField(
        label=_("Special quality requirements"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    packaging_requirements = forms.CharField(
        label=_("Packaging requirements"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    remarks = forms.CharField(label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, change_controlled: bool = False, lock_customer: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["merchandiser"].queryset = merchandiser_choices(self.initial.get("merchandiser"))
        if lock_customer:
            self.fields["customer"].disabled = True
            self.fields["customer"].queryset = Customer.objects.all()
        if change_controlled:
            self.fields["change_reason"] = forms.CharField(
                label=_("Reason for the change"),
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("This order is confirmed: the change makes a new revision and notifies the departments."),
            )

    def header_data(self, *, for_update: bool) -> dict[str, Any]:
        """Cleaned header values for the service (blank defaults left out on create)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"version", "change_reason", "customer"}}
        for key in ("currency", "incoterm"):
            if not data.get(key):
                data.pop(key, None)
        if not for_update and not data.get("payment_terms"):
            data.pop("payment_terms", None)
        if not data.get("merchandiser"):
            data.pop("merchandiser", None)
        if data.get("requested_delivery_date") is None and not for_update:
            data.pop("requested_delivery_date", None)
        return data


class LineForm(forms.Form):
    """One order line; a row left blank is ignored, a row ticked for deletion is removed."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True).only("id", "code", "name"),
        label=_("Product"),
        required=False,
        empty_label=_("— choose —"),
    )
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3, required=False)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=16, decimal_places=4, required=False)
    ex_factory_date = forms.DateField(label=_("Line ex-factory date"), widget=DateInput(), required=False)
    packaging_note = forms.CharField(label=_("Packaging note"), max_length=300, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not data.get("id") and not any(
            data.get(k) not in (None, "")
            for k in ("product", "quantity", "unit_price", "ex_factory_date", "packaging_note")
        )


LineFormSet = forms.formset_factory(LineForm, extra=0, can_delete=True)


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *OrderStatus.choices], required=False)
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(), label=_("Customer"), required=False, empty_label=_("All")
    )
    merchandiser = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Merchandiser"), required=False, empty_label=_("All")
    )
    ex_factory_from = forms.DateField(label=_("Ex-factory from"), widget=DateInput(), required=False)
    ex_factory_to = forms.DateField(label=_("Ex-factory to"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["merchandiser"].queryset = merchandiser_choices()
        self.fields["customer"].queryset = Customer.objects.only("id", "code", "name")

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "q": d.get("q") or "",
            "status": d.get("status") or None,
            "customer_id": d["customer"].pk if d.get("customer") else None,
            "merchandiser": d["merchandiser"].pk if d.get("merchandiser") else None,
            "ex_factory_from": d.get("ex_factory_from"),
            "ex_factory_to": d.get("ex_factory_to"),
        }


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(choices=[(Verdict.PASS, _("Pass")), (Verdict.REJECT, _("Reject"))])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
