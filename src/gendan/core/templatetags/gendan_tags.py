"""Template helpers shared by every app's list pages: sortable column headers, choice badges."""

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_link(context: dict[str, Any], field: str, label: str) -> str:
    """A column header that sorts the list by `field` (click again to reverse), keeping the other filters."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params.pop("page", None)
    params["sort"] = f"-{field}" if current == field else field
    arrow = " ▲" if current == field else " ▼" if current == f"-{field}" else ""
    return format_html('<a href="?{}">{}{}</a>', params.urlencode(), label, arrow)


@register.simple_tag
def choice_badge(label: Any, color: str | None) -> str:
    """A coloured badge for a choice's label (`badge-<color>` from gendan.css)."""
    return format_html('<span class="badge badge-{}">{}</span>', color or "grey", label)
