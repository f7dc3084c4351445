"""The customer page is the customer file (客户档案): apps above partners add their sections to it.

An app registers a function `(request, customer) -> {"template", "context", "order"} | None`; the customer page
renders each returned section, lowest `order` first (orders, samples, quotations, complaints, receivables...). A
provider returns None when the signed-in user may not see its part.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

Section = dict[str, Any]
SectionProvider = Callable[[HttpRequest, Any], Section | None]
_providers: list[SectionProvider] = []


def register_customer_section(provider: SectionProvider) -> SectionProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def customer_sections(request: HttpRequest, customer: Any) -> list[SafeString]:
    """The rendered sections of `customer`'s page for the signed-in user."""
    sections = [s for s in (provider(request, customer) for provider in _providers) if s]
    sections.sort(key=lambda s: s.get("order", 100))
    return [
        render_to_string(s["template"], {"customer": customer, **s.get("context", {})}, request=request)
        for s in sections
    ]
