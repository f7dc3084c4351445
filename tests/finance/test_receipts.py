"""Receipts and their allocations: partial payments, overpayment kept as credit and used later, refusals that write
nothing, the invariants under any sequence of allocations, and the payment-received milestone."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gendan.core.exceptions import ValidationError
from gendan.finance import services
from gendan.finance.models import Allocation, Invoice, Receipt
from gendan.followup.models import Milestone
from tests.conftest import TODAY
from tests.factories import CustomerFactory
from tests.finance.factories import confirmed_order, customer_on, ship

pytestmark = pytest.mark.django_db
D = Decimal


def receipt(finance, customer, amount, allocations=(), currency="USD", **kw):  # noqa: ANN001, ANN201
    return services.record_receipt(
        by=finance,
        data={
            "customer_id": customer.pk,
            "amount": amount,
            "currency": currency,
            "received_date": kw.pop("received_date", TODAY),
            "fx_rate": kw.pop("fx_rate", "7.1234"),
            "allocations": [{"invoice_id": i.pk, "amount": a} for i, a in allocations],
            **kw,
        },
    )


@pytest.fixture
def two_invoices(merchandiser, manager):  # noqa: ANN001, ANN201
    """A deposit of 150.00 (due in 7 days) and the shipment's 350.00 (due today)."""
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("TT30-70BL"))
    ship(order)
    deposit = Invoice.objects.get(order=order, kind="deposit")
    goods = Invoice.objects.get(order=order, kind="shipment")
    return order, deposit, goods


def test_a_partial_payment_leaves_the_invoice_partially_paid(finance, two_invoices) -> None:
    order, deposit, _goods = two_invoices
    r = receipt(finance, order.customer, "100.00", [(deposit, "100.00")], bank_charges="25.00")
    deposit.refresh_from_db()
    assert (deposit.paid_amount, deposit.status, deposit.version) == (D("100.00"), "partially_paid", 2)
    assert (r.allocated_amount, r.unallocated_amount, r.net_amount) == (D("100.00"), D("0.00"), D("75.00"))
    assert r.number.startswith("RC-2026-")


def test_an_overpayment_stays_as_credit_and_is_allocated_later(finance, two_invoices) -> None:
    order, deposit, goods = two_invoices
    r = receipt(finance, order.customer, "200.00", [(deposit, "150.00")])
    assert r.unallocated_amount == D("50.00")
    deposit.refresh_from_db()
    assert deposit.status == "paid"
    services.allocate(receipt=r, allocations=[{"invoice_id": goods.pk, "amount": "50.00"}], by=finance)
    r.refresh_from_db()
    goods.refresh_from_db()
    assert (r.unallocated_amount, goods.paid_amount, goods.status) == (D("0.00"), D("50.00"), "partially_paid")


def test_allocating_more_than_the_invoice_is_open_writes_nothing(finance, two_invoices) -> None:
    order, deposit, goods = two_invoices
    with pytest.raises(ValidationError) as exc:
        receipt(finance, order.customer, "500.00", [(goods, "100.00"), (deposit, "150.01")])
    assert "allocations.1.amount" in exc.value.errors
    assert not Receipt.objects.exists()
    assert not Allocation.objects.exists()
    deposit.refresh_from_db()
    goods.refresh_from_db()
    assert (deposit.paid_amount, goods.paid_amount, deposit.version) == (D(0), D(0), 1)


def test_allocating_more_than_the_receipt_is_refused(finance, two_invoices) -> None:
    order, deposit, goods = two_invoices
    with pytest.raises(ValidationError) as exc:
        receipt(finance, order.customer, "200.00", [(deposit, "150.00"), (goods, "60.00")])
    assert "allocations" in exc.value.errors
    assert not Receipt.objects.exists()


def test_an_invoice_of_another_customer_or_currency_is_refused(finance, two_invoices) -> None:
    order, deposit, _goods = two_invoices
    with pytest.raises(ValidationError) as exc:
        receipt(finance, CustomerFactory(), "100.00", [(deposit, "100.00")])
    assert "allocations.0.invoice_id" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        receipt(finance, order.customer, "100.00", [(deposit, "100.00")], currency="EUR")
    assert "allocations.0.invoice_id" in exc.value.errors


def test_bad_receipt_input_names_the_field(finance) -> None:
    customer = CustomerFactory()
    cases = [
        ({"amount": "0"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"amount": "10", "bank_charges": "11"}, "bank_charges"),
        ({"amount": "10", "fx_rate": ""}, "fx_rate"),
        ({"amount": "10", "received_date": "2026-12-31"}, "received_date"),
        ({"amount": "10", "currency": "XXX"}, "currency"),
    ]
    for data, field in cases:
        amount = data.pop("amount")
        with pytest.raises(ValidationError) as exc:
            receipt(finance, customer, amount, **data)
        assert field in exc.value.errors, (data, exc.value.errors)


def test_a_cny_receipt_takes_the_rate_one(finance) -> None:
    customer = CustomerFactory(currency="CNY")
    r = services.record_receipt(
        by=finance,
        data={"customer_id": customer.pk, "amount": "1000", "currency": "CNY", "received_date": TODAY},
    )
    assert r.fx_rate == D(1)


def test_paying_every_invoice_of_a_shipped_order_completes_its_payment_milestone(finance, two_invoices) -> None:
    order, deposit, goods = two_invoices
    pay = Milestone.objects.get(order=order, code="PAY")
    receipt(finance, order.customer, "150.00", [(deposit, "150.00")])
    pay.refresh_from_db()
    assert pay.actual_date is None  # the deposit alone is not the order's payment
    receipt(finance, order.customer, "350.00", [(goods, "350.00")])
    pay.refresh_from_db()
    assert pay.actual_date == TODAY


def test_a_partly_shipped_order_is_not_paid_in_full(finance, merchandiser, manager) -> None:
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("OA30"))
    invoice = Invoice.objects.get(shipment=ship(order, [50, 100]))
    receipt(finance, order.customer, invoice.amount, [(invoice, invoice.amount)])
    assert Milestone.objects.get(order=order, code="PAY").actual_date is None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.integers(min_value=1, max_value=80000).map(lambda c: D(c) / 100),
    attempts=st.lists(
        st.tuples(st.integers(min_value=0, max_value=1), st.integers(min_value=1, max_value=40000)), max_size=6
    ),
)
def test_allocations_never_exceed_the_invoice_or_the_receipt(finance, two_invoices, amount, attempts) -> None:  # noqa: ANN001
    order, deposit, goods = two_invoices
    with transaction.atomic():
        r = receipt(finance, order.customer, amount)
        for which, cents in attempts:
            invoice = (deposit, goods)[which]
            try:
                services.allocate(
                    receipt=r, allocations=[{"invoice_id": invoice.pk, "amount": D(cents) / 100}], by=finance
                )
            except ValidationError:
                pass
            r.refresh_from_db()
            assert 0 <= r.allocated_amount <= r.amount
            for inv in Invoice.objects.filter(pk__in=[deposit.pk, goods.pk]):
                allocated = sum(a.amount for a in inv.allocations.all())
                assert allocated == inv.paid_amount <= inv.amount
                assert inv.status == (
                    "paid" if inv.paid_amount == inv.amount else "partially_paid" if inv.paid_amount else "open"
                )
            assert sum(a.amount for a in r.allocations.all()) == r.allocated_amount
        transaction.set_rollback(True)
