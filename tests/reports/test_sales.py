"""The sales report (销量): totals by hand on the fixture's history, currency rules, filters, group_by, scope."""

from decimal import Decimal as D

import pytest

from gendan.core.exceptions import PermissionDenied, ValidationError
from gendan.reports import selectors
from gendan.reports.selectors import SalesFilters, sales_report
from tests.reports.conftest import World, day

PERIOD = {"date_from": day(9, 1), "date_to": day(11, 24)}


def by(report: selectors.Report, *dims: str) -> dict:
    return {tuple(r["keys"][d] for d in dims): r for r in report.rows}


def test_sales_by_month_in_cny(world: World) -> None:
    report = sales_report(**PERIOD, group_by="month")
    assert report.currency == "CNY"
    rows = by(report, "month")
    assert list(rows) == [("2026-09",), ("2026-10",), ("2026-11",)]
    assert rows[("2026-09",)]["amount"] == D("1780.00")  # 250 USD × 7.00 + 30 EUR × 1 (no rate)
    assert rows[("2026-10",)]["amount"] == D("1570.00")  # 200 EUR × 7.85 (receipts' average)
    assert rows[("2026-11",)]["amount"] == D("1210.00")  # 100 USD × 7.10 (October's) + 500 CNY
    assert rows[("2026-09",)]["quantity"] == D("120")
    assert rows[("2026-09",)]["orders"] == 2
    assert rows[("2026-09",)]["lines"] == 3
    assert report.totals["amount"] == D("4560.00")
    assert report.totals["quantity"] == D("195")
    assert report.totals["orders"] == 5  # S1 S2 S3 S4 S7: not the draft, the cancelled, nor the one held in review
    assert rows[("2026-10",)]["share"] == D("34.4")  # 1570 / 4560
    assert report.warnings == [
        "No exchange rate for EUR in 2026-09: those amounts are counted at 1 EUR = 1 CNY. "
        "Add the rate on the exchange-rates page."
    ]
    used = {(r.currency, f"{r.month:%Y-%m}"): (r.rate, r.source) for r in report.rates}
    assert used[("USD", "2026-11")] == (D("7.100000"), "earlier")
    assert used[("EUR", "2026-10")] == (D("7.850000"), "receipts")
    assert used[("EUR", "2026-09")] == (D(1), "missing")
    assert used[("USD", "2026-09")][1] == "stored"


def test_trend_against_the_year_before(world: World) -> None:
    report = sales_report(**PERIOD, group_by="month")
    trend = {t["month"]: t for t in report.extra["trend"]}
    assert trend["2026-11"] == {"month": "2026-11", "amount": D("1210.00"), "previous_amount": D("144.00")}
    assert trend["2026-09"]["previous_amount"] == D("0.00")


def test_sales_by_customer_and_month(world: World) -> None:
    report = sales_report(**PERIOD, group_by="customer,month")
    assert report.group_by == ["customer", "month"]
    rows = by(report, "customer", "month")
    a, b, c = world.a.pk, world.b.pk, world.c.pk
    assert rows[(a, "2026-09")]["amount"] == D("1750.00")
    assert rows[(a, "2026-11")]["amount"] == D("710.00")
    assert rows[(b, "2026-09")]["amount"] == D("30.00")
    assert rows[(b, "2026-10")]["amount"] == D("1570.00")
    assert rows[(c, "2026-11")]["amount"] == D("500.00")
    assert len(rows) == 5
    assert rows[(a, "2026-09")]["labels"] == {"customer": "A Alpha", "month": "2026-09"}
    # months first, the biggest first within a month
    assert [(r["keys"]["month"], r["keys"]["customer"]) for r in report.rows] == [
        ("2026-09", a), ("2026-09", b), ("2026-10", b), ("2026-11", a), ("2026-11", c)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("dim", "expected"),
    [
        ("customer", {"A": D("2460.00"), "B": D("1600.00"), "C": D("500.00")}),
        ("product", {"P1": D("2640.00"), "P2": D("1920.00")}),
        ("category", {"Lamps": D("2640.00"), "Chairs": D("1920.00")}),
        ("country", {"US": D("2460.00"), "DE": D("1600.00"), "CN": D("500.00")}),
        ("merchandiser", {"mer1": D("2960.00"), "mer2": D("1600.00")}),
        ("status", {"confirmed": D("1750.00"), "shipped": D("710.00"), "in_production": D("1570.00"),
                    "closed": D("30.00"), "on_hold": D("500.00")}),
    ],
)  # fmt: skip
def test_every_dimension_adds_up(world: World, dim: str, expected: dict) -> None:
    report = sales_report(**PERIOD, group_by=dim)
    names = {
        "customer": lambda k: {world.a.pk: "A", world.b.pk: "B", world.c.pk: "C"}[k],
        "product": lambda k: {world.p1.pk: "P1", world.p2.pk: "P2"}[k],
        "merchandiser": lambda k: {world.mer1.pk: "mer1", world.mer2.pk: "mer2"}[k],
    }.get(dim, lambda k: k)
    assert {names(r["keys"][dim]): r["amount"] for r in report.rows} == expected
    assert sum(r["amount"] for r in report.rows) == report.totals["amount"] == D("4560.00")


