"""Two shipments taking the same order line at the same moment: the order lines are locked while the open quantity
is checked, so only one gets it (PostgreSQL; SQLite's IMMEDIATE transactions serialise writers anyway)."""

import threading

import pytest
from django.db import connection

from gendan.core.exceptions import ValidationError
from gendan.shipping import services
from gendan.shipping.models import ShipmentLine
from tests.shipping.factories import lines_of, two_orders

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def test_two_shipments_at_once_cannot_over_ship_a_line(merchandiser, manager, clerk) -> None:
    _c, a, _b = two_orders(merchandiser, manager)
    items = lines_of(a, quantities=[70, 0.001])[:1]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ship() -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.create_shipment(by=clerk, data={"lines": items})
            outcomes.append("shipped")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ship) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "shipped"]
    assert sum(ShipmentLine.objects.values_list("quantity", flat=True)) == 70
