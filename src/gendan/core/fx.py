"""Exchange rates (汇率): Gendan's one table of CNY per unit of each currency by month, read and kept here.

Every app that needs a rate reads it from here: the statistics convert at the rate of each amount's month (the
reporting rules, with the receipts' average as a fallback, are `gendan.reports.fx`), a new quotation takes today's
rate as its quoted rate, a purchase price in another currency is costed at today's rate.

The rate of a currency on a day is the rate stored for that day's month, else the latest rate stored for an earlier
month; CNY is always 1 and never stored. The month is kept as its first day (any day of it may be given).

The writes (`create_rate`, `update_rate`, `delete_rate`) are one transaction each: they check the permission
(`core.add_exchangerate`, `core.change_exchangerate`, `core.delete_exchangerate`) and the optimistic `version`,
refuse bad input naming the field (nothing written) and record the audit trail.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from gendan.core import audit, clock
from gendan.core.choices import AuditAction
from gendan.core.editing import check_version
from gendan.core.exceptions import NotFound, ValidationError
from gendan.core.models import ExchangeRate, User
from gendan.core.money import Currency
from gendan.core.services import ensure_can

__all__ = [
    "BASE",
    "create_rate",
    "current_rates",
    "current_rows",
    "delete_rate",
    "get_rate",
    "month_start",
    "rate_of_month",
    "rate_on",
    "rates",
    "update_rate",
]

BASE = "CNY"
ONE = Decimal(1)
RATE_FIELDS = ["currency", "month", "rate", "note"]
MAX_RATE = Decimal("99999999")
PLACES = Decimal("0.000001")


def month_start(day: dt.date) -> dt.date:
    """The first day of `day`'s month (the key a rate is stored under)."""
    return day.replace(day=1)


# ---- reads -------------------------------------------------------------------------------------------------------


def rate_on(currency: str, day: dt.date | None = None) -> Decimal | None:
    """CNY for one `currency` on `day` (default today): the rate of day's month, else of the latest earlier month
    that has one; 1 for CNY; None when no rate is stored up to that month."""
    code = (currency or "").upper()
    if code == BASE:
        return ONE
    month = month_start(day or clock.today())
    return (
        ExchangeRate.objects.filter(currency=code, month__lte=month)
        .order_by("-month")
        .values_list("rate", flat=True)
        .first()
    )


def _latest_up_to(month: dt.date) -> QuerySet[ExchangeRate]:
    """Each currency's row of `month`, else of its latest earlier month that has one."""
    latest = (
        ExchangeRate.objects.filter(currency=OuterRef("currency"), month__lte=month)
        .order_by("-month")
        .values("month")[:1]
    )
    return ExchangeRate.objects.filter(month__lte=month, month=Subquery(latest))


def current_rates(day: dt.date | None = None) -> dict[str, Decimal]:
    """Every currency's rate on `day` (default today, by the rule of `rate_on`), CNY included at 1; a currency
    without any rate up to that month is absent. One query."""
    found = dict(_latest_up_to(month_start(day or clock.today())).order_by().values_list("currency", "rate"))
    found[BASE] = ONE
    return found


def current_rows(day: dt.date | None = None) -> dict[str, ExchangeRate]:
    """The stored row each currency's rate on `day` (default today) comes from: {currency: row}, its `month` saying
    whether it is that month's own or an earlier month's. CNY is not stored. One query."""
    return {r.currency: r for r in _latest_up_to(month_start(day or clock.today())).order_by("currency")}


def rates(*, currency: str = "", year: int | None = None) -> QuerySet[ExchangeRate]:
    """The stored rates, latest month first (then by currency), with who changed them."""
    qs = ExchangeRate.objects.select_related("updated_by")
    if currency:
        qs = qs.filter(currency=currency.strip().upper())
    if year:
        qs = qs.filter(month__year=year)
    return qs.order_by("-month", "currency")


def get_rate(rate_id: int) -> ExchangeRate:
    rate = ExchangeRate.objects.select_related("updated_by").filter(pk=rate_id).first()
    if rate is None:
        raise NotFound(_("No such exchange rate."))
    return rate


def rate_of_month(currency: str, day: dt.date) -> ExchangeRate | None:
    """The row stored for `currency` in `day`'s month itself (not an earlier month's), if any."""
    return ExchangeRate.objects.filter(currency=(currency or "").upper(), month=month_start(day)).first()


# ---- writes ------------------------------------------------------------------------------------------------------


def _clash_error(currency: str, month: dt.date) -> ValidationError:
    return ValidationError(
        {
            "month": _("There is already a %(currency)s rate for %(month)s: change that one.")
            % {"currency": currency, "month": f"{month:%Y-%m}"}
        }
    )


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
                values["rate"] = rate.quantize(PLACES)
    if "note" in data:
        note = str(data.get("note") or "").strip()
        if len(note) > 200:
            errors["note"] = _("At most 200 characters.")
        values["note"] = note
    if errors:
        raise ValidationError(errors)
    currency = values.get("currency", current.currency if current else "")
    month = values.get("month", current.month if current else None)
    clash = ExchangeRate.objects.filter(currency=currency, month=month)
    if current is not None:
        clash = clash.exclude(pk=current.pk)
    if clash.exists():
        raise _clash_error(currency, month)
    return values


def _save(rate: ExchangeRate, *, create: bool) -> None:
    """Save inside a savepoint: two people storing the same currency and month at once get the clash as a
    ValidationError on `month`, not a database error."""
    try:
        with transaction.atomic():
            rate.save(force_insert=create)
    except IntegrityError as exc:
        raise _clash_error(rate.currency, rate.month) from exc


@transaction.atomic
def create_rate(*, by: User, data: dict[str, Any]) -> ExchangeRate:
    """Store the rate of a currency for a month ({currency, month, rate, note})."""
    ensure_can(by, "core.add_exchangerate", _("You may not maintain exchange rates."))
    values = _clean(data)
    rate = ExchangeRate(**values, updated_by=by)
    _save(rate, create=True)
    audit.record_create(instance=rate, by=by, fields=RATE_FIELDS)
    return rate


@transaction.atomic
def update_rate(*, rate: ExchangeRate, by: User, data: dict[str, Any], version: int | None = None) -> ExchangeRate:
    """Change a stored rate (its currency, month, rate or note); `version` as read, else StaleVersion (409)."""
    ensure_can(by, "core.change_exchangerate", _("You may not maintain exchange rates."))
    locked = ExchangeRate.objects.select_for_update().filter(pk=rate.pk).first()
    if locked is None:
        raise NotFound(_("No such exchange rate."))
    check_version(locked, version)
    values = _clean(data, current=locked)
    before = audit.snapshot(locked, list(values))
    for name, value in values.items():
        setattr(locked, name, value)
    changes = audit.diff(before, audit.snapshot(locked, list(values)))
    if changes:
        locked.version += 1
        locked.updated_by = by
        _save(locked, create=False)
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    return locked


@transaction.atomic
def delete_rate(*, rate: ExchangeRate, by: User, version: int | None = None) -> None:
    """Remove a stored rate (its month then takes the latest earlier month's)."""
    ensure_can(by, "core.delete_exchangerate", _("You may not maintain exchange rates."))
    locked = ExchangeRate.objects.select_for_update().filter(pk=rate.pk).first()
    if locked is None:
        raise NotFound(_("No such exchange rate."))
    check_version(locked, version)
    audit.record(
        instance=locked,
        action=AuditAction.DELETE,
        by=by,
        changes={k: [v, None] for k, v in audit.snapshot(locked, RATE_FIELDS).items()},
    )
    locked.delete()
