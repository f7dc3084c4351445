"""Template helpers of the report pages: a figure of a row, formatted by its kind."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from gendan.core.templatetags.gendan_tags import money, qty

register = template.Library()


@register.simple_tag
def figure(row: dict[str, Any], measure: Any, currency: str = "") -> str:
    """`row[measure.key]` as the reader expects it: amounts with the currency's decimals (the header names the
    currency), quantities without trailing zeros, percentages and days with one decimal, dates, yes/no."""
    value = row.get(measure.key)
    if value is None or value == "":
        return "—"
    kind = measure.kind
    if kind == "money":
        return money(value, currency).removeprefix(f"{currency} ") if currency else money(value)
    if kind == "qty":
        return qty(value)
    if kind in ("pct", "days"):
        return f"{Decimal(str(value)):.1f}"
    if kind == "date":
        return date_format(value, "Y-m-d")
    if kind == "text":
        return format_html('<span class="badge badge-amber">{}</span>', _("Slow")) if value is True else ""
    return str(value)


@register.filter
def label_of(row: dict[str, Any], dim: str) -> str:
    return row["labels"].get(dim, "")


@register.filter
def key_of(row: dict[str, Any], dim: str) -> Any:
    return row["keys"].get(dim, "")


@register.filter
def drill_of(row: dict[str, Any], dim: str) -> str:
    """The link to the same report for this row's member of `dim`, by month (empty when there is none)."""
    return (row.get("drill") or {}).get(dim, "")


@register.filter
def change(value: Any) -> str:
    """A change in percent with its sign and colour: +12.5 % green, −3.0 % red, — without a base."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    css = "new" if number > 0 else "old" if number < 0 else "muted"
    sign = "+" if number > 0 else "−" if number < 0 else ""
    return format_html('<span class="{}" style="text-decoration:none">{}{} %</span>', css, sign, f"{abs(number):.1f}")


@register.filter
def pct(value: Any) -> str:
    return "—" if value is None else f"{Decimal(str(value)):.1f} %"
