"""Forms of the production pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.catalog.models import WorkCentre
from gendan.production.choices import NoticeStatus, Priority, SubcontractStatus
from gendan.sales.forms import DateInput


class CapacityCheckForm(forms.Form):
    product = forms.CharField(label=_("Product code"), max_length=40)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3, min_value=0)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.EDD, required=False)


class NoticeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *NoticeStatus.choices])


class SubcontractFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "—"), ("open", _("Open (draft or sent)")), *SubcontractStatus.choices],
    )
    factory = forms.ModelChoiceField(
        label=_("Subcontract factory"), required=False, queryset=WorkCentre.objects.filter(kind="factory")
    )


class TrackingFilterForm(forms.Form):
    """The filters of the plan-progress tracking table (every order in production)."""

    merchandiser = forms.ChoiceField(label=_("Merchandiser"), required=False)
    customer = forms.ModelChoiceField(label=_("Customer"), required=False, queryset=None, empty_label=_("All"))
    work_centre = forms.ModelChoiceField(
        label=_("Work centre"), required=False, queryset=WorkCentre.objects.none(), empty_label=_("All")
    )
    behind = forms.BooleanField(label=_("Behind plan only"), required=False)

    def __init__(self, *args: object, **kw: object) -> None:
        from gendan.partners.models import Customer
        from gendan.sales.forms import merchandiser_choices

        super().__init__(*args, **kw)
        self.fields["merchandiser"].choices = [("", _("All"))] + [
            (u.username, u.get_full_name() or u.username) for u in merchandiser_choices()
        ]
        self.fields["customer"].queryset = Customer.objects.only("id", "code", "name").order_by("code")
        self.fields["work_centre"].queryset = WorkCentre.objects.filter(is_active=True).order_by("code")
