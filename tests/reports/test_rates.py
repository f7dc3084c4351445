"""The reports' exchange rates: the rule for a month without a rate (core's monthly table, then the receipts),
conversion, the demo's monthly rates. The table's reads and writes are tested in tests/core/test_fx.py."""

import random
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from gendan.core.choices import Role
from gendan.core.models import ExchangeRate, ObjectChange
from gendan.finance.models import Receipt
from gendan.reports.demo import build_demo
from gendan.reports.fx import Rates, months_between
from tests.factories import CustomerFactory
from tests.reports.conftest import day


def test_the_rule_for_a_month_without_a_rate(db: None) -> None:
    ExchangeRate.objects.create(currency="USD", month=day(9, 1), rate=D("7.00"))
    customer = CustomerFactory()
    for n, (on, fx) in enumerate(((day(10, 3), "7.80"), (day(10, 20), "7.90"), (day(11, 2), "0"))):
        Receipt.objects.create(
            number=f"R{n}", customer=customer, currency="EUR", amount=D(1), fx_rate=D(fx), received_date=on
        )
    rates = Rates.load(months=months_between(day(8, 1), day(11, 1)))
    assert rates.rate("CNY", day(8, 1)).rate == 1
    assert (rates.rate("USD", day(9, 1)).rate, rates.rate("USD", day(9, 1)).source) == (D("7.00"), "stored")
    later = rates.rate("USD", day(11, 1))
    assert (later.rate, later.source, later.from_month) == (D("7.00"), "earlier", day(9, 1))
    assert rates.rate("USD", day(8, 1)).source == "missing"  # nothing stored before, no USD receipt
    assert (rates.rate("EUR", day(10, 1)).rate, rates.rate("EUR", day(10, 1)).source) == (D("7.850000"), "receipts")
    assert rates.rate("EUR", day(11, 1)).source == "missing"  # a receipt without its rate does not count
    assert rates.convert(D("10"), "USD", day(11, 1)) == D("70.00")
    assert rates.convert(D("10"), "EUR", day(8, 1)) == D("10")
    assert rates.warnings() == [
        "No exchange rate for EUR in 2026-08: those amounts are counted at 1 EUR = 1 CNY. "
        "Add the rate on the exchange-rates page."
    ]


@settings(max_examples=60, deadline=None)
@given(
    amount=st.decimals(min_value=0, max_value=10**9, places=2),
    usd=st.decimals(min_value=D("0.5"), max_value=D("20"), places=4),
    eur=st.decimals(min_value=D("0.5"), max_value=D("20"), places=4),
)
def test_conversion_between_two_foreign_currencies(amount: D, usd: D, eur: D) -> None:
    """EUR in a USD report: amount × EUR rate ÷ USD rate; and back again gives the amount."""
    rates = Rates(reporting="USD")
    rates._stored = {"USD": ([day(1, 1)], [usd]), "EUR": ([day(1, 1)], [eur])}
    rates._months = [day(6, 1)]
    converted = rates.convert(amount, "EUR", day(6, 1))
    assert converted == amount * (eur / usd)
    back = Rates(reporting="EUR")
    back._stored, back._months = rates._stored, rates._months
    assert abs(back.convert(converted, "USD", day(6, 1)) - amount) < D("0.000001")
    assert rates.convert(amount, "USD", day(6, 1)) == amount


def test_the_demo_stores_monthly_rates_through_the_services(make_user) -> None:  # noqa: ANN001
    from tests.factories import ProductFactory
    from tests.reports.conftest import make_order

    make_user(Role.FINANCE, username="finance")
    mer = make_user(Role.MERCHANDISER)
    customer = CustomerFactory(currency="USD")
    make_order(customer, mer, currency="USD", order_date=day(8, 15), lines=[(ProductFactory(), "1", "1")])
    make_order(customer, mer, currency="EUR", order_date=day(9, 15), lines=[(ProductFactory(), "1", "1")])
    summary = build_demo(today=day(11, 24), rng=random.Random(3))
    assert summary.startswith("exchange rates: 6 monthly rates of EUR, USD (2026-08 to 2026-10)")
    assert set(ExchangeRate.objects.values_list("month", flat=True)) == {day(8, 1), day(9, 1), day(10, 1)}
    latest = ExchangeRate.objects.get(currency="USD", month=day(10, 1))
    assert latest.rate == D("7.1200")
    assert latest.note == "demo"
    assert ObjectChange.objects.filter(action="create").count() >= 6
    assert build_demo(today=day(11, 24), rng=random.Random(3)).startswith("exchange rates: 0 monthly rates")
    assert ExchangeRate.objects.count() == 6


def test_the_demo_keeps_a_month_the_quotations_demo_stored(make_user) -> None:  # noqa: ANN001
    """The quotations' demo stores its rates as the rates of its first month: one row per currency and month."""
    from gendan.core import fx
    from tests.factories import ProductFactory
    from tests.reports.conftest import make_order

    keeper = make_user(Role.FINANCE, username="finance")
    customer = CustomerFactory(currency="USD")
    make_order(customer, keeper, currency="USD", order_date=day(8, 15), lines=[(ProductFactory(), "1", "1")])
    fx.create_rate(by=keeper, data={"currency": "USD", "month": day(9, 1), "rate": "7.05"})
    summary = build_demo(today=day(11, 24), rng=random.Random(3))
    assert summary.startswith("exchange rates: 2 monthly rates of USD (2026-08 to 2026-10)")
    assert ExchangeRate.objects.get(currency="USD", month=day(9, 1)).rate == D("7.05")
    assert ExchangeRate.objects.filter(currency="USD").count() == 3
