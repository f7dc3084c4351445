"""Cleaning what a form or a JSON body sent, for the services: each reader returns the typed value or None, and on
bad input writes a message for the field into `errors` (the service raises them together, and writes nothing)."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

Errors = dict[str, str]


def clean_date(value: Any, field: str, errors: Errors) -> dt.date | None:
    """A date from a date, a datetime or "YYYY-MM-DD"; empty: None."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = _("Give a date as YYYY-MM-DD.")
        return None


def clean_time(value: Any, field: str, errors: Errors) -> dt.time | None:
    """A time of day from a time or "HH:MM" (also with a full-width colon or a dot); empty: None."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    match = re.fullmatch(r"\s*([01]?\d|2[0-3])[:：.]([0-5]\d)(?::[0-5]\d)?\s*", str(value))
    if match is None:
        errors[field] = _("Give a time as HH:MM.")
        return None
    return dt.time(int(match[1]), int(match[2]))


def clean_decimal(
    value: Any, field: str, errors: Errors, *, decimals: int, positive: bool, max_digits: int
) -> Decimal | None:
    """A number of at most `decimals` places that fits `max_digits`, zero or more (above zero when `positive`);
    thousands separators are dropped."""
    if isinstance(value, bool):
        errors[field] = _("Enter a number.")
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter a number.")
        return None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        errors[field] = _("Enter a quantity greater than zero.") if positive else _("Enter zero or more.")
        return None
    if number != number.quantize(Decimal(1).scaleb(-decimals)):
        errors[field] = _("Use at most %(n)s decimal places.") % {"n": decimals}
        return None
    if number >= Decimal(10) ** (max_digits - decimals):
        errors[field] = _("The number is too large.")
        return None
    return number.quantize(Decimal(1).scaleb(-decimals))


def clean_id(value: Any) -> int | None:
    """An object's id from an object, a number or its text; empty: None; anything else: -1 (finds nothing)."""
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, bool):
        return -1
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def clean_text(value: Any, limit: int | None = None) -> str:
    """Text without surrounding blanks, cut at `limit` characters."""
    text = ("" if value is None else str(value)).strip()
    return text[:limit] if limit else text


def clean_choice(value: Any, choices: Any, field: str, errors: Errors, default: str = "") -> str:
    """One of a TextChoices' values (empty: `default`)."""
    text = str(value if value not in (None, "") else default)
    if text not in choices.values:
        errors[field] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}
    return text


def clean_bool(value: Any) -> bool:
    """A tick box or a JSON boolean: "1", "true", "yes", "on" are true."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)
