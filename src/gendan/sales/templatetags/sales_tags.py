"""Template helpers for orders: status colours and money written in its currency."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from gendan.core.money import places
from gendan.sales.choices import STATUS_COLORS, Verdict

register = template.Library()

VERDICT_COLORS = {Verdict.PENDING: "amber", Verdict.PASS: "green", Verdict.REJECT: "red"}


@register.filter
def status_color(status: str) -> str:
    return STATUS_COLORS.get(status, "grey")


@register.filter
def verdict_color(verdict: str) -> str:
    return VERDICT_COLORS.get(verdict, "grey")


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """1234.5, "USD" → "USD 1,234.50" (JPY without decimals)."""
    if amount is None:
        return "—"
    text = number_format(amount, decimal_pos=places(currency or ""), use_l10n=True, force_grouping=True)
    return f"{currency} {text}".strip()


@register.filter
def qty(value: Decimal | None) -> str:
    """A quantity without trailing zeros: 1200.000 → 1,200; 12.500 → 12.5."""
    if value is None:
        return "—"
    normal = value.normalize()
    decimals = max(0, -normal.as_tuple().exponent)
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if mapping else None
