"""Forms for the catalog pages: product and material edit forms (hidden `version`), list filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.catalog.choices import MaterialCategory
from gendan.catalog.models import Material, Product
from gendan.core.forms import ACTIVE_CHOICES, VersionedForm
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
