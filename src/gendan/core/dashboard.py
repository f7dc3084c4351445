"""Dashboard panels: each app registers a function that returns its panel for the signed-in user."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

Panel = dict[str, Any]  # {"title", "template", "context", "order"}
_providers: list[Callable[[HttpRequest], Panel | None]] = []


def register_panel(provider: Callable[[HttpRequest], Panel | None]) -> Callable[[HttpRequest], Panel | None]:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(request: HttpRequest) -> list[Panel]:
    panels = [p for p in (provider(request) for provider in _providers) if p]
    return sorted(panels, key=lambda p: p.get("order", 100))
