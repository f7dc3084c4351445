"""Forms of the follow-up pages. They parse what was typed; the services hold the rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.core import clock
from gendan.core.choices import Role
from gendan.followup.choices import Channel, Party
from gendan.followup.services import OWNER_ROLE_CHOICES
from gendan.partners.models import Customer
from gendan.sales.choices import Risk
from gendan.sales.forms import DateInput, merchandiser_choices


class ActualForm(forms.Form):
    actual_date = forms.DateField(label=_("Actual date"), widget=DateInput(), required=False)

    def clean_actual_date(self) -> Any:
        return self.cleaned_data.get("actual_date") or clock.today()


class ForecastForm(forms.Form):
    forecast_date = forms.DateField(label=_("Forecast date"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MilestoneEditForm(forms.Form):
    planned_date = forms.DateField(label=_("Planned date"), widget=DateInput(), required=False)
    owner = forms.CharField(label=_("Owner"), required=False)
    depends_on = forms.CharField(label=_("Depends on"), required=False, help_text=_("e.g. MO+15, PPS"))
    name_zh = forms.CharField(label=_("Chinese name"), max_length=100, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AddMilestoneForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=10)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=100, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    planned_date = forms.DateField(label=_("Planned date"), widget=DateInput())
    owner = forms.CharField(label=_("Owner"), required=False)
    owner_role = forms.ChoiceField(label=_("Owning role"), choices=OWNER_ROLE_CHOICES, initial=Role.MERCHANDISER)
    depends_on = forms.CharField(label=_("Depends on"), required=False, help_text=_("e.g. MO+15, PPS"))
    after = forms.CharField(label=_("After"), required=False)


class FollowUpForm(forms.Form):
    party = forms.ChoiceField(label=_("Whom"), choices=Party.choices)
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    summary = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 2}))
    milestone_id = forms.IntegerField(label=_("Milestone"), required=False)
    promised_date = forms.DateField(label=_("Promised date"), widget=DateInput(), required=False)
    next_follow_up_date = forms.DateField(label=_("Next follow-up"), widget=DateInput(), required=False)


class RiskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    risk = forms.ChoiceField(
        label=_("Risk"),
        choices=[("", _("At risk and late")), (Risk.AT_RISK, Risk.AT_RISK.label), (Risk.LATE, Risk.LATE.label)],
        required=False,
    )
    merchandiser = forms.ChoiceField(label=_("Merchandiser"), required=False)
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), label=_("Customer"), required=False, empty_label=_("All")
    )
    driving_milestone = forms.CharField(label=_("Driving milestone"), max_length=10, required=False)
    include_on_hold = forms.BooleanField(label=_("Include orders on hold"), required=False)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["merchandiser"].choices = [("", _("All"))] + [
            (u.username, u.get_full_name() or u.username) for u in merchandiser_choices()
        ]
        self.fields["customer"].queryset = Customer.objects.only("id", "code", "name").order_by("code")


class TemplateForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=100)
    is_default = forms.BooleanField(label=_("Default template"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    customers = forms.ModelMultipleChoiceField(queryset=Customer.objects.none(), label=_("Customers"), required=False)
    product_categories = forms.CharField(
        label=_("Product categories"), required=False, help_text=_("Comma-separated, as on the products.")
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["customers"].queryset = Customer.objects.only("id", "code", "name").order_by("code")


class TemplateMilestoneForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=10)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=100, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    owner_role = forms.ChoiceField(label=_("Owning role"), choices=OWNER_ROLE_CHOICES)
    offset_days = forms.IntegerField(label=_("Offset (working days)"))
    depends_on = forms.CharField(label=_("Depends on"), required=False)
    is_ex_factory = forms.BooleanField(label=_("Ex-factory"), required=False)
    done_on_confirm = forms.BooleanField(label=_("Done on confirmation"), required=False)


TemplateMilestoneFormSet = forms.formset_factory(TemplateMilestoneForm, extra=2, can_delete=True)
