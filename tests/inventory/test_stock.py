"""Stock moves only by documented movements; never below zero or into other orders' reservations without an
audited override."""

from decimal import Decimal

import pytest

from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, ValidationError
from gendan.core.models import ObjectChange
from gendan.inventory import services
from gendan.inventory.models import Location, Reservation, Stock, StockMovement, Warehouse
from tests.factories import MaterialFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(manager):
    warehouse = services.create_warehouse(by=manager, data={"code": "RM", "name": "Raw materials"})
    return warehouse.locations.get()


def test_a_warehouse_comes_with_its_first_location_and_refuses_a_duplicate(manager, place):
    assert place.code == "A"
    with pytest.raises(ValidationError, match="already has"):
        services.add_location(warehouse=place.warehouse, by=manager, data={"code": "A"})
    services.add_location(warehouse=place.warehouse, by=manager, data={"code": "B-01", "name": "Rack B"})
    assert Location.objects.filter(warehouse=place.warehouse).count() == 2
    with pytest.raises(PermissionDenied):
        services.create_warehouse(by=manager.__class__.objects.create(username="nobody"), data={"code": "X"})


def test_movements_change_the_balance_and_record_it(manager, place):
    material = MaterialFactory()
    services.move(kind="receipt", item=material, location=place, quantity="120.5", by=manager, reference="GRN-1")
    services.move(kind="issue", item=material, location=place, quantity="20", by=manager)
    movement = services.move(
        kind="adjustment", item=material, location=place, quantity="-0.5", by=manager, reason="stocktake"
    )
    assert Stock.objects.get(material=material).on_hand == Decimal("100")
    assert movement.balance_after == Decimal("100")
    assert StockMovement.objects.filter(material=material).count() == 3
    assert ObjectChange.objects.filter(object_id=movement.pk, message="stocktake").exists()


def test_finished_goods_are_stock_too(manager, place):
    product = ProductFactory()
    services.move(kind="receipt", item=product, location=place, quantity="50", by=manager, reason="from production")
    assert Stock.objects.get(product=product).on_hand == 50
    with pytest.raises(ValidationError, match="Products are not issued"):
        services.move(kind="issue", item=product, location=place, quantity="5", by=manager)


@pytest.mark.parametrize(
    ("kind", "quantity", "reason", "field"),
    [
        ("issue", "0", "", "quantity"),
        ("issue", "-3", "", "quantity"),
        ("receipt", "1.2345", "", "quantity"),
        ("receipt", "abc", "", "quantity"),
        ("adjustment", "5", "", "reason"),
        ("teleport", "5", "", "kind"),
    ],
)
def test_bad_movements_are_refused(manager, place, kind, quantity, reason, field):
    material = MaterialFactory()
    with pytest.raises(ValidationError) as error:
        services.move(kind=kind, item=material, location=place, quantity=quantity, by=manager, reason=reason)
    assert field in error.value.errors
    assert not StockMovement.objects.exists()


def test_stock_never_goes_negative_without_an_audited_override(make_user, manager, place):
    material = MaterialFactory()
    buyer = make_user(Role.PURCHASING)
    services.move(kind="receipt", item=material, location=place, quantity="10", by=buyer)
    with pytest.raises(ValidationError, match="Only 10"):
        services.move(kind="issue", item=material, location=place, quantity="12", by=buyer)
    with pytest.raises(PermissionDenied):
        services.move(kind="issue", item=material, location=place, quantity="12", by=buyer, override=True)
    movement = services.move(
        kind="issue", item=material, location=place, quantity="12", by=manager, override=True, reason="urgent"
    )
    assert movement.override
    assert Stock.objects.get(material=material).on_hand == Decimal("-2")
    assert "override" in ObjectChange.objects.get(object_id=movement.pk, content_type__model="stockmovement").message


def test_reserved_stock_is_kept_for_its_order(manager, place):
    from tests.sales.factories import make_order

    material = MaterialFactory()
    order = make_order(by=manager)
    services.move(kind="receipt", item=material, location=place, quantity="10", by=manager)
    held = services.set_reservations({(order.pk, material.pk): Decimal("8")}, priority=[order.pk])
    assert held == {(order.pk, material.pk): Decimal("8")}
    with pytest.raises(ValidationError, match="reserved for"):
        services.move(kind="issue", item=material, location=place, quantity="5", by=manager)
    services.move(kind="issue", item=material, location=place, quantity="5", by=manager, order=order)
    assert Reservation.objects.get(order=order).quantity == Decimal("3")
    assert Stock.objects.get(material=material).reserved == Decimal("3")
    # asking for less gives the rest back; more takes only what is free
    assert services.set_reservations({(order.pk, material.pk): Decimal("1")}, priority=[order.pk])[
        (order.pk, material.pk)
    ] == Decimal("1")
    assert services.set_reservations({(order.pk, material.pk): Decimal("50")}, priority=[order.pk])[
        (order.pk, material.pk)
    ] == Decimal("5")
    assert services.release_order(order) == 1
    assert Stock.objects.get(material=material).reserved == 0
    assert Warehouse.objects.count() == 1
