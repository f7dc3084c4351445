"""Core's one monthly table of exchange rates (gendan.core.fx): the rate of a day (its month's, else the latest
earlier month's; CNY 1), every currency's rates of a day in one query, and the writes — permission, version, audit,
every refusal writing nothing."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal as D

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gendan.core import clock, fx
from gendan.core.choices import Role
from gendan.core.exceptions import NotFound, PermissionDenied, StaleVersion, ValidationError
from gendan.core.models import ExchangeRate, ObjectChange

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def month(m: int, year: int = 2026) -> dt.date:
    return dt.date(year, m, 1)


@pytest.fixture
def keeper(make_user):  # noqa: ANN001, ANN201
    return make_user(Role.FINANCE, username="fin")


@pytest.fixture
def stored() -> None:
    """USD for September and November 2026 (none for October), EUR for March; nothing before."""
    for currency, on, rate in (("USD", month(9), "7.00"), ("USD", month(11), "7.12"), ("EUR", month(3), "7.70")):
        ExchangeRate.objects.create(currency=currency, month=on, rate=D(rate))


# ---- reads -------------------------------------------------------------------------------------------------------


def test_rate_on_takes_the_months_rate_else_the_latest_earlier_one(stored: None) -> None:
    assert fx.rate_on("USD", dt.date(2026, 9, 30)) == D("7.00")  # its month's
    assert fx.rate_on("usd", dt.date(2026, 10, 15)) == D("7.00")  # October has none: September's
    assert fx.rate_on("USD", dt.date(2026, 11, 1)) == D("7.12")
    assert fx.rate_on("USD", dt.date(2027, 5, 1)) == D("7.12")  # a later month keeps the latest
    assert fx.rate_on("USD", dt.date(2026, 8, 31)) is None  # nothing stored up to August
    assert fx.rate_on("GBP", dt.date(2026, 11, 1)) is None
    assert fx.rate_on("CNY", dt.date(2000, 1, 1)) == 1


def test_rate_on_and_current_rates_default_to_core_clocks_today(stored: None) -> None:
    assert fx.rate_on("USD") == D("7.12")  # the suite's today is 2026-11-24
    assert fx.current_rates() == {"CNY": 1, "USD": D("7.12"), "EUR": D("7.70")}
    with clock.frozen(dt.date(2026, 10, 31)):
        assert fx.rate_on("USD") == D("7.00")
        assert fx.current_rates() == {"CNY": 1, "USD": D("7.00"), "EUR": D("7.70")}


def test_current_rates_of_a_day_in_one_query(stored: None, django_assert_num_queries) -> None:  # noqa: ANN001
    with django_assert_num_queries(1):
        assert fx.current_rates(dt.date(2026, 4, 2)) == {"CNY": 1, "EUR": D("7.70")}  # USD starts in September
    with django_assert_num_queries(1):
        rows = fx.current_rows(dt.date(2026, 10, 2))
    assert {c: (r.month, r.rate) for c, r in rows.items()} == {
        "EUR": (month(3), D("7.70")),
        "USD": (month(9), D("7.00")),
    }


@given(day=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31)))
def test_current_rates_agree_with_rate_on_for_every_day(day: dt.date) -> None:
    if not ExchangeRate.objects.exists():
        for currency, on, rate in (("USD", month(9), "7.00"), ("USD", month(11), "7.12"), ("EUR", month(3), "7.7")):
            ExchangeRate.objects.create(currency=currency, month=on, rate=D(rate))
    rates = fx.current_rates(day)
    for currency in ("USD", "EUR", "GBP", "CNY"):
        assert rates.get(currency) == fx.rate_on(currency, day)


def test_the_list_and_one_rate(stored: None) -> None:
    assert [(r.currency, r.month) for r in fx.rates()] == [("USD", month(11)), ("USD", month(9)), ("EUR", month(3))]
    assert [r.month for r in fx.rates(currency=" usd", year=2026)] == [month(11), month(9)]
    rate = ExchangeRate.objects.get(currency="EUR")
    assert fx.get_rate(rate.pk) == rate
    assert fx.rate_of_month("eur", dt.date(2026, 3, 31)) == rate
    assert fx.rate_of_month("EUR", dt.date(2026, 4, 1)) is None
    with pytest.raises(NotFound):
        fx.get_rate(999999)


# ---- writes ------------------------------------------------------------------------------------------------------


def test_create_update_delete_are_audited(keeper) -> None:  # noqa: ANN001
    rate = fx.create_rate(by=keeper, data={"currency": "usd", "month": "2026-11-17", "rate": "7.1", "note": " x "})
    assert (rate.currency, rate.month, rate.rate, rate.note, rate.updated_by) == (
        "USD", month(11), D("7.100000"), "x", keeper
    )  # fmt: skip
    rate = fx.update_rate(rate=rate, by=keeper, data={"rate": "7.2"}, version=1)
    assert rate.version == 2
    assert rate.rate == D("7.200000")
    fx.update_rate(rate=rate, by=keeper, data={"rate": "7.2"}, version=2)  # nothing changed: no new version
    rate.refresh_from_db()
    assert rate.version == 2
    fx.delete_rate(rate=rate, by=keeper, version=2)
    changes = ObjectChange.objects.order_by("id")
    assert list(changes.values_list("action", flat=True)) == ["create", "update", "delete"]
    assert {(c.content_type.app_label, c.content_type.model) for c in changes} == {("core", "exchangerate")}
    assert not ExchangeRate.objects.exists()


def test_refusals_write_nothing(keeper, make_user) -> None:  # noqa: ANN001
    rate = fx.create_rate(by=keeper, data={"currency": "EUR", "month": "2026-10", "rate": "7.8"})
    before = (ExchangeRate.objects.count(), ObjectChange.objects.count())
    with pytest.raises(StaleVersion):
        fx.update_rate(rate=rate, by=keeper, data={"rate": "9"}, version=7)
    with pytest.raises(ValidationError) as caught:
        fx.update_rate(rate=rate, by=keeper, data={"rate": "-1", "currency": "CNY"}, version=1)
    assert set(caught.value.errors) == {"rate", "currency"}
    with pytest.raises(ValidationError) as caught:
        fx.create_rate(by=keeper, data={"currency": "XYZ", "month": "2026-13", "rate": "1.1234567", "note": "n" * 201})
    assert set(caught.value.errors) == {"currency", "month", "rate", "note"}
    with pytest.raises(ValidationError) as caught:
        fx.create_rate(by=keeper, data={"currency": "EUR", "month": "2026-10-05", "rate": "7.9"})
    assert "already" in caught.value.errors["month"][0]
    with pytest.raises(StaleVersion):
        fx.delete_rate(rate=rate, by=keeper, version=5)
    assert (ExchangeRate.objects.count(), ObjectChange.objects.count()) == before
    rate.refresh_from_db()
    assert (rate.rate, rate.version) == (D("7.800000"), 1)


@pytest.mark.parametrize(
    ("role", "keeps"),
    [
        (Role.FINANCE, True),
        (Role.MANAGER, True),
        (Role.MERCHANDISER, False),
        (Role.SALES, False),
        (Role.PURCHASING, False),
    ],
)
def test_finance_and_managers_keep_the_rates_every_role_reads_them(make_user, role: str, keeps: bool) -> None:  # noqa: ANN001
    user = make_user(role)
    assert user.has_perm("core.view_exchangerate")
    assert all(user.has_perm(f"core.{p}_exchangerate") == keeps for p in ("add", "change", "delete"))
    data = {"currency": "GBP", "month": "2026-11", "rate": "9.05"}
    if keeps:
        rate = fx.create_rate(by=user, data=data)
        fx.update_rate(rate=rate, by=user, data={"note": "bank"}, version=1)
        fx.delete_rate(rate=rate, by=user, version=2)
        return
    rate = ExchangeRate.objects.create(currency="USD", month=month(11), rate=D(7))
    for write in (
        lambda: fx.create_rate(by=user, data=data),
        lambda: fx.update_rate(rate=rate, by=user, data={"rate": "8"}, version=1),
        lambda: fx.delete_rate(rate=rate, by=user, version=1),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert list(ExchangeRate.objects.values_list("currency", "rate")) == [("USD", D(7))]
    assert not ObjectChange.objects.exists()


def test_a_clash_found_only_by_the_database_is_a_validation_error(keeper) -> None:  # noqa: ANN001
    """Two people storing the same currency and month at once: the second gets the clash on `month`, not a 500."""
    ExchangeRate.objects.create(currency="USD", month=month(11), rate=D(7))
    with pytest.raises(ValidationError) as caught:
        fx._save(ExchangeRate(currency="USD", month=month(11), rate=D(8)), create=True)
    assert "already" in caught.value.errors["month"][0]
    assert ExchangeRate.objects.get().rate == D(7)  # the transaction is still usable


def test_a_removed_rate_cannot_be_changed_or_removed_again(keeper) -> None:  # noqa: ANN001
    rate = fx.create_rate(by=keeper, data={"currency": "USD", "month": "2026-11", "rate": "7"})
    fx.delete_rate(rate=rate, by=keeper)
    with pytest.raises(NotFound):
        fx.update_rate(rate=rate, by=keeper, data={"rate": "8"})
    with pytest.raises(NotFound):
        fx.delete_rate(rate=rate, by=keeper)
