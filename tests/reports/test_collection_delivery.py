"""Collection (回款) and delivery performance (交货准时率): totals by hand on the fixture's history."""

from decimal import Decimal as D

import pytest

from gendan.reports.selectors import (
    CollectionFilters,
    DeliveryFilters,
    collection_report,
    delivery_report,
)
from tests.reports.conftest import World, day

PERIOD = {"date_from": day(9, 1), "date_to": day(11, 24)}  # 85 days


def by(report, *dims: str) -> dict:
    return {tuple(r["keys"][d] for d in dims): r for r in report.rows}


# ---------------------------------------------------------------------------------------------- collection


def test_collection_by_customer(world: World) -> None:
    report = collection_report(**PERIOD, group_by="customer")
    rows = by(report, "customer")
    a = rows[(world.a.pk,)]
    assert a["invoiced"] == D("10550.00")  # I1 1000 × 7.00 + I2 500 × 7.10
    assert a["collected"] == D("6360.00")  # 300 × 7.00 (Sep) + 600 × 7.10 (Oct)
    assert a["credited"] == D("710.00")  # the credit note, 100 × 7.10
    assert a["open"] == D("5680.00")  # 1800 invoiced by the end − 1000 settled = 800 USD × 7.10
    assert a["overdue"] == D("2130.00")  # I1 and I4 (due before today): 1300 − 1000 = 300 × 7.10
    assert a["dso"] == D("45.8")  # 5680 / 10550 × 85
    assert a["invoices"] == 2
    assert a["collected_pct"] == D("67.0")  # (6360 + 710) / 10550
    b = rows[(world.b.pk,)]
    assert (b["invoiced"], b["collected"], b["open"], b["overdue"]) == (
        D("1570.00"), D("785.00"), D("770.00"), D("770.00")
    )  # fmt: skip
    assert b["dso"] == D("41.7")
    assert world.c.pk not in {k[0] for k in rows}  # only a cancelled invoice
    t = report.totals
    assert (t["invoiced"], t["collected"], t["credited"], t["open"], t["overdue"]) == (
        D("12120.00"), D("7145.00"), D("710.00"), D("6450.00"), D("2900.00")
    )  # fmt: skip
    assert t["dso"] == D("45.2")
    assert t["invoices"] == 3


def test_collection_by_month_shows_each_months_closing_balance(world: World) -> None:
    report = collection_report(**PERIOD, group_by="month")
    rows = by(report, "month")
    sep, oct_, nov = rows[("2026-09",)], rows[("2026-10",)], rows[("2026-11",)]
    assert (sep["invoiced"], sep["collected"], sep["open"], sep["overdue"]) == (
        D("7000.00"), D("2100.00"), D("7000.00"), D("0.00")
    )  # fmt: skip
    assert sep["dso"] == D("30.0")
    # October closes with 900 USD (× 7.10) and 100 EUR (× 7.85) open; I1's 400 USD overdue; I3, due on the 31st,
    # is not overdue yet at the close of that day
    assert (oct_["invoiced"], oct_["collected"], oct_["open"], oct_["overdue"]) == (
        D("5120.00"), D("5045.00"), D("7175.00"), D("2840.00")
    )  # fmt: skip
    assert oct_["dso"] == D("43.4")
    assert (nov["invoiced"], nov["credited"], nov["open"], nov["overdue"], nov["dso"]) == (
        D("0.00"), D("710.00"), D("6450.00"), D("2900.00"), None
    )  # fmt: skip
    assert report.totals["open"] == D("6450.00")
    assert report.totals["overdue"] == D("2900.00")
    assert report.totals["invoiced"] == D("12120.00")


def test_collection_by_customer_and_month_matches_the_months(world: World) -> None:
    both = collection_report(**PERIOD, group_by="month,customer")
    months = collection_report(**PERIOD, group_by="month")
    for m in ("2026-09", "2026-10", "2026-11"):
        parts = [r for r in both.rows if r["keys"]["month"] == m]
        whole = by(months, "month")[(m,)]
        for name in ("invoiced", "collected", "credited", "open", "overdue"):
            assert sum(r[name] for r in parts) == whole[name], (m, name)


def test_collection_filters_and_scope(world: World) -> None:
    mine = collection_report(**PERIOD, group_by="customer", scope=world.mer2.pk)
    assert [r["keys"]["customer"] for r in mine.rows] == [world.b.pk]
    eur = collection_report(**PERIOD, group_by="currency", filters=CollectionFilters(currency="eur"))
    assert eur.totals["invoiced"] == D("1570.00")
    us = collection_report(**PERIOD, group_by="country", filters=CollectionFilters(country="US"))
    assert us.totals["open"] == D("5680.00")
    by_merch = collection_report(**PERIOD, group_by="merchandiser")
    assert by(by_merch, "merchandiser")[(world.mer1.pk,)]["invoiced"] == D("10550.00")


# ---------------------------------------------------------------------------------------------- delivery

