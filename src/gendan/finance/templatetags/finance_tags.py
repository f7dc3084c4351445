"""Finance template filters."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def amount(value: Any, currency: str = "") -> str:
    """A money amount without its currency code, grouped, with the currency's decimals: 1234.5, "USD" → 1,234.50."""
    from gendan.core.templatetags.gendan_tags import money

    return money(value, currency) if value is None else money(value, currency).removeprefix(currency).strip()
