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


def _field_of(model: Any, name: str) -> Any:
    """The model field `name`, or one of the same app's models (an order line's field on the order's trail)."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    for candidate in [model, *apps.get_app_config(model._meta.app_label).get_models()]:
        try:
            return candidate._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _extra_labels() -> dict[str, str]:
    """Keys of change records that are not model fields."""
    from django.utils.translation import gettext as _

    return {
        "lines": _("Lines"),
        "bom": _("Bill of materials"),
        "attachment": _("Attachment"),
        "revoked": _("Revoked"),
        "plan": _("T&A plan"),
        "milestones": _("Milestones"),
        "exceptions": _("Capacity exceptions"),
        "routing": _("Routing"),
        "on_hand": _("on hand"),
        "fed_date": _("fed date"),
    }


def _shown(value: Any) -> Any:
    """A recorded value as a reader sees it: yes/no, lists joined, empty as None (shown as —)."""
    from django.utils.translation import gettext as _

    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return None if value == "" else value


@register.filter
def change_rows(change: Any) -> list[tuple[str, Any, Any]]:
    """An audit record's changes as (label, old, new): field names in the reader's language, choices by label."""
    model = change.content_type.model_class()
    rows = []
    for key, pair in (change.changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        prefix, _, name = key.rpartition(" ")
        field = _field_of(model, name) if model is not None else None
        label = _extra_labels().get(key, key)
        if field is not None and hasattr(field, "verbose_name"):
            label = f"{prefix} {field.verbose_name}".strip()
            choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
            old, new = choices.get(old, old), choices.get(new, new)
        rows.append((label, _shown(old), _shown(new)))
    return rows


@register.filter
def field_label(name: str, model_label: str) -> str:
    """The verbose name of `name` on `app_label.model` (or a sibling model of that app), else the name itself."""
    from django.apps import apps

    field = _field_of(apps.get_model(model_label), name)
    return str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else name


@register.filter
def plain(value: Any) -> str:
    """A number as it is typed into a form field: 6000, 12.5 — no grouping, no trailing zeros; blank for none; what
    is not a number (a form sent back with its error) as it was typed."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def qty(value: Any) -> str:
    """A quantity without trailing zeros, grouped for the reader's language: 1200.000 → 1,200; 12.500 → 12.5."""
    from decimal import Decimal

    from django.utils.formats import number_format

    if value is None or value == "":
        return "—"
    number = Decimal(str(value)).normalize()
    decimals = max(0, -number.as_tuple().exponent)
    return number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def price(value: Any) -> str:
    """A unit price with 2 to 4 decimals, grouped for the reader's language: 14 → 14.00; 0.1235 → 0.1235."""
    from decimal import Decimal

    from django.utils.formats import number_format

    if value is None or value == "":
        return "—"
    number = Decimal(str(value)).normalize()
    decimals = min(max(2, -number.as_tuple().exponent), 4)
    return number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """1234.5, "USD" → "USD 1,234.50" (JPY without decimals)."""
    from django.utils.formats import number_format

    from gendan.core.money import places

    if amount is None:
        return "—"
    text = number_format(amount, decimal_pos=places(currency or ""), use_l10n=True, force_grouping=True)
    return f"{currency} {text}".strip()


@register.filter
def percent(value: Any) -> str:
    """A share between 0 and 1 as a whole percentage: 0.4267 → "43%"; None → "—"."""
    if value in (None, ""):
        return "—"
    try:
        return f"{float(value):.0%}"
    except (TypeError, ValueError):
        return "—"
