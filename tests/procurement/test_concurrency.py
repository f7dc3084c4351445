"""Two sessions reserve the same stock at the same moment (PostgreSQL, real transactions): together they never
reserve more than there is, and the stock's reserved total is the sum of the reservations."""

import contextvars
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections

from gendan.inventory import services as inventory
from gendan.inventory.models import Reservation, Stock
from gendan.procurement import services
from gendan.procurement.models import MaterialRequirement

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_reserve_more_than_on_hand(world, confirmed, monkeypatch) -> None:
    first, second = confirmed(quantity=60), confirmed(quantity=60)  # each needs 91.8 m of fabric
    world.stock(world.fabric, 100)
    bulk_create = Reservation.objects.bulk_create

    def slow_bulk_create(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        time.sleep(0.4)  # both have read the stock before either writes its reservation
        return bulk_create(*args, **kwargs)

    monkeypatch.setattr(Reservation.objects, "bulk_create", slow_bulk_create)
    errors: list[BaseException] = []

    def run(order_id: int) -> None:
        try:
            services.run_requirements(order_ids=[order_id], by=None, reason="test")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contextvars.copy_context().run, args=(run, pk)) for pk in (first.pk, second.pk)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stock = Stock.objects.get(material=world.fabric)
    held = sum((r.quantity for r in Reservation.objects.filter(material=world.fabric)), Decimal(0))
    assert held == stock.reserved == Decimal("100")
    allocated = MaterialRequirement.objects.filter(material=world.fabric).values_list("allocated_stock_qty", flat=True)
    assert sorted(allocated) == [Decimal("8.2"), Decimal("91.8")]


@pytest.mark.django_db(transaction=True)
def test_an_issue_and_a_reservation_at_once_never_leave_stock_below_what_is_reserved(world, confirmed, monkeypatch):
    order = confirmed(quantity=60)  # needs 91.8
    world.stock(world.fabric, 100)
    errors: list[BaseException] = []
    save = Stock.save

    def slow_save(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        time.sleep(0.3)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Stock, "save", slow_save)

    def issue() -> None:
        try:
            inventory.move(
                kind="issue", item=world.fabric, location=world.location, quantity=Decimal("50"), by=world.boss
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def reserve() -> None:
        try:
            services.run_requirements(order_ids=[order.pk], by=None, reason="test")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contextvars.copy_context().run, args=(fn,)) for fn in (issue, reserve)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stock = Stock.objects.get(material=world.fabric)
    assert stock.on_hand >= stock.reserved
    assert stock.reserved == sum((r.quantity for r in Reservation.objects.filter(material=world.fabric)), Decimal(0))
    assert len(errors) <= 1  # the issue is refused when the reservation came first
