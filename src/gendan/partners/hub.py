"""The customer page is the customer file (客户档案) and the supplier page the supplier's: apps above partners add
their sections to them.

An app registers a function `(request, customer) -> {"template", "context", "order"} | None` (or `(request,
supplier)` for the supplier page); the page renders each returned section, lowest `order` first (orders, samples,
quotations, complaints, receivables... on the customer page; the learned delay profile on the supplier page). A
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
_supplier_providers: list[SectionProvider] = []


def render_sections(providers: list[SectionProvider], request: HttpRequest, obj: Any, *, name: str) -> list[SafeString]:
    """The sections `providers` give for `obj`, rendered lowest `order` first with `obj` in their context as
    `name`."""
    sections = [s for s in (provider(request, obj) for provider in providers) if s]
    sections.sort(key=lambda s: s.get("order", 100))
    return [render_to_string(s["template"], {name: obj, **s.get("context", {})}, request=request) for s in sections]


def register_customer_section(provider: SectionProvider) -> SectionProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def customer_sections(request: HttpRequest, customer: Any) -> list[SafeString]:
    """The rendered sections of `customer`'s page for the signed-in user."""
    return render_sections(_providers, request, customer, name="customer")


def register_supplier_section(provider: SectionProvider) -> SectionProvider:
    if provider not in _supplier_providers:
        _supplier_providers.append(provider)
    return provider


def supplier_sections(request: HttpRequest, supplier: Any) -> list[SafeString]:
    """The rendered sections of `supplier`'s page for the signed-in user."""
    return render_sections(_supplier_providers, request, supplier, name="supplier")
