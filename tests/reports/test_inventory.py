"""The inventory report (库存统计): on hand, reserved, available, value, FIFO ageing and slow movers, by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from gendan.catalog.models import BomLine
from gendan.core.exceptions import ValidationError
from gendan.core.models import ExchangeRate
from gendan.inventory.models import Location, Stock, StockMovement, Warehouse
from gendan.reports.selectors import InventoryFilters, inventory_report
from tests.factories import MaterialFactory, ProductFactory
from tests.reports.conftest import day


@pytest.fixture
def store(db: None) -> dict:
    """FG: 30 lamps (10 reserved), received 2025-10-01. MAT: 100 of M1 (40 reserved) made of a receipt of 60 on
    11-10 and 40 left of a receipt of 80 on 08-01 (40 issued on 10-01); 50 of M2 with no movement recorded."""
    ExchangeRate.objects.create(currency="USD", month=day(11, 1), rate=D("7.00"))
    fg = Warehouse.objects.create(code="FG", name="Finished goods")
    mat = Warehouse.objects.create(code="MAT", name="Material store")
    l1 = Location.objects.create(warehouse=fg, code="A1")
    l2 = Location.objects.create(warehouse=mat, code="B1")
    m1 = MaterialFactory(
        code="M1", name="Steel tube", category="raw", purchase_price=D("2.00"), purchase_currency="CNY"
    )
    m2 = MaterialFactory(
        code="M2", name="Switch", category="electronic", purchase_price=D("1.00"), purchase_currency="USD"
    )
    lamp = ProductFactory(code="P1", name="台灯", name_en="Desk lamp", category="Lamps")
    BomLine.objects.create(product=lamp, material=m1, qty_per_unit=D(2), scrap_pct=D(10))
    BomLine.objects.create(product=lamp, material=m2, qty_per_unit=D(1), position=1)
    Stock.objects.create(location=l1, product=lamp, on_hand=D(30), reserved=D(10))
    Stock.objects.create(location=l2, material=m1, on_hand=D(100), reserved=D(40))
    Stock.objects.create(location=l2, material=m2, on_hand=D(50))
    Stock.objects.create(location=l1, material=m1, on_hand=D(0))

    def move(item: dict, location: Location, qty: str, on: dt.date, kind: str = "receipt") -> None:
        StockMovement.objects.create(
            kind=kind, location=location, quantity=D(qty), balance_after=0, date=on, created_at=timezone.now(), **item
        )

    move({"product": lamp}, l1, "30", day(10, 1, 2025))
    move({"material": m1}, l2, "80", day(8, 1))
    move({"material": m1}, l2, "-40", day(10, 1), kind="issue")
    move({"material": m1}, l2, "60", day(11, 10))
    return {"fg": fg, "mat": mat, "m1": m1, "m2": m2, "lamp": lamp}


PERIOD = {"date_from": day(9, 1), "date_to": day(11, 24)}


def rows_by_item(report) -> dict:
    return {r["keys"]["item"]: r for r in report.rows}


def test_inventory_by_item(store: dict) -> None:
    report = inventory_report(**PERIOD, group_by="item")
    rows = rows_by_item(report)
    lamp, m1, m2 = rows[f"p:{store['lamp'].pk}"], rows[f"m:{store['m1'].pk}"], rows[f"m:{store['m2'].pk}"]
    assert (lamp["on_hand"], lamp["reserved"], lamp["available"]) == (D(30), D(10), D(20))
    assert lamp["value"] == D("342.00")  # 30 × (2 × 1.10 × 2.00 + 1 × 1.00 USD × 7.00)
    assert lamp["age_365_plus"] == D(30)
    assert lamp["slow"] is True
    assert lamp["labels"]["item"] == "P1 Desk lamp"
    assert (m1["on_hand"], m1["available"], m1["value"]) == (D(100), D(60), D("200.00"))
    assert (m1["age_0_30"], m1["age_91_180"], m1["age_unknown"]) == (D(60), D(40), D(0))
    assert (m1["received"], m1["issued"], m1["last_out"]) == (D(60), D(40), day(10, 1))
    assert m1["slow"] is False  # 54 days since something went out
    assert (m2["age_unknown"], m2["value"], m2["slow"]) == (D(50), D("350.00"), True)
    assert report.totals["value"] == D("892.00")
    assert report.totals["on_hand"] == D(180)
    assert report.totals["slow_count"] == 2


def test_inventory_groupings(store: dict) -> None:
    kinds = {r["keys"]["kind"]: r for r in inventory_report(**PERIOD, group_by="kind").rows}
    assert (kinds["product"]["value"], kinds["material"]["value"]) == (D("342.00"), D("550.00"))
    houses = {r["labels"]["warehouse"]: r for r in inventory_report(**PERIOD, group_by="warehouse").rows}
    assert (houses["FG Finished goods"]["available"], houses["MAT Material store"]["available"]) == (D(20), D(110))
    both = inventory_report(**PERIOD)  # item × warehouse by default
    assert both.group_by == ["item", "warehouse"]
    assert len(both.rows) == 4  # the empty M1 place in FG too
    cats = {r["labels"]["category"]: r for r in inventory_report(**PERIOD, group_by="category").rows}
    assert set(cats) == {"Lamps", "Raw material", "Electronic part"}


def test_inventory_filters_and_slow_movers(store: dict) -> None:
    materials = inventory_report(**PERIOD, group_by="item", filters=InventoryFilters(kind="material"))
    assert materials.totals["on_hand"] == D(150)
    in_fg = inventory_report(**PERIOD, group_by="item", filters=InventoryFilters(warehouse_id=store["fg"].pk))
    assert in_fg.totals["on_hand"] == D(30)
    slow = inventory_report(**PERIOD, group_by="item", filters=InventoryFilters(slow_only=True))
    assert set(rows_by_item(slow)) == {f"p:{store['lamp'].pk}", f"m:{store['m2'].pk}"}
    slow30 = inventory_report(**PERIOD, group_by="item", slow_days=30)
    assert rows_by_item(slow30)[f"m:{store['m1'].pk}"]["slow"] is True
    with pytest.raises(ValidationError) as caught:
        inventory_report(**PERIOD, filters=InventoryFilters(kind="fish"))
    assert "kind" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        inventory_report(**PERIOD, slow_days=0)
    assert "slow_days" in caught.value.errors


def test_ageing_adds_up_to_what_is_on_hand(store: dict) -> None:
    report = inventory_report(**PERIOD, group_by="item")
    buckets = ["age_0_30", "age_31_90", "age_91_180", "age_181_365", "age_365_plus", "age_unknown"]
    for row in [*report.rows, report.totals]:
        assert sum(row[b] for b in buckets) == row["on_hand"]


def test_the_stock_value_of_the_key_figures_is_the_reports(store: dict) -> None:
    from gendan.reports.selectors import stock_value

    assert stock_value() == (D("892.00"), [])
