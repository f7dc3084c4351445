"""Form pieces shared by every app's pages."""

from typing import Any

from django import forms
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _


class VersionedForm(forms.ModelForm):
    """A model form for a service-backed edit page.

    It carries the version it was read at (hidden) for the optimistic check, and leaves model validation
    (validators, uniqueness, constraints) to the service, so the rules live in one place; the view puts the
    service's errors back on the fields with `core.pages.apply_errors`.
    """

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound and hasattr(self.instance, "version"):
            self.initial["version"] = self.instance.version

    def _post_clean(self) -> None:
        self.instance = construct_instance(self, self.instance, self._meta.fields)

    def values(self) -> dict[str, Any]:
        """The cleaned model fields, for the service."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}

    @property
    def read_version(self) -> int | None:
        return self.cleaned_data.get("version")


ACTIVE_CHOICES = [("", _("Active and inactive")), ("1", _("Active")), ("0", _("Inactive"))]


def active_value(raw: str) -> bool | None:
    """The "active" list filter's value: True, False, or None for both."""
    return {"1": True, "0": False}.get(raw or "")


class ImportForm(forms.Form):
    """The upload field of every Excel import page."""

    file = forms.FileField(label=_("File"))


WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


def parse_day_lines(text: str, field: str) -> list[tuple[Any, str]]:
    """ "2026-10-01 国庆节" per line → [(date, name)]; a bad line raises a ValidationError naming its line."""
    import datetime as dt

    result = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head, _sep, name = line.partition(" ")
        try:
            day = dt.date.fromisoformat(head.strip())
        except ValueError as exc:
            raise forms.ValidationError(
                _("Line %(n)s: “%(text)s” does not start with a date (YYYY-MM-DD).") % {"n": number, "text": line}
            ) from exc
        result.append((day, name.strip()))
    return result


class CalendarForm(forms.Form):
    """The working calendar page: weekly rest days, holidays and make-up days, one per line."""

    rest_weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekly rest days"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    holidays = forms.CharField(
        label=_("Public holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One per line: date and name, e.g. 2026-10-01 国庆节"),
    )
    working_days = forms.CharField(
        label=_("Make-up working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Rest weekdays that are worked (调休), one per line: 2026-09-27 国庆调休"),
    )

    def clean_holidays(self) -> list:
        return parse_day_lines(self.cleaned_data["holidays"], "holidays")

    def clean_working_days(self) -> list:
        return parse_day_lines(self.cleaned_data["working_days"], "working_days")
