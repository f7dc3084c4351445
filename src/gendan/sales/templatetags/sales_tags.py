"""Template helpers for orders: status colours and money written in its currency."""

from django import template

from gendan.core.templatetags import gendan_tags as core_tags
from gendan.sales.choices import RISK_COLORS, STATUS_COLORS, OrderStatus, Verdict

register = template.Library()

VERDICT_COLORS = {Verdict.PENDING: "amber", Verdict.PASS: "green", Verdict.REJECT: "red"}


@register.filter
def status_color(status: str) -> str:
    return STATUS_COLORS.get(status, "grey")


@register.filter
def status_label(status: str) -> str:
    """An order status's name in the reader's language."""
    return str(OrderStatus(status).label) if status in OrderStatus.values else status


@register.filter
def risk_color(risk: str) -> str:
    return RISK_COLORS.get(risk, "grey")


@register.filter
def verdict_color(verdict: str) -> str:
    return VERDICT_COLORS.get(verdict, "grey")


register.filter("money", core_tags.money)
register.filter("qty", core_tags.qty)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if mapping else None
