"""Exchange rates: the services (every refusal writes nothing), the rule for a month without a rate, conversion."""

import random
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, ValidationError
from gendan.core.models import ObjectChange
from gendan.finance.models import Receipt
from gendan.reports import services
from gendan.reports.demo import build_demo
from gendan.reports.fx import Rates, months_between
from gendan.reports.models import ExchangeRate
from tests.factories import CustomerFactory
from tests.reports.conftest import day


@pytest.fixture
def keeper(make_user):  # noqa: ANN001, ANN201
    return make_user(Role.FINANCE, username="fin")


def test_create_update_delete_are_audited(keeper) -> None:  # noqa: ANN001
    rate = services.create_rate(
        by=keeper, data={"currency": "usd", "month": "2026-11-17", "rate": "7.1", "note": " x "}
    )
    assert (rate.currency, rate.month, rate.rate, rate.note, rate.updated_by) == (
        "USD", day(11, 1), D("7.100000"), "x", keeper
    )  # fmt: skip
    rate = services.update_rate(rate=rate, by=keeper, data={"rate": "7.2"}, version=1)
    assert rate.version == 2
    assert rate.rate == D("7.200000")
    services.update_rate(rate=rate, by=keeper, data={"rate": "7.2"}, version=2)  # nothing changed: no new version
    rate.refresh_from_db()
    assert rate.version == 2
    services.delete_rate(rate=rate, by=keeper, version=2)
    actions = list(ObjectChange.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]
    assert not ExchangeRate.objects.exists()


def test_refusals_write_nothing(keeper, make_user) -> None:  # noqa: ANN001
    rate = services.create_rate(by=keeper, data={"currency": "EUR", "month": "2026-10", "rate": "7.8"})
    before = (ExchangeRate.objects.count(), ObjectChange.objects.count())
    with pytest.raises(StaleVersion):
        services.update_rate(rate=rate, by=keeper, data={"rate": "9"}, version=7)
    with pytest.raises(ValidationError) as caught:
        services.update_rate(rate=rate, by=keeper, data={"rate": "-1", "currency": "CNY"}, version=1)
    assert set(caught.value.errors) == {"rate", "currency"}
    with pytest.raises(PermissionDenied):
        services.create_rate(by=make_user(Role.MERCHANDISER), data={"currency": "GBP", "month": "2026-10", "rate": "9"})
    with pytest.raises(PermissionDenied):
        services.delete_rate(rate=rate, by=make_user(Role.SALES))
    with pytest.raises(ValidationError) as caught:
        services.create_rate(by=keeper, data={"currency": "EUR", "month": "2026-10-05", "rate": "7.9"})
    assert "already" in caught.value.errors["month"][0]
    assert (ExchangeRate.objects.count(), ObjectChange.objects.count()) == before
    rate.refresh_from_db()
    assert (rate.rate, rate.version) == (D("7.800000"), 1)


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
