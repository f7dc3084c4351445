"""Forms for the inventory pages: list filters, the movement form, warehouse and location forms.

The rules live in the services; these forms only turn codes and numbers typed by a user into objects, and the
views put the services' errors back on the fields with `core.pages.apply_errors`.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import Material, Product
from gendan.core import clock
from gendan.core.forms import ACTIVE_CHOICES, VersionedForm
from gendan.core.models import User
from gendan.inventory import selectors
from gendan.inventory.choices import MovementKind
from gendan.inventory.models import Location, Warehouse
from gendan.sales.forms import DateInput
from gendan.sales.models import Order

ITEM_KIND_CHOICES = [("material", _("Material")), ("product", _("Finished product"))]


def location_code_error(code: str) -> str | None:
    """What is wrong with a location code (length, characters), or None."""
    try:
        Location._meta.get_field("code").clean(code, None)
    except DjangoValidationError as exc:
        return " ".join(exc.messages)
    return None


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        label = selectors.location_label(obj)
        return f"{label} · {obj.name}" if obj.name else label


class WarehouseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Warehouse) -> str:
        return f"{obj.code} {obj.name}"


# ---- list filters ------------------------------------------------------------------------------------


class StockFilterForm(forms.Form):
    VIEW_CHOICES = [("", _("Per location")), ("totals", _("Totals per item"))]

    q = forms.CharField(label=_("Search"), required=False)
    warehouse = WarehouseChoiceField(
        label=_("Warehouse"), required=False, queryset=Warehouse.objects.order_by("code"), empty_label=_("All")
    )
    kind = forms.ChoiceField(label=_("Item kind"), required=False, choices=[("", _("All")), *ITEM_KIND_CHOICES])
    in_stock = forms.BooleanField(label=_("Only with stock"), required=False)
    view = forms.ChoiceField(label=_("Show"), required=False, choices=VIEW_CHOICES)
    location = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MovementFilterForm(forms.Form):
    item = forms.CharField(label=_("Item"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *MovementKind.choices])
    date_from = forms.DateField(label=_("Date from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Date to"), required=False, widget=DateInput())
    order = forms.CharField(label=_("Order number"), required=False)
    warehouse = WarehouseChoiceField(
        label=_("Warehouse"), required=False, queryset=Warehouse.objects.order_by("code"), empty_label=_("All")
    )
    material = forms.IntegerField(required=False, widget=forms.HiddenInput)
    product = forms.IntegerField(required=False, widget=forms.HiddenInput)


class WarehouseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)


# ---- the movement form --------------------------------------------------------------------------------


class MovementForm(forms.Form):
    """One stock movement. The override box is there only for users who may move stock below zero."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MovementKind.choices)
    item_kind = forms.ChoiceField(label=_("Item kind"), choices=ITEM_KIND_CHOICES, initial="material")
    item = forms.CharField(
        label=_("Item code"),
        max_length=40,
        widget=forms.TextInput(attrs={"list": "item-codes", "autocomplete": "off"}),
    )
    location = LocationChoiceField(label=_("Location"), queryset=Location.objects.none())
    quantity = forms.CharField(
        label=_("Quantity"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Receipt, issue and return: the amount moved. Adjustment: + found, − lost."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=False, help_text=_("Required for an adjustment.")
    )
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False, help_text=_("Delivery note, GRN, pick list…")
    )
    order = forms.CharField(
        label=_("Order number"),
        max_length=30,
        required=False,
        help_text=_("An issue for an order takes that order's reservation first."),
    )
    override = forms.BooleanField(
        label=_("Allow below zero or into reserved stock"),
        required=False,
        help_text=_("Recorded in the audit trail with the reason."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = selectors.location_choices()
        self.fields["date"].initial = clock.today()
        if not user.has_perm("inventory.override_negative_stock"):
            del self.fields["override"]

    def clean_item(self) -> Material | Product | None:
        code = self.cleaned_data["item"].strip()
        model = Product if self.data.get(self.add_prefix("item_kind")) == "product" else Material
        found = list(model.objects.filter(code__iexact=code)[:2])
        exact = [obj for obj in found if obj.code == code]
        if len(exact) == 1 or len(found) == 1:
            return (exact or found)[0]
        if model is Product:
            raise forms.ValidationError(_("No product with code %(code)s.") % {"code": code})
        raise forms.ValidationError(_("No material with code %(code)s.") % {"code": code})

    def clean_order(self) -> Order | None:
        number = self.cleaned_data["order"].strip()
        if not number:
            return None
        order = Order.objects.filter(number__iexact=number).first()
        if order is None:
            raise forms.ValidationError(_("No order %(number)s.") % {"number": number})
        return order

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned values as `services.move` takes them."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "item": data["item"],
            "location": data["location"],
            "quantity": data["quantity"],
            "date": data["date"],
            "reason": data.get("reason", ""),
            "reference": data.get("reference", ""),
            "order": data.get("order"),
            "override": bool(data.get("override")),
        }


# ---- warehouses and locations ---------------------------------------------------------------------------


class WarehouseForm(VersionedForm):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "address", "is_active"]


class WarehouseAddForm(WarehouseForm):
    locations = forms.CharField(
        label=_("First locations"),
        initial="A",
        required=False,
        help_text=_("Location codes separated by commas or spaces, e.g. A, B-01. A when left empty."),
    )

    def clean_locations(self) -> list[str]:
        codes = [c for c in self.cleaned_data["locations"].replace(",", " ").replace("，", " ").split() if c]
        for i, code in enumerate(codes):
            problem = location_code_error(code)
            if problem:
                raise forms.ValidationError(f"{code}: {problem}")
            if code in codes[:i]:
                raise forms.ValidationError(_("%(code)s is given twice.") % {"code": code})
        return codes or ["A"]


class LocationForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