DELIVERY = {"date_from": day(9, 1), "date_to": day(11, 30)}


def test_delivery_totals(world: World) -> None:
    report = delivery_report(**DELIVERY, group_by="customer")
    t = report.totals
    assert (t["due"], t["on_time"], t["late"], t["open_late"], t["not_due"]) == (5, 3, 2, 1, 1)
    assert (t["on_time_pct"], t["in_full_pct"], t["otif_pct"]) == (D("60.0"), D("60.0"), D("60.0"))
    assert t["avg_days_late"] == D("9.5")  # D2 5 days, D3 14 days (still not out today)
    rows = by(report, "customer")
    a, b, c = rows[(world.a.pk,)], rows[(world.b.pk,)], rows[(world.c.pk,)]
    assert (a["due"], a["on_time"], a["on_time_pct"], a["late"], a["avg_days_late"]) == (2, 1, D("50.0"), 1, D("5.0"))
    assert (b["due"], b["on_time"], b["not_due"], b["late"], b["open_late"]) == (2, 1, 1, 1, 1)
    assert b["in_full_pct"] == D("50.0")  # D5 shipped 90 of 100 within B's 10 % tolerance
    assert (c["due"], c["otif_pct"]) == (1, D("100.0"))  # D6: out by its first shipment


def test_delivery_by_factory_and_month(world: World) -> None:
    report = delivery_report(**DELIVERY, group_by="factory")
    rows = by(report, "factory")
    f1 = rows[(world.factories["F1"].pk,)]
    assert (f1["due"], f1["late"], f1["on_time_pct"]) == (1, 1, D("0.0"))  # D2's main factory (100 of 150)
    assert f1["labels"]["factory"] == "F1 Dongguan Sewing"
    assert world.factories["F2"].pk not in {k[0] for k in rows}
    in_house = rows[(None,)]
    assert in_house["labels"]["factory"] == "In house"
    assert (in_house["due"], in_house["on_time"]) == (4, 3)
    months = by(delivery_report(**DELIVERY, group_by="month"), "month")
    assert months[("2026-09",)]["due"] == 1
    assert months[("2026-10",)]["late"] == 1
    assert (months[("2026-11",)]["due"], months[("2026-11",)]["not_due"]) == (2, 1)


def test_delivery_top_causes(world: World) -> None:
    causes = delivery_report(**DELIVERY).extra["causes"]
    found = {(c["family"], c["cause_label"]): c["orders"] for c in causes}
    assert found == {
        ("milestone", "Materials in house"): 1,  # D2's MIH was done after its plan
        ("milestone", "Production done"): 1,  # D3's PRD is past its plan, not done
        ("supplier", "Over capacity"): 1,
        ("production", "Equipment failure"): 1,
    }


def test_delivery_filters_and_scope(world: World) -> None:
    mine = delivery_report(**DELIVERY, scope=world.mer1.pk)
    assert mine.totals["due"] == 3  # D1, D2, D6
    f1 = delivery_report(**DELIVERY, filters=DeliveryFilters(factory_id=world.factories["F1"].pk))
    assert f1.totals["due"] == 1
    de = delivery_report(**DELIVERY, filters=DeliveryFilters(country="DE"))
    assert (de.totals["due"], de.totals["not_due"]) == (2, 1)
    nothing = delivery_report(date_from=day(1, 1), date_to=day(1, 31))
    assert nothing.rows == []
    assert nothing.totals["due"] == 0
    assert nothing.totals["on_time_pct"] is None


@pytest.mark.parametrize("group_by", ["customer", "merchandiser", "country", "month,customer"])
def test_delivery_groups_add_up(world: World, group_by: str) -> None:
    report = delivery_report(**DELIVERY, group_by=group_by)
    for name in ("due", "on_time", "late", "not_due"):
        assert sum(r[name] for r in report.rows) == report.totals[name]


def test_an_order_shipped_without_shipment_records_is_in_full_when_it_left_on_time(world: World) -> None:
    from gendan.followup.models import Milestone
    from tests.reports.conftest import make_order

    for n, (status, actual) in enumerate((("closed", day(9, 20)), ("shipped", day(9, 28)), ("in_production", None))):
        order = make_order(
            world.c, world.mer1, currency="CNY", order_date=day(7, 1), ex_factory_date=day(9, 25), status=status,
            lines=[(world.p1, "10", "1")],
        )  # fmt: skip
        Milestone.objects.create(
            order=order, code="EXF", name_zh="出厂", name_en="Ex-factory", owner=world.mer1, planned_date=day(9, 25),
            forecast_date=actual or day(9, 25), actual_date=actual, is_ex_factory=True, position=n,
        )  # fmt: skip
    report = delivery_report(date_from=day(9, 20), date_to=day(9, 30), group_by="customer")
    t = report.totals
    # on time and no shipment recorded: in full; late: not; not out at all: not
    assert (t["due"], t["on_time"], t["otif_pct"], t["in_full_pct"]) == (3, 1, D("33.3"), D("33.3"))
