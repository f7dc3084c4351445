"""The reporting currency and the rates the statistics convert at (汇率).

Every report adds up amounts in the database per currency and month, then converts those sums (a few rows per
group, never one per order) into the reporting currency (setting `GENDAN_REPORTING_CURRENCY`, default CNY):

    amount in R = amount × rate(currency, month) ÷ rate(R, month)

where rate(X, month) is CNY for one X in that month, found by the first of these that exists:

1. the stored rate of that month (core's one monthly table, `gendan.core.models.ExchangeRate`, kept on the
   exchange-rates page, through the API, or as this month's rate on the quotations' rates page);
2. the latest stored rate of an earlier month (1. and 2. are `gendan.core.fx.rate_on`, read here in one query);
3. the average `fx_rate` of the receipts of payment in that currency received in that month (finance);
4. 1, with a warning shown on the report (the figures in that currency are then not converted).

CNY is always 1.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg
from django.utils.translation import gettext as _

from gendan.core.fx import BASE, month_start
from gendan.core.models import ExchangeRate
from gendan.core.money import Currency
from gendan.reports.sql import MonthKey

__all__ = ["BASE", "Rate", "Rates", "month_start", "months_between", "next_month", "reporting_currency"]

ONE = Decimal(1)
STORED, EARLIER, RECEIPTS, MISSING = "stored", "earlier", "receipts", "missing"


def reporting_currency() -> str:
    """The currency every report is shown in: `GENDAN_REPORTING_CURRENCY` (default CNY)."""
    code = str(getattr(settings, "GENDAN_REPORTING_CURRENCY", BASE) or BASE).upper()
    return code if code in Currency.values else BASE


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of every month from `start`'s to `end`'s, both included."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def key_of(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def month_of(key: str) -> dt.date:
    return dt.date(int(key[:4]), int(key[5:7]), 1)


@dataclass(frozen=True)
class Rate:
    currency: str
    month: dt.date
    rate: Decimal
    source: str  # stored | earlier | receipts | missing (| base for CNY)
    from_month: dt.date | None = None  # the earlier month whose stored rate is used


@dataclass
class Rates:
    """The rates over some months, found once (a query of the stored rates; one of the receipts of a currency only
    when one of its months has no stored rate up to it), and the conversion."""

    reporting: str
    _stored: dict[str, tuple[list[dt.date], list[Decimal]]] = field(default_factory=dict)
    _receipts: dict[tuple[str, dt.date], Decimal] = field(default_factory=dict)
    _cache: dict[tuple[str, dt.date], Rate] = field(default_factory=dict)
    used: dict[tuple[str, dt.date], Rate] = field(default_factory=dict)

    _months: list[dt.date] = field(default_factory=list)
    _receipts_read: set[tuple[str, dt.date]] = field(default_factory=set)
    _factors: dict[tuple[str, dt.date], Decimal] = field(default_factory=dict)

    @classmethod
    def load(
        cls, currencies: Iterable[str] = (), months: Iterable[dt.date] = (), *, reporting: str | None = None
    ) -> Rates:
        """The rates for `months` (one query of the stored rates, which are few; the receipts' averages of a currency
        are read the first time one of its months has no stored rate). `currencies` is kept for the callers that
        name them; every currency can be converted."""
        reporting = reporting or reporting_currency()
        rates = cls(reporting=reporting)
        rates._months = sorted({month_start(m) for m in months})
        if not rates._months:
            return rates
        stored: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for currency, month, rate in (
            ExchangeRate.objects.filter(month__lte=rates._months[-1])
            .order_by("currency", "month")
            .values_list("currency", "month", "rate")
        ):
            stored[currency].append((month, rate))
        rates._stored = {c: ([m for m, _r in rows], [r for _m, r in rows]) for c, rows in stored.items()}
        return rates

    def _read_receipts(self, currency: str, month: dt.date) -> None:
        """The average receipt rate of `currency` for every month of the report (one query per currency)."""
        from gendan.finance.models import Receipt

        months = self._months if month in self._months else [month]
        self._receipts_read.update((currency, m) for m in months)
        first, last = months[0], months[-1]
        for key, average in (
            Receipt.objects.filter(
                currency=currency, received_date__gte=first, received_date__lt=next_month(last), fx_rate__gt=0
            )
            .annotate(m=MonthKey("received_date"))
            .order_by()
            .values("m")
            .annotate(avg=Avg("fx_rate"))
            .values_list("m", "avg")
        ):
            self._receipts[(currency, month_of(key))] = Decimal(str(average)).quantize(Decimal("0.000001"))

    def rate(self, currency: str, month: dt.date) -> Rate:
        """CNY for one `currency` in `month`, by the rule of this module."""
        month = month_start(month)
        if currency == BASE or not currency:
            return Rate(BASE, month, ONE, "base")
        cached = self._cache.get((currency, month))
        if cached is not None:
            return cached
        months, values = self._stored.get(currency, ([], []))
        i = bisect.bisect_right(months, month)
        if i:
            found_month = months[i - 1]
            source = STORED if found_month == month else EARLIER
            result = Rate(currency, month, values[i - 1], source, None if source == STORED else found_month)
        else:
            if (currency, month) not in self._receipts_read:
                self._read_receipts(currency, month)
            if (currency, month) in self._receipts:
                result = Rate(currency, month, self._receipts[(currency, month)], RECEIPTS)
            else:
                result = Rate(currency, month, ONE, MISSING)
        self._cache[(currency, month)] = result
        return result

    def factor(self, currency: str, month: dt.date) -> Decimal:
        """What one unit of `currency` is worth in the reporting currency in `month`."""
        found = self._factors.get((currency, month))
        if found is None:
            found = self._factors[(currency, month)] = self._factor(currency, month)
        return found

    def _factor(self, currency: str, month: dt.date) -> Decimal:
        source = self.rate(currency, month)
        target = self.rate(self.reporting, month)
        if source.currency != BASE:
            self.used[(source.currency, source.month)] = source
        if target.currency != BASE:
            self.used[(target.currency, target.month)] = target
        if source.currency == target.currency or currency == self.reporting:
            return ONE
        return source.rate / target.rate

    def convert(self, amount: Decimal | int | float | None, currency: str, month: dt.date) -> Decimal:
        """`amount` of `currency` in the reporting currency at `month`'s rates (not rounded: round the totals)."""
        if not amount:
            return Decimal(0)
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
        if currency == self.reporting:
            return value
        return value * self.factor(currency, month)

    def warnings(self) -> list[str]:
        """What the reader must know about the rates used: a currency-month converted at 1 (no rate at all)."""
        missing: dict[str, list[str]] = defaultdict(list)
        for (currency, month), rate in sorted(self.used.items()):
            if rate.source == MISSING:
                missing[currency].append(key_of(month))
        return [
            _(
                "No exchange rate for %(currency)s in %(months)s: those amounts are counted at 1 %(currency)s = 1 CNY. "
                "Add the rate on the exchange-rates page."
            )
            % {"currency": currency, "months": ", ".join(months)}
            for currency, months in missing.items()
        ]

    def used_rates(self) -> list[Rate]:
        """The rates the figures were converted at, by currency and month."""
        return [self.used[k] for k in sorted(self.used)]
