"""Finance test data: customers with a payment term, confirmed orders, shipments built with the ORM and sent off
with shipping's signal (shipping's services are not used here)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from gendan.core.models import User
from gendan.finance.models import CustomerTerms, PaymentTerm
from gendan.partners.models import Customer
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from gendan.shipping.models import Shipment, ShipmentLine
from gendan.shipping.signals import bl_recorded, shipment_departed
from tests.conftest import TODAY
from tests.factories import CustomerFactory
from tests.sales.factories import order_in

_numbers = iter(range(1, 10**6))


def customer_on(term_code: str, **kw: Any) -> Customer:
    """A customer whose default payment term is the term `term_code` (one the migration creates)."""
    from gendan.finance.services import ensure_default_terms

    ensure_default_terms()  # a transactional test before this one may have flushed what the migration made
    customer = CustomerFactory(**kw)
    CustomerTerms.objects.create(customer=customer, term=PaymentTerm.objects.get(code=term_code))
    return customer


def confirmed_order(*, by: User, manager: User, customer: Customer, **kw: Any) -> Order:
    """A confirmed order: 100 × 2.50 + 200 × 1.25 = 500.00 unless told otherwise."""
    return order_in(OrderStatus.CONFIRMED, by=by, manager=manager, customer=customer, **kw)


def ship(
    order: Order,
    quantities: list[Any] | None = None,
    *,
    by: User | None = None,
    departed: dt.date = TODAY,
    bl_date: dt.date | None = None,
    lines: list[tuple[Any, Any]] | None = None,
) -> Shipment:
    """A shipment of the order's lines (the given quantities, default all) that departed on `departed`: created with
    the ORM, then shipping's `shipment_departed` is sent as shipping will send it."""
    shipment = Shipment.objects.create(
        number=f"SH-T-{next(_numbers):05d}",
        customer=order.customer,
        incoterm=order.incoterm or "FOB",
        currency=order.currency,
        planned_ex_factory_date=departed - dt.timedelta(days=2),
        status="departed",
        loaded_date=departed - dt.timedelta(days=2),
        departed_date=departed,
        bl_date=bl_date,
        bl_number="BL123" if bl_date else "",
    )
    pairs = lines or list(
        zip(order.lines.order_by("position"), quantities or [None] * order.lines.count(), strict=True)
    )
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                shipment=shipment,
                position=i,
                order_line=line,
                quantity=Decimal(str(q)) if q is not None else line.quantity,
            )
            for i, (line, q) in enumerate(pairs, start=1)
        ]
    )
    shipment_departed.send(sender=Shipment, shipment=shipment, by=by)
    return shipment


def record_bl(shipment: Shipment, bl_date: dt.date, *, by: User | None = None) -> None:
    Shipment.objects.filter(pk=shipment.pk).update(bl_date=bl_date, bl_number="COSU123456")
    shipment.refresh_from_db()
    bl_recorded.send(sender=Shipment, shipment=shipment, by=by)
