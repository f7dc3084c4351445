"""Shipments take only allocated stock: while a product is under allocation, a line's shipments may total what had
gone before the allocation plus what it was allocated, and a line without an allocation ships nothing more."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.core.exceptions import ValidationError
from gendan.inventory import allocation
from gendan.inventory.models import StockAllocation
from gendan.shipping import services as shipping
from gendan.shipping.models import Shipment, ShipmentLine
from tests.factories import CustomerFactory, ProductFactory
from tests.inventory.test_allocation import fg_location, line_of, lines_for, order_for, put

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def short(merchandiser, manager):
    """300 in stock; a key customer's order of 200 and a normal customer's of 250 (two orders of the same customer
    for the normal one, so a shipment can take both)."""
    product = ProductFactory(code="P-ALLOC")
    put(product, fg_location(manager), 300, manager)
    key = order_for(product, 200, by=merchandiser, manager=manager, tier="key")
    customer = CustomerFactory(tier="normal")
    normal = order_for(product, 250, by=merchandiser, manager=manager, customer=customer)
    return {"product": product, "key": key, "normal": normal, "customer": customer}


def ship(user, *pairs):
    return shipping.create_shipment(by=user, data={"lines": lines_for(*pairs)})


def test_a_product_not_under_allocation_ships_as_before(short, manager) -> None:
    assert ship(manager, (short["normal"], 250)).lines.get().quantity == D(250)


def test_a_shipment_may_not_take_more_than_the_line_was_allocated(short, manager) -> None:
    allocation.confirm_proposal(product=short["product"], by=manager, make_up_date="2027-03-01")
    assert StockAllocation.objects.get(order=short["normal"]).quantity == D(100)
    with pytest.raises(ValidationError) as refused:
        ship(manager, (short["normal"], 101))
    message = refused.value.errors["lines.1.quantity"][0]
    assert short["normal"].number in message
    assert "allocation of short stock" in message
    assert "100 allocated" in message
    assert "at most 100" in message
    assert not Shipment.objects.exists()
    first = ship(manager, (short["normal"], 60))
    # the line's other shipments count
    with pytest.raises(ValidationError, match="already in other shipments 60, so at most 40"):
        ship(manager, (short["normal"], 41))
    ship(manager, (short["normal"], 40))
    # changing the first shipment's lines is checked without counting itself
    with pytest.raises(ValidationError, match="at most 60"):
        shipping.update_shipment(shipment=first, by=manager, data={"lines": lines_for((short["normal"], 61))})
    shipping.update_shipment(shipment=first, by=manager, data={"lines": lines_for((short["normal"], 55))})
    assert sum(ShipmentLine.objects.values_list("quantity", flat=True)) == D(95)
    # the key customer ships its whole allocation
    ship(manager, (short["key"], 200))


def test_a_line_without_an_allocation_ships_nothing_while_its_product_is_allocated(
    short, manager, merchandiser
) -> None:
    allocation.confirm_allocation(product=short["product"], lines=lines_for((short["key"], 200)), by=manager)
    late = order_for(short["product"], 30, by=merchandiser, manager=manager, customer=short["customer"])
    with pytest.raises(ValidationError, match="short and under allocation, and this line has none"):
        ship(manager, (late, 10))
    # once the allocation ends, the product ships as before
    allocation.end_allocation(product=short["product"], by=manager)
    ship(manager, (late, 10))


def test_what_shipped_before_the_allocation_adds_to_what_the_line_may_ship(short, manager) -> None:
    before = ship(manager, (short["normal"], 50))
    shipping.book(shipment=before, by=manager, data={"booking_no": "BK-1", "etd": "2026-11-30"})
    shipping.load(shipment=before, by=manager)
    p = allocation.propose(short["product"])
    assert {d.order_number: d.open_quantity for d in p.lines}[short["normal"].number] == D(200)
    allocation.confirm_allocation(
        product=short["product"],
        lines=lines_for((short["key"], 200), (short["normal"], 100)),
        by=manager,
        make_up_date="2027-03-01",
    )
    a = StockAllocation.objects.get(order=short["normal"])
    assert (a.base_qty, a.quantity, a.ceiling) == (D(50), D(100), D(150))
    with pytest.raises(ValidationError, match="150 may ship in all"):
        ship(manager, (short["normal"], 101))
    ship(manager, (short["normal"], 100))


def test_an_allocation_below_a_planned_shipment_is_refused(short, manager) -> None:
    ship(manager, (short["normal"], 120))
    # the proposal leaves the planned shipment its goods, then serves the key customer
    assert [d.proposed_quantity for d in allocation.propose(short["product"]).lines] == [D(180), D(120)]
    with pytest.raises(ValidationError) as refused:
        allocation.confirm_allocation(
            product=short["product"],
            lines=lines_for((short["key"], 200), (short["normal"], 100)),
            by=manager,
            make_up_date="2027-03-01",
        )
    (field, (message,)), *_ = refused.value.errors.items()
    assert field == "lines.2.quantity"
    assert "120 of it is in shipments that have not left yet" in message
    assert not StockAllocation.objects.exists()
    allocation.confirm_allocation(
        product=short["product"],
        lines=lines_for((short["key"], 180), (short["normal"], 120)),
        by=manager,
        make_up_date=dt.date(2027, 3, 1),
    )
    assert StockAllocation.objects.get(order=short["normal"]).quantity == D(120)
    assert [d.in_shipments_floor for d in allocation.propose(short["product"]).lines] == [D(0), D(120)]
    # a line is identified by its position in the confirmation, as shipping names it
    assert line_of(short["normal"]).pk in {a.order_line_id for a in StockAllocation.objects.all()}
