"""Demo data of the reports: the monthly exchange rates (汇率) of the demo period, kept by finance in core's one table.

Called at the end of the demo build (`gendan demo`), after the quotations' demo: every foreign currency the demo's
orders, invoices, receipts and materials use gets a rate for each month from the first order's month to last month,
drifting a little around the demo's rates of the day. A currency and month that already has a rate (the quoting
rate the quotations' demo stored for its month) keeps it: one row per currency and month. The current month has none
yet, so the reports and new quotations take last month's (as they would on the first days of a month before
finance enters it)."""

import datetime as dt
import random
from decimal import Decimal

from gendan.core import fx
from gendan.core.fx import BASE, month_start
from gendan.core.models import ExchangeRate, User
from gendan.reports.fx import months_between

DAY_RATES = {
    "USD": "7.1200",
    "EUR": "7.7500",
    "GBP": "9.0500",
    "JPY": "0.047800",
    "CAD": "5.1800",
    "AUD": "4.6500",
    "HKD": "0.9150",
    "CHF": "8.0500",
    "SGD": "5.3000",
    "KRW": "0.005100",
    "AED": "1.9400",
}
DRIFT = 0.012  # a month's rate moves at most this much (relative) from the previous month's


def _currencies_in_use() -> set[str]:
    from gendan.catalog.models import Material
    from gendan.finance.models import Invoice, Receipt
    from gendan.sales.models import Order

    found = set(Order.objects.values_list("currency", flat=True).distinct())
    found |= set(Invoice.objects.values_list("currency", flat=True).distinct())
    found |= set(Receipt.objects.values_list("currency", flat=True).distinct())
    found |= set(Material.objects.values_list("purchase_currency", flat=True).distinct())
    found.discard(BASE)
    return found


def _keeper() -> User | None:
    return (
        User.objects.filter(username="finance").first()
        or User.objects.filter(groups__name="finance").first()
        or User.objects.filter(is_superuser=True).first()
    )


def build_demo(*, today: dt.date, rng: random.Random) -> str:
    """Monthly rates for the demo period, through core's services; returns a one-line summary."""
    from gendan.sales.models import Order

    by = _keeper()
    if by is None:
        return "exchange rates: no finance user, none stored"
    first = Order.objects.order_by("order_date").values_list("order_date", flat=True).first() or today
    last_month = month_start(month_start(today) - dt.timedelta(days=1))
    months = months_between(min(first, last_month), last_month)
    currencies = sorted(_currencies_in_use())
    made = 0
    for currency in currencies:
        rate = Decimal(DAY_RATES.get(currency, "1"))
        places = Decimal("0.000001") if rate < 1 else Decimal("0.0001")
        taken = set(ExchangeRate.objects.filter(currency=currency, month__in=months).values_list("month", flat=True))
        # walk backwards from last month so the latest rate is close to the rate of the day
        for month in reversed(months):
            if month not in taken:
                fx.create_rate(
                    by=by,
                    data={"currency": currency, "month": month, "rate": rate.quantize(places), "note": "demo"},
                )
                made += 1
            rate = rate * Decimal(str(1 + rng.uniform(-DRIFT, DRIFT)))
    span = f"{months[0]:%Y-%m} to {months[-1]:%Y-%m}" if months else "-"
    return f"exchange rates: {made} monthly rates of {', '.join(currencies) or 'no currency'} ({span})"
