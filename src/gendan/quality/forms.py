"""Forms of the quality pages."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gendan.quality.choices import DefectClass, InspectionStatus, Level, Result
from gendan.quality.selectors import list_kinds
from gendan.sales.forms import DateInput


class InspectionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "—"), ("open", _("Open (planned or booked)")), *InspectionStatus.choices],
    )
    result = forms.ChoiceField(label=_("Result"), required=False, choices=[("", "—"), *Result.choices])
    date_from = forms.DateField(label=pgettext_lazy("period", "From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=pgettext_lazy("period", "To"), required=False, widget=DateInput())

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)
        self.fields["kind"].choices = [("", "—"), *list_kinds()]


class AqlForm(forms.Form):
    lot_size = forms.IntegerField(label=_("Lot size"), min_value=1)
    level = forms.ChoiceField(label=_("Inspection level"), choices=Level.choices, initial=Level.II)
    aql = forms.CharField(label="AQL", initial="2.5", max_length=10)


class DefectTypeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=100, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    category = forms.CharField(
        label=_("Product category"), max_length=100, required=False, help_text=_("Blank: every category.")
    )
    defect_class = forms.ChoiceField(label=_("Defect class"), choices=DefectClass.choices, initial=DefectClass.MAJOR)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