def test_orders_are_counted_once_in_the_totals_when_a_dimension_splits_them(world: World) -> None:
    report = sales_report(**PERIOD, group_by="product")
    assert sum(r["orders"] for r in report.rows) == 6  # S1 has both products
    assert report.totals["orders"] == 5


def test_filters(world: World) -> None:
    lamps = sales_report(**PERIOD, group_by="month", filters=SalesFilters(category="Lamps"))
    assert lamps.totals["amount"] == D("2640.00")  # 1400 + 30 + 710 + 500
    alpha = sales_report(**PERIOD, group_by="month", filters=SalesFilters(customer_id=world.a.pk))
    assert alpha.totals["amount"] == D("2460.00")
    german = sales_report(**PERIOD, group_by="customer", filters=SalesFilters(country="de"))
    assert german.totals["amount"] == D("1600.00")
    shipped = sales_report(**PERIOD, filters=SalesFilters(status="shipped"))
    assert shipped.totals["amount"] == D("710.00")
    mine = sales_report(**PERIOD, filters=SalesFilters(merchandiser_id=world.mer2.pk))
    assert mine.totals["amount"] == D("1600.00")
    chair = sales_report(**PERIOD, filters=SalesFilters(product_id=world.p2.pk))
    assert chair.totals["quantity"] == D("30")


def test_a_merchandiser_sees_their_own(world: World) -> None:
    assert selectors.scope_of(world.mer1) == world.mer1.pk
    report = sales_report(**PERIOD, group_by="customer", scope=world.mer1.pk)
    assert report.totals["amount"] == D("2960.00")  # customers A and C
    assert {r["keys"]["customer"] for r in report.rows} == {world.a.pk, world.c.pk}


def test_who_sees_everything(world: World, manager, finance_user, make_user) -> None:
    assert selectors.scope_of(manager) is None
    assert selectors.scope_of(finance_user) is None
    with pytest.raises(PermissionDenied):
        selectors.scope_of(make_user("qc"))


def test_another_reporting_currency(world: World, settings) -> None:
    settings.GENDAN_REPORTING_CURRENCY = "USD"
    report = sales_report(**PERIOD, group_by="month")
    assert report.currency == "USD"
    rows = by(report, "month")
    assert rows[("2026-10",)]["amount"] == D("221.13")  # 200 EUR × 7.85 / 7.10
    assert rows[("2026-11",)]["amount"] == D("170.42")  # 100 USD + 500 CNY / 7.10
    assert rows[("2026-09",)]["amount"] == D("254.29")  # 250 USD + 30 EUR × 1 / 7.00


@pytest.mark.parametrize(
    ("group_by", "message"),
    [
        ("colour", "“colour” is not a dimension of this report"),
        ("month,customer,product", "Group by one or two dimensions, not more."),
    ],
)
def test_bad_group_by_is_refused_naming_it(world: World, group_by: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        sales_report(**PERIOD, group_by=group_by)
    assert message in caught.value.errors["group_by"][0]


def test_bad_periods(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        sales_report(date_from=day(11, 2), date_to=day(11, 1))
    assert "to" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        sales_report(date_from=day(1, 1, 2019), date_to=day(11, 1))
    assert "from" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        sales_report(**PERIOD, filters=SalesFilters(status="draft"))
    assert "status" in caught.value.errors


def test_default_period_is_the_last_twelve_months(world: World) -> None:
    report = sales_report(group_by="month")
    assert (report.date_from, report.date_to) == (day(12, 1, 2025), day(11, 24))
    # and the delivery orders of July and August: D1, D2 100 USD each at 7.20 (November 2025's, the latest earlier),
    # D3–D5 100 EUR each at 1 (no EUR rate before November), D6 40 CNY
    assert report.totals["amount"] == D("4560.00") + 2 * D("720.00") + D("300.00") + D("40.00")
