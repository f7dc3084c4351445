"""The work-centre page: apps above catalog add their sections to it (the learned delay profile of foresight).

An app registers a function `(request, work_centre) -> {"template", "context", "order"} | None`; the page renders
each returned section, lowest `order` first. A provider returns None when the signed-in user may not see its part.
"""

from django.http import HttpRequest
from django.utils.safestring import SafeString

from gendan.catalog.models import WorkCentre
from gendan.partners.hub import SectionProvider, render_sections

_work_centre_providers: list[SectionProvider] = []


def register_work_centre_section(provider: SectionProvider) -> SectionProvider:
    if provider not in _work_centre_providers:
        _work_centre_providers.append(provider)
    return provider


def work_centre_sections(request: HttpRequest, centre: WorkCentre) -> list[SafeString]:
    """The rendered sections of `centre`'s page for the signed-in user."""
    return render_sections(_work_centre_providers, request, centre, name="centre")
