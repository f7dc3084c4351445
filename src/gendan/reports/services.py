"""The reports' writes: the stored exchange rates (汇率) the statistics convert at.

One rate per currency and month (the month is kept as its first day; any day of it may be given). CNY is the base
and is never stored. Each command is one transaction, checks the permission and the optimistic `version`, refuses
bad input naming the field (nothing written) and records the audit trail.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.core import audit
from gendan.core.choices import AuditAction
from gendan.core.editing import check_version
from gendan.core.exceptions import ValidationError
from gendan.core.models import User
from gendan.core.money import Currency
from gendan.core.services import ensure_can
from gendan.reports.fx import BASE, month_start
from gendan.reports.models import ExchangeRate

RATE_FIELDS = ["currency", "month", "rate", "note"]
MAX_RATE = Decimal("99999999")


def _clean(data: dict[str, Any], current: ExchangeRate | None = None) -> dict[str, Any]:
    """The values to store, or a ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if "currency" in data or current is None:
        currency = str(data.get("currency") or "").strip().upper()
        if currency == BASE:
            errors["currency"] = _("CNY is the base currency: its rate is always 1.")
        elif currency not in Currency.values:
            errors["currency"] = _("Choose a currency from the list (an ISO code such as USD).")
        values["currency"] = currency
    if "month" in data or current is None:
        month = data.get("month")
        if isinstance(month, str):
            text = month.strip()
            try:
                month = dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
            except ValueError:
                month = None
        if isinstance(month, dt.datetime):
            month = month.date()
        if not isinstance(month, dt.date):
            errors["month"] = _("Give the month as YYYY-MM (or any day of it).")
        else:
            values["month"] = month_start(month)
    if "rate" in data or current is None:
        try:
            rate = Decimal(str(data.get("rate")).strip().replace(",", ""))
            if not rate.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError, TypeError):
            errors["rate"] = _("Give the rate as a number: CNY for one unit of the currency.")
        else:
            if rate <= 0 or rate > MAX_RATE:
                errors["rate"] = _("The rate must be more than 0.")
            elif rate.normalize().as_tuple().exponent < -6:
                errors["rate"] = _("A rate has at most 6 decimals.")
            else:
                values["rate"] = rate.quantize(Decimal("0.000001"))
    if "note" in data:
        note = str(data.get("note") or "").strip()
        if len(note) > 200:
            errors["note"] = _("At most 200 characters.")
        values["note"] = note
    if not errors:
        currency = values.get("currency", current.currency if current else "")
        month = values.get("month", current.month if current else None)
        clash = ExchangeRate.objects.filter(currency=currency, month=month)
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors["month"] = _("There is already a %(currency)s rate for %(month)s: change that one.") % {
                "currency": currency,
                "month": f"{month:%Y-%m}",
            }
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def create_rate(*, by: User, data: dict[str, Any]) -> ExchangeRate:
    """Store the rate of a currency for a month."""
    ensure_can(by, "reports.add_exchangerate", _("You may not maintain exchange rates."))
    values = _clean(data)
    rate = ExchangeRate.objects.create(**values, updated_by=by)
    audit.record_create(instance=rate, by=by, fields=RATE_FIELDS)
    return rate


@transaction.atomic
def update_rate(*, rate: ExchangeRate, by: User, data: dict[str, Any], version: int | None = None) -> ExchangeRate:
    """Change a stored rate (its currency, month, rate or note); `version` as read, else 409."""
    ensure_can(by, "reports.change_exchangerate", _("You may not maintain exchange rates."))
    locked = ExchangeRate.objects.select_for_update().get(pk=rate.pk)
    check_version(locked, version)
    values = _clean(data, current=locked)
    before = audit.snapshot(locked, list(values))
    for name, value in values.items():
        setattr(locked, name, value)
    changes = audit.diff(before, audit.snapshot(locked, list(values)))
    if changes:
        locked.version += 1
        locked.updated_by = by
        locked.save()
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    return locked


@transaction.atomic
def delete_rate(*, rate: ExchangeRate, by: User, version: int | None = None) -> None:
    """Remove a stored rate (the month then falls back to an earlier one)."""
    ensure_can(by, "reports.delete_exchangerate", _("You may not maintain exchange rates."))
    locked = ExchangeRate.objects.select_for_update().get(pk=rate.pk)
    check_version(locked, version)
    audit.record(
        instance=locked,
        action=AuditAction.DELETE,
        by=by,
        changes={k: [v, None] for k, v in audit.snapshot(locked, RATE_FIELDS).items()},
    )
    locked.delete()
