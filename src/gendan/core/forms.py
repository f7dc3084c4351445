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
