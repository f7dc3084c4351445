"""The filters of the visit list, the survey rounds and a round's results."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gendan.core.models import User
from gendan.partners.choices import CustomerTier
from gendan.partners.models import Customer
from gendan.relations.choices import RoundStatus, VisitStatus


class VisitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("", _("All")), ("upcoming", _("To come / going on")), ("past", _("Past"))],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", "—"), ("open", _("Open (not closed)")), *VisitStatus.choices],
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"), required=False, queryset=Customer.objects.all(), empty_label="—"
    )
    host = forms.ModelChoiceField(
        label=_("Host"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("username"),
        empty_label="—",
    )


class RoundFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *RoundStatus.choices])


class ResultsFilterForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *CustomerTier.choices])
    merchandiser = forms.ModelChoiceField(
        label=_("Merchandiser"),
        required=False,
        queryset=User.objects.filter(customers__isnull=False).distinct().order_by("username"),
        empty_label=_("All merchandisers"),
    )
