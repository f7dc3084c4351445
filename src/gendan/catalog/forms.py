"""Forms for the catalog pages: product, material and work centre edit forms (hidden `version`), list filters,
a work centre's capacity exceptions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.catalog.choices import CapacityExceptionKind, MaterialCategory, WorkCentreKind
from gendan.catalog.models import Material, Product, WorkCentre
from gendan.core.forms import ACTIVE_CHOICES, VersionedForm
from gendan.partners.choices import SupplierKind
from gendan.partners.models import Supplier


class ProductForm(VersionedForm):
    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "name_en",
            "spec",
            "unit",
            "category",
            "hs_code",
            "units_per_carton",
            "carton_length_cm",
            "carton_width_cm",
            "carton_height_cm",
            "net_weight_kg",
            "gross_weight_kg",
            "is_active",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "category": forms.TextInput(attrs={"list": "categories"}),
        }


class MaterialForm(VersionedForm):
    class Meta:
        model = Material
        fields = [
            "code",
            "name",
            "spec",
            "unit",
            "category",
            "lead_time_days",
            "purchase_price",
            "purchase_currency",
            "default_supplier",
            "is_active",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["default_supplier"].queryset = Supplier.objects.filter(is_active=True).order_by("code")


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.CharField(label=_("Category"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)


class MaterialFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *MaterialCategory.choices]
    )
    supplier = forms.CharField(label=_("Default supplier code"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)


class WorkCentreForm(VersionedForm):
    class Meta:
        model = WorkCentre
        fields = [
            "code",
            "name",
            "kind",
            "supplier",
            "capacity_unit",
            "daily_capacity",
            "product_family",
            "max_overtime_hours",
            "is_active",
        ]
        widgets = {"product_family": forms.TextInput(attrs={"list": "categories"})}
        help_texts = {"supplier": _("Only for a subcontract factory: a supplier of the subcontract kind.")}

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        subcontractors = Supplier.objects.filter(kind=SupplierKind.SUBCONTRACT, is_active=True)
        if self.instance.supplier_id:  # keep the current one selectable even when it changed since
            subcontractors = subcontractors | Supplier.objects.filter(pk=self.instance.supplier_id)
        self.fields["supplier"].queryset = subcontractors.order_by("code")


class WorkCentreFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *WorkCentreKind.choices])
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)


class CapacityExceptionForm(forms.Form):
    """Another capacity on one day or on every day of a range (overtime, maintenance…)."""

    date = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for one day."),
    )
    capacity = forms.DecimalField(
        label=_("Capacity that day"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("The whole capacity of the day, in the work centre's unit."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CapacityExceptionKind.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class RemoveExceptionForm(forms.Form):
    date = forms.DateField()
