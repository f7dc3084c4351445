"""Invoices from the order's confirmation (deposit) and the shipment's departure (goods less the deposit, one
invoice per due part), due dates moved by the B/L, manual invoices, cancelling."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.core.exceptions import TransitionNotAllowed, ValidationError
from gendan.finance import services
from gendan.finance.choices import DueBasis, InvoiceKind, InvoiceStatus, LineKind
from gendan.finance.models import Invoice, OrderTerms, PaymentTerm
from gendan.shipping.models import Shipment
from gendan.shipping.signals import shipment_cancelled
from tests.conftest import TODAY
from tests.factories import CustomerFactory
from tests.finance.factories import confirmed_order, customer_on, record_bl, ship

pytestmark = pytest.mark.django_db
D = Decimal


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def test_confirming_an_order_raises_its_deposit_invoice_and_fixes_its_term(merchandiser, manager) -> None:
    customer = customer_on("TT30-70BL")
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    deposit = Invoice.objects.get(order=order, kind=InvoiceKind.DEPOSIT)
    assert deposit.number.startswith("INV-2026-")
    assert (deposit.amount, deposit.currency, deposit.status) == (D("150.00"), "USD", InvoiceStatus.OPEN)
    assert (deposit.due_date, deposit.due_basis) == (days(7), DueBasis.CONFIRMATION)
    assert deposit.merchandiser == merchandiser
    assert OrderTerms.objects.get(order=order).term.code == "TT30-70BL"
    assert list(deposit.lines.values_list("kind", "amount")) == [(LineKind.DEPOSIT, D("150.00"))]


def test_an_order_without_a_deposit_part_gets_no_invoice_at_confirmation(merchandiser, manager) -> None:
    order = confirmed_order(by=merchandiser, manager=manager, customer=CustomerFactory())
    assert not Invoice.objects.filter(order=order).exists()


def test_a_departed_shipment_is_invoiced_less_the_deposit_and_due_on_the_bl(merchandiser, manager) -> None:
    customer = customer_on("TT30-70BL")
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    shipment = ship(order, by=merchandiser)
    invoice = Invoice.objects.get(shipment=shipment)
    assert (invoice.kind, invoice.amount, invoice.order) == (InvoiceKind.SHIPMENT, D("350.00"), order)
    assert (invoice.due_date, invoice.due_basis) == (TODAY, DueBasis.DEPARTURE)
    assert [(line.kind, line.amount) for line in invoice.lines.all()] == [
        (LineKind.GOODS, D("500.00")),
        (LineKind.DEPOSIT_DEDUCTION, D("-150.00")),
    ]
    record_bl(shipment, days(2))
    invoice.refresh_from_db()
    assert (invoice.due_date, invoice.due_basis, invoice.version) == (days(2), DueBasis.BL, 2)


def test_the_deposit_is_deducted_in_proportion_to_the_goods_shipped_and_used_up_exactly(merchandiser, manager) -> None:
    customer = customer_on("TT30-70BL")
    order = confirmed_order(
        by=merchandiser, manager=manager, customer=customer, quantities=[300], prices=["0.3333"]
    )  # 99.99, deposit 30.00
    first = ship(order, [100])
    second = ship(order, [100])
    third = ship(order, [100])
    deducted = [
        -Invoice.objects.get(shipment=s).lines.get(kind=LineKind.DEPOSIT_DEDUCTION).amount
        for s in (first, second, third)
    ]
    assert deducted == [D("10.00"), D("10.00"), D("10.00")]
    assert sum(deducted) == Invoice.objects.get(order=order, kind=InvoiceKind.DEPOSIT).amount
    assert [Invoice.objects.get(shipment=s).amount for s in (first, second, third)] == [
        D("23.33"),
        D("23.33"),
        D("23.33"),
    ]


def test_each_due_part_of_the_term_makes_its_own_invoice(merchandiser, manager, finance) -> None:
    term = services.create_payment_term(
        by=finance,
        data={
            "code": "T3",
            "name": "30/40/30",
            "parts": [
                {"share_pct": "30", "rule": "deposit", "days": 5},
                {"share_pct": "40", "rule": "before_shipment", "days": 0},
                {"share_pct": "30", "rule": "oa_bl", "days": 30},
            ],
        },
    )
    customer = CustomerFactory()
    services.set_customer_terms(customer=customer, term_id=term.pk, by=finance)
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    shipment = ship(order, bl_date=days(1))
    invoices = {i.rule: i for i in Invoice.objects.filter(shipment=shipment)}
    assert invoices["before_shipment"].amount == D("200.00")
    assert invoices["oa_bl"].amount == D("150.00")
    assert invoices["oa_bl"].due_date == days(31)
    assert invoices["before_shipment"].due_date == shipment.planned_ex_factory_date
    total = sum(i.amount for i in Invoice.objects.filter(order=order).exclude(status="cancelled"))
    assert total == order.total_amount


def test_a_yen_order_is_invoiced_in_whole_yen(merchandiser, manager) -> None:
    customer = customer_on("TT30-70BL", currency="JPY")
    order = confirmed_order(
        by=merchandiser, manager=manager, customer=customer, currency="JPY", quantities=[3, 7], prices=["1000", "333"]
    )
    deposit = Invoice.objects.get(order=order, kind=InvoiceKind.DEPOSIT)
    assert deposit.amount == D("1599")
    invoice = Invoice.objects.get(shipment=ship(order))
    assert invoice.amount == D("3732")
    assert invoice.amount + deposit.amount == order.total_amount


def test_a_shipment_of_two_orders_makes_one_invoice_with_a_line_per_order(merchandiser, manager) -> None:
    customer = customer_on("OA30")
    a = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    b = confirmed_order(by=merchandiser, manager=manager, customer=customer, quantities=[10], prices=["9.99"])
    shipment = ship(a, lines=[(a.lines.first(), 100), (b.lines.first(), 10)])
    invoice = Invoice.objects.get(shipment=shipment)
    assert invoice.amount == D("349.90")
    assert invoice.order is None
    assert sorted(invoice.lines.values_list("order_id", flat=True)) == sorted([a.pk, b.pk])
    assert invoice.due_date == days(30)


def test_departing_twice_does_not_invoice_twice(merchandiser, manager) -> None:
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("OA30"))
    shipment = ship(order)
    services.invoice_shipment(shipment=shipment, by=None)
    assert Invoice.objects.filter(shipment=shipment).count() == 1


def test_a_cancelled_shipment_cancels_its_unpaid_invoices(merchandiser, manager) -> None:
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("OA30"))
    shipment = ship(order)
    shipment_cancelled.send(sender=Shipment, shipment=shipment, by=None)
    invoice = Invoice.objects.get(shipment=shipment)
    assert invoice.status == InvoiceStatus.CANCELLED
    assert "cancelled" in invoice.cancel_reason


def test_without_any_term_the_goods_are_due_against_copy_bl(merchandiser, manager) -> None:
    order = confirmed_order(by=merchandiser, manager=manager, customer=CustomerFactory())
    invoice = Invoice.objects.get(shipment=ship(order, bl_date=days(-1)))
    assert (invoice.amount, invoice.rule, invoice.due_date) == (D("500.00"), "copy_bl", TODAY)


def test_the_default_term_setting_applies_to_customers_without_one(merchandiser, manager, settings) -> None:
    settings.GENDAN_DEFAULT_PAYMENT_TERM = "TT30-70BS"
    order = confirmed_order(by=merchandiser, manager=manager, customer=CustomerFactory())
    assert Invoice.objects.get(order=order, kind="deposit").amount == D("150.00")
    assert OrderTerms.objects.get(order=order).term.code == "TT30-70BS"


def test_an_orders_own_term_wins_over_the_customers(merchandiser, manager, finance) -> None:
    customer = customer_on("TT30-70BL")
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    services.set_order_terms(order=order, term_id=PaymentTerm.objects.get(code="OA60").pk, by=merchandiser, version=1)
    invoice = Invoice.objects.get(shipment=ship(order))
    assert (invoice.rule, invoice.days, invoice.amount) == ("oa_bl", 60, D("350.00"))


def test_a_manual_invoice_bills_other_charges(finance) -> None:
    customer = CustomerFactory(currency="EUR")
    invoice = services.create_invoice(
        by=finance,
        data={
            "customer_id": customer.pk,
            "due_date": days(14),
            "lines": [{"description": "Mould", "amount": "800"}, {"description": "Courier", "amount": "35.50"}],
        },
    )
    assert (invoice.amount, invoice.currency, invoice.kind, invoice.due_date) == (
        D("835.50"),
        "EUR",
        "manual",
        days(14),
    )
    with pytest.raises(ValidationError) as exc:
        services.create_invoice(
            by=finance, data={"customer_id": customer.pk, "lines": [{"description": "x", "amount": "1.005"}]}
        )
    assert "lines.0.amount" in exc.value.errors


def test_cancelling_needs_a_reason_and_nothing_paid(merchandiser, manager, finance) -> None:
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("TT30-70BL"))
    deposit = Invoice.objects.get(order=order)
    with pytest.raises(ValidationError):
        services.cancel_invoice(invoice=deposit, by=finance, reason=" ")
    services.record_receipt(
        by=finance,
        data={
            "customer_id": order.customer_id,
            "amount": "10",
            "currency": "USD",
            "received_date": TODAY,
            "fx_rate": "7.1",
            "allocations": [{"invoice_id": deposit.pk, "amount": "10"}],
        },
    )
    with pytest.raises(TransitionNotAllowed):
        services.cancel_invoice(invoice=deposit, by=finance, reason="wrong")


def test_cancelling_an_open_invoice(merchandiser, manager, finance) -> None:
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("TT30-70BL"))
    deposit = Invoice.objects.get(order=order)
    cancelled = services.cancel_invoice(invoice=deposit, by=finance, reason="customer pays by L/C", version=1)
    assert (cancelled.status, cancelled.cancel_reason, cancelled.version) == ("cancelled", "customer pays by L/C", 2)
    # its deposit is not deducted from the goods any more
    assert Invoice.objects.get(shipment=ship(order)).amount == D("500.00")


def test_a_term_whose_shares_do_not_add_up_is_refused(finance) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_payment_term(
            by=finance, data={"code": "BAD", "name": "bad", "parts": [{"share_pct": "50", "rule": "deposit"}]}
        )
    assert "parts" in exc.value.errors
    assert not PaymentTerm.objects.filter(code="BAD").exists()
