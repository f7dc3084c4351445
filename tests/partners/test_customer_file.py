"""The customer file (客户档案): the customer page gathers the sections of the apps above partners (orders, delivery
and follow-ups, samples, receivables), each shown only to who may see it; the credit record (limit, rating,
payment history, remarks) feeds the contract review's credit item."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from gendan.core.choices import Role
from gendan.finance import selectors as finance_selectors
from gendan.finance import services as finance_services
from gendan.finance.models import Invoice
from gendan.followup.models import FollowUp, Milestone
from gendan.followup.selectors import customer_delivery
from tests.conftest import TODAY
from tests.finance.factories import confirmed_order, customer_on, ship

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def pay(by, invoice, day):  # noqa: ANN001, ANN201
    return finance_services.record_receipt(
        by=by,
        data={
            "customer_id": invoice.customer_id,
            "amount": str(invoice.amount),
            "currency": invoice.currency,
            "received_date": day,
            "fx_rate": "7.1",
            "allocations": [{"invoice_id": invoice.pk, "amount": str(invoice.amount)}],
        },
    )


@pytest.fixture
def finance(make_user):  # noqa: ANN001, ANN201
    return make_user(Role.FINANCE)


def test_the_payment_history_counts_invoices_paid_on_time_and_late(finance, merchandiser, manager) -> None:
    customer = customer_on("TT30-70BL")
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    ship(order, departed=TODAY - dt.timedelta(days=30))
    deposit = Invoice.objects.get(order=order, kind="deposit")
    goods = Invoice.objects.get(order=order, kind="shipment")
    pay(finance, deposit, TODAY)  # due in 7 days: on time
    pay(finance, goods, TODAY)  # due at shipment, 30 days ago: late
    late = (TODAY - goods.due_date).days
    assert late > 0
    history = finance_selectors.payment_history(customer.pk)
    assert (history["count"], history["on_time"], history["late"]) == (2, 1, 1)
    assert (history["on_time_pct"], history["average_days_late"], history["worst_days_late"]) == (D("50.0"), late, late)
    assert finance_selectors.payment_history(customer.pk, days=0)["count"] == 2  # settled today, inside any window


def test_the_review_note_shows_the_rating_the_remarks_and_the_payment_history(finance, merchandiser, manager) -> None:
    customer = customer_on("TT30-70BL", credit_rating="C", credit_remarks="Paid the spring orders 3 weeks late.")
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    pay(finance, Invoice.objects.get(order=order, kind="deposit"), TODAY)
    note = finance_services.credit_review_note(order)
    assert "⚠ Credit rating: C · watch: pays late." in note
    assert "Credit remarks: Paid the spring orders 3 weeks late." in note
    assert "Paid 1 of 1 invoices on time in the last 12 months (100.0 %)." in note


def test_the_delivery_record_compares_ex_factory_with_the_committed_date(merchandiser, manager) -> None:
    customer = customer_on("TT30-70BL")
    early = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    late = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    Milestone.objects.filter(order=early, is_ex_factory=True).update(actual_date=early.ex_factory_date)
    Milestone.objects.filter(order=late, is_ex_factory=True).update(
        actual_date=late.ex_factory_date + dt.timedelta(days=4)
    )
    record = customer_delivery(customer.pk, days=3650)
    assert (record["count"], record["on_time"], record["on_time_pct"]) == (2, 1, D("50.0"))
    assert (record["average_days_late"], record["worst"]) == (4, (4, late.number))


def test_the_customer_page_gathers_every_section_its_reader_may_see(
    page_as, make_user, merchandiser, manager, finance
) -> None:
    customer = customer_on("TT30-70BL", credit_rating="A")
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    FollowUp.objects.create(
        order=order,
        party="supplier",
        channel="phone",
        summary="Fabric ships Friday",
        created_by=merchandiser,
        created_at=dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC),
    )
    page = page_as(manager).get(f"/partners/customers/{customer.pk}/").content.decode()
    for testid in ("credit-record", "customer-orders", "customer-delivery", "customer-samples", "customer-receivables"):
        assert f'data-testid="{testid}"' in page
    assert order.number in page
    assert "Fabric ships Friday" in page
    assert "A · pays on time" in page
    qc_page = page_as(make_user(Role.QC)).get(f"/partners/customers/{customer.pk}/").content.decode()
    assert 'data-testid="customer-orders"' in qc_page
    assert 'data-testid="customer-receivables"' not in qc_page  # QC does not see receivables


def test_the_customer_page_reads_a_bounded_number_of_queries(
    page_as, manager, merchandiser, django_assert_max_num_queries
) -> None:
    customer = customer_on("TT30-70BL")
    for _ in range(3):
        confirmed_order(by=merchandiser, manager=manager, customer=customer)
    client = page_as(manager)
    client.get(f"/partners/customers/{customer.pk}/")  # warm the session and permission caches
    with django_assert_max_num_queries(40):
        assert client.get(f"/partners/customers/{customer.pk}/").status_code == 200


def test_the_credit_rating_and_remarks_go_through_the_api(api_as, merchandiser) -> None:
    customer = customer_on("TT30-70BL")
    api = api_as(merchandiser)
    r = api.patch(
        f"/api/v1/customers/{customer.pk}",
        {"version": customer.version, "credit_rating": "D", "credit_remarks": "Cash in advance."},
    )
    assert r.status_code == 200, r.content
    assert (r.json()["credit_rating"], r.json()["credit_remarks"]) == ("D", "Cash in advance.")
    assert (
        api.patch(
            f"/api/v1/customers/{customer.pk}", {"version": r.json()["version"], "credit_rating": "E"}
        ).status_code
        == 422
    )
