"""The reports' filter forms (GET) and the exchange-rate form."""

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.catalog.choices import MaterialCategory, WorkCentreKind
from gendan.catalog.models import Product, WorkCentre
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.core.money import Currency
from gendan.inventory.models import Warehouse
from gendan.partners.models import Customer
from gendan.reports import selectors
from gendan.reports.selectors import DIMENSIONS
from gendan.sales.choices import OrderStatus
from gendan.sales.forms import DateInput


def _dimension_choices(keys: list[str], *, blank: bool) -> list[tuple[str, Any]]:
    choices = [(k, DIMENSIONS[k].label) for k in keys]
    return [("", _("— nothing more —")), *choices] if blank else choices


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class CodeNameChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class ReportForm(forms.Form):
    """The period and the one or two dimensions of any report."""

    dimensions: list[str] = []
    default_group: list[str] = ["month"]

    date_from = forms.DateField(label=pgettext_lazy("period", "From"), widget=DateInput(), required=False)
    date_to = forms.DateField(label=pgettext_lazy("period", "To"), widget=DateInput(), required=False)
    group_by = forms.ChoiceField(label=_("Group by"), required=False)
    then_by = forms.ChoiceField(label=_("then by"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_by"].choices = _dimension_choices(self.dimensions, blank=False)
        self.fields["then_by"].choices = _dimension_choices(self.dimensions, blank=True)
        if not self.is_bound:
            start, end = selectors.default_period()
            self.initial.setdefault("date_from", start)
            self.initial.setdefault("date_to", end)
            self.initial.setdefault("group_by", self.default_group[0])
            self.initial.setdefault("then_by", self.default_group[1] if len(self.default_group) > 1 else "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        return data

    def group(self) -> list[str]:
        if not self.is_bound:
            return list(self.default_group)
        data = getattr(self, "cleaned_data", None) or {}
        first = data.get("group_by") or self.default_group[0]
        then = data.get("then_by") or ""
        return [first] + ([then] if then and then != first else [])

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        data = getattr(self, "cleaned_data", None) or {}
        return data.get("date_from"), data.get("date_to")


def _merchandisers() -> Any:
    return (
        User.objects.filter(Q(groups__name__in=[Role.MERCHANDISER, Role.SALES]) | Q(orders__isnull=False))
        .distinct()
        .order_by("username")
    )


class SalesForm(ReportForm):
    dimensions = selectors.SALES_DIMENSIONS
    customer = CodeNameChoice(label=_("Customer"), queryset=Customer.objects.order_by("code"), required=False)
    merchandiser = PersonChoice(label=_("Merchandiser"), queryset=User.objects.none(), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False, widget=forms.TextInput({"size": 3}))
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchandiser"].queryset = _merchandisers()
        categories = Product.objects.exclude(category="").order_by("category").values_list("category", flat=True)
        self.fields["category"].choices = [("", _("all"))] + [(c, c) for c in categories.distinct()]
        labels = dict(OrderStatus.choices)
        self.fields["status"].choices = [("", _("all"))] + [
            (s, labels[s]) for s in [*selectors.SOLD_STATUSES, OrderStatus.ON_HOLD]
        ]

    def filters(self) -> selectors.SalesFilters:
        data = getattr(self, "cleaned_data", None) or {}
        return selectors.SalesFilters(
            customer_id=data["customer"].pk if data.get("customer") else None,
            merchandiser_id=data["merchandiser"].pk if data.get("merchandiser") else None,
            category=data.get("category") or "",
            country=(data.get("country") or "").upper(),
            status=data.get("status") or "",
        )


class CollectionForm(ReportForm):
    dimensions = selectors.COLLECTION_DIMENSIONS
    customer = CodeNameChoice(label=_("Customer"), queryset=Customer.objects.order_by("code"), required=False)
    merchandiser = PersonChoice(label=_("Merchandiser"), queryset=User.objects.none(), required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False, widget=forms.TextInput({"size": 3}))
    currency = forms.ChoiceField(label=_("Currency"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchandiser"].queryset = _merchandisers()
        self.fields["currency"].choices = [("", _("all"))] + [(c, c) for c in Currency.values]

    def filters(self) -> selectors.CollectionFilters:
        data = getattr(self, "cleaned_data", None) or {}
        return selectors.CollectionFilters(
            customer_id=data["customer"].pk if data.get("customer") else None,
            merchandiser_id=data["merchandiser"].pk if data.get("merchandiser") else None,
            country=(data.get("country") or "").upper(),
            currency=data.get("currency") or "",
        )


class DeliveryForm(ReportForm):
    dimensions = selectors.DELIVERY_DIMENSIONS
    customer = CodeNameChoice(label=_("Customer"), queryset=Customer.objects.order_by("code"), required=False)
    merchandiser = PersonChoice(label=_("Merchandiser"), queryset=User.objects.none(), required=False)
    factory = CodeNameChoice(label=_("Factory"), queryset=WorkCentre.objects.none(), required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False, widget=forms.TextInput({"size": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["merchandiser"].queryset = _merchandisers()
        self.fields["factory"].queryset = WorkCentre.objects.filter(kind=WorkCentreKind.FACTORY).order_by("code")

    def filters(self) -> selectors.DeliveryFilters:
        data = getattr(self, "cleaned_data", None) or {}
        return selectors.DeliveryFilters(
            customer_id=data["customer"].pk if data.get("customer") else None,
            merchandiser_id=data["merchandiser"].pk if data.get("merchandiser") else None,
            factory_id=data["factory"].pk if data.get("factory") else None,
            country=(data.get("country") or "").upper(),
        )


class InventoryForm(ReportForm):
    dimensions = selectors.INVENTORY_DIMENSIONS
    default_group = ["item", "warehouse"]
    warehouse = CodeNameChoice(label=_("Warehouse"), queryset=Warehouse.objects.order_by("code"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("all")), ("product", _("Finished product")), ("material", _("Material"))],
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    slow_days = forms.IntegerField(
        label=_("Slow after (days)"), min_value=1, max_value=3650, required=False, widget=forms.NumberInput({"size": 4})
    )
    slow_only = forms.BooleanField(label=_("Slow movers only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = Product.objects.exclude(category="").order_by("category").values_list("category", flat=True)
        self.fields["category"].choices = (
            [("", _("all"))] + [(c, c) for c in categories.distinct()] + list(MaterialCategory.choices)
        )
        if not self.is_bound:
            self.initial.setdefault("slow_days", 90)

    def filters(self) -> selectors.InventoryFilters:
        data = getattr(self, "cleaned_data", None) or {}
        return selectors.InventoryFilters(
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
            kind=data.get("kind") or "",
            category=data.get("category") or "",
            slow_only=bool(data.get("slow_only")),
        )

    def slow_after(self) -> int:
        data = getattr(self, "cleaned_data", None) or {}
        return data.get("slow_days") or 90


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return value


class RateForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    month = forms.CharField(label=_("Month"), widget=MonthInput(), help_text=_("YYYY-MM"))
    rate = forms.DecimalField(
        label=_("Rate to CNY"), max_digits=14, decimal_places=6, help_text=_("CNY for one unit of the currency.")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(c, label) for c, label in Currency.choices if c != "CNY"]
