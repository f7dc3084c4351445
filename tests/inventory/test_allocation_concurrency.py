"""Two confirmations of the same product's stock at the same moment: the product's stock rows are locked while what
the other lines hold is checked, so together they never allocate more than the stock — the second is refused
(PostgreSQL; SQLite's IMMEDIATE transactions serialise writers anyway)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from gendan.core.exceptions import InsufficientQuantity
from gendan.inventory import allocation
from gendan.inventory.models import Stock, StockAllocation
from tests.inventory.test_allocation import lines_for, world  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def _race(*calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call) -> None:
        from django.db import connections

        try:
            barrier.wait()
            call()
            outcomes.append("allocated")
        except InsufficientQuantity:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_two_confirmations_at_once_never_allocate_more_than_the_stock(world, manager) -> None:  # noqa: F811
    product = world["product"]  # 500 on hand
    key = lines_for((world["key"], 300))
    normal = lines_for((world["normal"], 300))
    outcomes = _race(
        lambda: allocation.confirm_allocation(product=product, lines=key, by=manager, make_up_date="2027-03-01"),
        lambda: allocation.confirm_allocation(product=product, lines=normal, by=manager, make_up_date="2027-03-01"),
    )
    assert outcomes == ["allocated", "refused"]
    assert sum(StockAllocation.objects.values_list("held_qty", flat=True)) == Decimal(300)
    assert Stock.objects.get(product=product).reserved == Decimal(300)


def test_a_confirmation_and_a_stock_movement_at_once_never_overdraw(world, manager) -> None:  # noqa: F811
    from gendan.inventory import services

    product, place = world["product"], world["place"]
    lines = lines_for((world["key"], 300), (world["early"], 200))
    outcomes = _race(
        lambda: allocation.confirm_allocation(product=product, lines=lines, by=manager),
        lambda: services.move(
            kind="adjustment", item=product, location=place, quantity="-100", by=manager, reason="damaged"
        ),
    )
    assert "refused" in outcomes  # whichever came second found the stock taken
    stock = Stock.objects.get(product=product)
    assert stock.reserved <= stock.on_hand
