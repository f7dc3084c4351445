"""Material requirements: BOM × quantity with scrap, netted against stock (reserved per order) and open POs."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.followup.models import Milestone
from gendan.inventory.models import Reservation, Stock
from gendan.procurement import services
from gendan.procurement.models import MaterialRequirement, RequirementRun
from gendan.sales import services as sales

pytestmark = pytest.mark.django_db


def reqs(order):
    return {r.material.code: r for r in MaterialRequirement.objects.filter(order=order).select_related("material")}


def test_confirming_an_order_explodes_its_bom_with_scrap_and_needs_it_by_materials_in_house(world, confirmed):
    order = confirmed(quantity=100)
    rows = reqs(order)
    assert rows["FAB"].required_qty == Decimal("153.000")  # 100 × 1.5 × 1.02
    assert rows["BTN"].required_qty == Decimal("600.000")
    assert rows["FAB"].to_buy_qty == Decimal("153.000")
    mih = Milestone.objects.get(order=order, code="MIH")
    assert rows["FAB"].need_by_date == mih.planned_date
    run = RequirementRun.objects.get(order=order)
    assert {c["material"] for c in run.changes} == {"FAB", "BTN"}


def test_stock_is_reserved_per_order_and_never_counted_twice(world, confirmed):
    world.stock(world.fabric, 200)
    first = confirmed(quantity=100, ex_factory_date=dt.date(2027, 1, 20))
    second = confirmed(quantity=100, ex_factory_date=dt.date(2027, 2, 15))
    assert reqs(first)["FAB"].allocated_stock_qty == Decimal("153")
    assert reqs(first)["FAB"].to_buy_qty == 0
    assert reqs(second)["FAB"].allocated_stock_qty == Decimal("47")
    assert reqs(second)["FAB"].to_buy_qty == Decimal("106")
    stock = Stock.objects.get(material=world.fabric)
    assert stock.reserved == Decimal("200")
    # a rerun keeps what each order holds
    services.run_requirements(order_ids=[second.pk, first.pk], by=None)
    assert reqs(first)["FAB"].allocated_stock_qty == Decimal("153")
    assert sum(r.quantity for r in Reservation.objects.filter(material=world.fabric)) == Decimal("200")


def test_the_most_urgent_order_takes_free_stock_first(world, confirmed):
    late = confirmed(quantity=100, ex_factory_date=dt.date(2027, 3, 20))
    urgent = confirmed(quantity=100, ex_factory_date=dt.date(2027, 1, 20))
    Reservation.objects.all().delete()  # nothing held yet: stock arrives now
    world.stock(world.fabric, 153)
    services.run_requirements(order_ids=[late.pk, urgent.pk], by=None)
    assert reqs(urgent)["FAB"].allocated_stock_qty == Decimal("153")
    assert reqs(late)["FAB"].allocated_stock_qty == 0


def test_an_order_change_reruns_and_says_what_changed(world, confirmed):
    order = confirmed(quantity=100)
    line = order.lines.get()
    sales.update_order(
        order=order,
        by=world.merchandiser,
        version=order.version,
        data={},
        lines=[{"id": line.pk, "product": world.product, "quantity": Decimal("120"), "unit_price": Decimal("10")}],
        change_reason="customer adds 20",
    )
    run = RequirementRun.objects.filter(order=order).first()
    fab = next(c for c in run.changes if c["material"] == "FAB")
    assert fab["required_qty"] == ["153", "183.6"]
    assert reqs(order)["FAB"].to_buy_qty == Decimal("183.6")


def test_a_cancelled_order_gives_its_stock_back(world, confirmed):
    world.stock(world.fabric, 100)
    order = confirmed(quantity=100)
    assert Stock.objects.get(material=world.fabric).reserved == 100
    sales.cancel_order(order=order, by=world.boss, reason="customer withdrew")
    assert Stock.objects.get(material=world.fabric).reserved == 0
    assert not MaterialRequirement.objects.filter(order=order).exists()


def test_open_purchase_lines_count_as_on_order_for_their_order(world, confirmed):
    order = confirmed(quantity=100)
    pos, _messages = services.create_from_requirements(by=world.buyer, order_ids=[order.pk])
    assert len(pos) == 1
    rows = reqs(order)
    assert rows["FAB"].on_order_qty == Decimal("153")
    assert rows["FAB"].to_buy_qty == 0
    services.cancel(po=pos[0], by=world.buyer, reason="wrong supplier")
    assert reqs(order)["FAB"].to_buy_qty == Decimal("153")


def test_gross_requirements_round_up_to_the_unit_precision(world, confirmed):
    world.product.bom_lines.filter(material=world.fabric).update(qty_per_unit=Decimal("0.333"), scrap_pct=Decimal("1"))
    order = confirmed(quantity=7)
    assert reqs(order)["FAB"].required_qty == Decimal("2.355")  # 7 × 0.333 × 1.01 = 2.35431 → up


def test_the_command_and_the_nightly_job_net_every_order(world, confirmed):
    import io

    from django.core.management import call_command

    from gendan.procurement.tasks import nightly_requirements

    order = confirmed(quantity=100)
    world.stock(world.fabric, 10)
    out = io.StringIO()
    call_command("requirements", "--order", order.number, stdout=out)
    assert "FAB: allocated_stock_qty 0 → 10" in out.getvalue()
    assert reqs(order)["FAB"].to_buy_qty == Decimal("143")
    world.stock(world.fabric, 10)
    counts = nightly_requirements.call()
    assert counts["orders"] == 1
    assert counts["changed"] == 1
    assert reqs(order)["FAB"].allocated_stock_qty == Decimal("20")
