"""Shipping and finance together: a shipment departed through shipping's services is invoiced on the orders' terms;
recording the original B/L later moves the due dates that count from it."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.core.choices import Role
from gendan.finance.models import Invoice
from gendan.shipping import services as shipping
from tests.conftest import TODAY
from tests.shipping.factories import forwarder, lines_of, two_orders

pytestmark = pytest.mark.django_db


def test_a_departed_shipment_is_invoiced_and_the_bl_moves_its_due_dates(merchandiser, manager, make_user) -> None:
    clerk = make_user(Role.SHIPPING, username="ship1")
    _customer, a, b = two_orders(merchandiser, manager)
    deposits = {i.order_id: i.amount for i in Invoice.objects.filter(order__in=[a, b], kind="deposit")}
    s = shipping.create_shipment(by=clerk, data={"lines": lines_of(a, b)})
    s = shipping.book(
        shipment=s, by=clerk, data={"booking_no": "COSU123", "etd": "2026-12-04", "forwarder_id": forwarder().pk}
    )
    assert not Invoice.objects.filter(shipment=s).exists()  # invoiced when the goods leave
    shipping.depart(shipment=s, by=clerk, atd=TODAY)
    invoices = list(Invoice.objects.filter(shipment=s).exclude(status="cancelled"))
    assert invoices
    goods = Decimal("100") * Decimal("2.50") + Decimal("200") * Decimal("1.25") + Decimal("48") * Decimal("10.00")
    assert sum(i.amount for i in invoices) + sum(deposits.values()) == goods  # the whole goods value, exactly
    s.refresh_from_db()
    before = {i.pk: i.due_date for i in invoices}
    shipping.record_bl(shipment=s, by=clerk, bl_number="COSU6001", bl_date=TODAY + dt.timedelta(days=2))
    after = {i.pk: i.due_date for i in Invoice.objects.filter(pk__in=before)}
    bl_based = [i for i in invoices if i.rule in ("copy_bl", "lc_sight", "lc_usance", "oa_bl")]
    assert bl_based  # the default terms put the balance against the B/L
    for invoice in bl_based:
        assert after[invoice.pk] == before[invoice.pk] + dt.timedelta(days=2)
