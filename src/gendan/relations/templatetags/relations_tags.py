"""Template filters of the survey results: signed changes and scores as text."""

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def signed(value: Any) -> str:
    """A change with its sign: +0.35, -0.20, 0.00; a dash for none."""
    if value is None or value == "":
        return "–"
    number = Decimal(str(value))
    return f"+{number:.2f}" if number > 0 else f"{number:.2f}"


@register.filter
def score(value: Any) -> str:
    """A mean score with two places; a dash for none."""
    if value is None or value == "":
        return "–"
    return f"{Decimal(str(value)):.2f}"


@register.filter
def change_class(value: Any) -> str:
    """The CSS class of a change: red when it fell, green when it rose."""
    if value is None or value == "":
        return "muted"
    number = Decimal(str(value))
    return "danger" if number < 0 else "new" if number > 0 else "muted"


@register.filter
def at(values: Any, index: int) -> Any:
    """The item at `index` of a list or the value of a key of a dict (None when missing)."""
    try:
        return values[index]
    except (IndexError, KeyError, TypeError):
        return None
