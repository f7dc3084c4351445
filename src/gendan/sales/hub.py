"""The order page is the hub of an order: apps above sales add their sections to it.

An app registers a function `(request, order) -> {"template", "context", "order"} | None`; the order page renders
each returned section, lowest `order` first (the T&A plan, later materials, production, shipment...).
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

Section = dict[str, Any]
SectionProvider = Callable[[HttpRequest, Any], Section | None]
_providers: list[SectionProvider] = []


def register_section(provider: SectionProvider) -> SectionProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sections_for(request: HttpRequest, order: Any) -> list[SafeString]:
    """The rendered sections of `order`'s page for the signed-in user."""
    sections = [s for s in (provider(request, order) for provider in _providers) if s]
    sections.sort(key=lambda s: s.get("order", 100))
    return [
        render_to_string(s["template"], {"order": order, **s.get("context", {})}, request=request) for s in sections
    ]


# ---- review notes: what a higher app knows about a review topic (finance's credit check on the terms item) ----------
ReviewNoteProvider = Callable[[Any], str]
_review_notes: dict[str, list[ReviewNoteProvider]] = {}


def register_review_note(topic: str, provider: ReviewNoteProvider) -> ReviewNoteProvider:
    """`provider(order) -> text` is asked when a review round is created; its text starts the item's comment."""
    providers = _review_notes.setdefault(str(topic), [])
    if provider not in providers:
        providers.append(provider)
    return provider


def review_note(order: Any, topic: str) -> str:
    return "\n".join(text for text in (p(order) for p in _review_notes.get(str(topic), [])) if text)
