"""Forms for the partner pages: edit forms carry the hidden `version`; filter forms drive the lists."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.core.forms import ACTIVE_CHOICES, VersionedForm
from gendan.core.models import User
from gendan.partners.choices import CustomerTier, SupplierKind
from gendan.partners.models import Contact, Customer, Supplier


class CustomerForm(VersionedForm):
    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "name_en",
            "tier",
            "country",
            "currency",
            "payment_terms",
            "credit_limit",
            "credit_rating",
            "credit_remarks",
            "default_incoterm",
            "merchandiser",
            "is_active",
            "address",
            "notes",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "credit_remarks": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["merchandiser"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["country"].widget.attrs.update(
            {"maxlength": 2, "placeholder": "US", "style": "text-transform:uppercase"}
        )


class SupplierForm(VersionedForm):
    class Meta:
        model = Supplier
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "country",
            "city",
            "payment_terms",
            "is_active",
            "address",
            "notes",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 3})}


class ContactForm(VersionedForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "wechat", "is_primary"]


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *CustomerTier.choices])
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    merchandiser = forms.CharField(label=_("Merchandiser"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)


class SupplierFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *SupplierKind.choices])
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)
