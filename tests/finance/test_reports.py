"""The ageing buckets, the statement of account, the chase list's invoice rows and the credit check on review."""

import datetime as dt
from decimal import Decimal

import pytest

from gendan.core.choices import Role
from gendan.finance import selectors, services
from gendan.finance.models import Invoice
from gendan.followup.selectors import chase_list
from gendan.sales import services as sales_services
from gendan.sales.choices import OrderStatus, ReviewTopic
from gendan.sales.models import ReviewItem
from tests.conftest import TODAY
from tests.factories import CustomerFactory
from tests.finance.factories import confirmed_order, customer_on, ship
from tests.sales.factories import make_order

pytestmark = pytest.mark.django_db
D = Decimal
_n = iter(range(1, 10**6))


def invoice(customer, amount, due_in, *, paid="0", currency="USD", issued=None, status=None, merchandiser=None):  # noqa: ANN001, ANN201
    """An invoice made with the ORM (the ageing and statement only read them)."""
    due = TODAY + dt.timedelta(days=due_in)
    paid_d = D(paid)
    return Invoice.objects.create(
        number=f"INV-T-{next(_n):05d}",
        kind="manual",
        customer=customer,
        currency=currency,
        amount=D(amount),
        paid_amount=paid_d,
        issue_date=issued or min(due, TODAY),
        due_date=due,
        due_basis="manual",
        status=status or ("partially_paid" if paid_d else "open"),
        merchandiser=merchandiser,
    )


def test_ageing_puts_each_open_amount_in_its_bucket(merchandiser) -> None:
    c = CustomerFactory(code="AGE1")
    invoice(c, "100", 0, merchandiser=merchandiser)  # due today: current
    invoice(c, "200", -1, merchandiser=merchandiser)  # 1 day overdue
    invoice(c, "300", -30, paid="100", merchandiser=merchandiser)  # 30 → 1–30, 200 open
    invoice(c, "400", -31)
    invoice(c, "500", -61)
    invoice(c, "600", -90)
    invoice(c, "700", -91)
    invoice(c, "800", -120, status="paid", paid="800")  # paid: not open
    invoice(c, "900", -200, status="cancelled")
    invoice(c, "5000", -10, currency="JPY")
    data = selectors.ageing()
    usd = next(r for r in data["rows"] if r["currency"] == "USD")
    assert (usd["current"], usd["d1_30"], usd["d31_60"], usd["d61_90"], usd["d90_plus"]) == (
        D("100.00"),
        D("400.00"),
        D("400.00"),
        D("1100.00"),
        D("700.00"),
    )
    assert (usd["total"], usd["overdue"], usd["count"]) == (D("2700.00"), D("2600.00"), 7)
    jpy = next(r for r in data["rows"] if r["currency"] == "JPY")
    assert (jpy["d1_30"], jpy["total"]) == (D("5000"), D("5000"))
    assert {t["currency"]: t["total"] for t in data["totals"]} == {"USD": D("2700.00"), "JPY": D("5000")}
    by_merch = selectors.ageing(by="merchandiser")
    mine = next(r for r in by_merch["rows"] if r["key_id"] == merchandiser.pk)
    assert (mine["total"], mine["count"]) == (D("500.00"), 3)


def test_ageing_is_one_query_per_table_whatever_the_number_of_invoices(django_assert_max_num_queries) -> None:
    for i in range(30):
        invoice(CustomerFactory(), "10", -i * 5)
    with django_assert_max_num_queries(3):  # invoices, receipts, credit notes
        selectors.ageing()


def test_ageing_shows_a_customers_unallocated_credit(finance) -> None:
    c = CustomerFactory()
    invoice(c, "100", -5)
    services.record_receipt(
        by=finance,
        data={"customer_id": c.pk, "amount": "40", "currency": "USD", "received_date": TODAY, "fx_rate": "7"},
    )
    row = selectors.ageing()["rows"][0]
    assert (row["total"], row["credit"]) == (D("100.00"), D("40.00"))


def test_the_statement_carries_the_opening_balance_and_runs_the_balance(finance) -> None:
    c = CustomerFactory(currency="USD")
    old = invoice(c, "1000", -40, issued=dt.date(2026, 10, 1))
    services.record_receipt(
        by=finance,
        data={
            "customer_id": c.pk,
            "amount": "600",
            "currency": "USD",
            "received_date": dt.date(2026, 10, 20),
            "fx_rate": "7.1",
            "allocations": [{"invoice_id": old.pk, "amount": "600"}],
        },
    )
    new = invoice(c, "250.50", 20, issued=dt.date(2026, 11, 3))
    services.record_receipt(
        by=finance,
        data={
            "customer_id": c.pk,
            "amount": "300",
            "currency": "USD",
            "received_date": dt.date(2026, 11, 10),
            "bank_charges": "15",
            "fx_rate": "7.2",
            "allocations": [{"invoice_id": old.pk, "amount": "300"}],
        },
    )
    invoice(c, "999", 20, issued=dt.date(2026, 11, 5), status="cancelled")
    invoice(c, "700", 10, issued=dt.date(2026, 11, 6), currency="EUR")
    data = selectors.statement(c, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    usd, eur = data["sections"]
    assert (usd["currency"], usd["is_main"], eur["currency"], eur["is_main"]) == ("USD", True, "EUR", False)
    assert usd["opening"] == D("400.00")
    assert [(e["number"], e["debit"], e["credit"], e["balance"]) for e in usd["entries"]] == [
        (new.number, D("250.50"), D("0.00"), D("650.50")),
        (usd["entries"][1]["number"], D("0.00"), D("300.00"), D("350.50")),
    ]
    assert (usd["invoiced"], usd["received"], usd["closing"]) == (D("250.50"), D("300.00"), D("350.50"))
    assert [o["open"] for o in usd["open_invoices"]] == [D("100.00"), D("250.50")]
    assert usd["open_invoices"][0]["days_overdue"] == 40
    assert (eur["opening"], eur["closing"]) == (D("0.00"), D("700.00"))


def test_overdue_invoices_are_on_the_merchandisers_and_finances_chase_lists(
    merchandiser, manager, finance, make_user
) -> None:
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("TT30-70BL"))
    deposit = Invoice.objects.get(order=order)
    Invoice.objects.filter(pk=deposit.pk).update(due_date=TODAY - dt.timedelta(days=12))
    other = make_user(Role.MERCHANDISER, username="mer2")
    rows = [r for r in chase_list(merchandiser, TODAY) if r.kind == "invoice"]
    assert len(rows) == 1
    row = rows[0]
    assert (row.document, row.order_id, row.amount, row.currency) == (deposit.number, order.pk, D("150.00"), "USD")
    assert "12 days overdue" in row.reason
    assert row.days_late > 0
    assert row.url == f"/finance/invoices/{deposit.pk}/"
    assert [r.document for r in chase_list(finance, TODAY) if r.kind == "invoice"] == [deposit.number]
    assert not [r for r in chase_list(other, TODAY) if r.kind == "invoice"]
    services.record_receipt(
        by=finance,
        data={
            "customer_id": order.customer_id,
            "amount": "150",
            "currency": "USD",
            "received_date": TODAY,
            "fx_rate": "7",
            "allocations": [{"invoice_id": deposit.pk, "amount": "150"}],
        },
    )
    assert not [r for r in chase_list(merchandiser, TODAY) if r.kind == "invoice"]


def test_a_customer_over_its_credit_limit_is_flagged_on_the_review_terms_item(merchandiser, manager) -> None:
    customer = customer_on("OA30", credit_limit=D("800"))
    shipped = confirmed_order(by=merchandiser, manager=manager, customer=customer)
    ship(shipped)  # 500.00 open, due in 30 days
    order = sales_services.submit_order(order=make_order(by=merchandiser, customer=customer), by=merchandiser)
    assert order.status == OrderStatus.IN_REVIEW
    item = ReviewItem.objects.get(order=order, round=1, topic=ReviewTopic.TERMS)
    assert item.comment.startswith("⚠ Over the credit limit")
    assert "USD 500.00 + this order USD 500.00 = USD 1,000.00 > limit USD 800.00" in item.comment
    assert "Nothing overdue." in item.comment
    others = ReviewItem.objects.filter(order=order, round=1).exclude(topic=ReviewTopic.TERMS)
    assert set(others.values_list("comment", flat=True)) == {""}


def test_a_customer_with_overdue_invoices_is_flagged_even_within_its_limit(merchandiser, manager) -> None:
    customer = customer_on("TT30-70BL", credit_limit=D("100000"))
    confirmed_order(by=merchandiser, manager=manager, customer=customer)
    Invoice.objects.filter(customer=customer).update(due_date=TODAY - dt.timedelta(days=45))
    order = sales_services.submit_order(order=make_order(by=merchandiser, customer=customer), by=merchandiser)
    comment = ReviewItem.objects.get(order=order, topic=ReviewTopic.TERMS).comment
    assert comment.startswith("Within the credit limit")
    assert "⚠ 1 overdue invoice(s), USD 150.00; the oldest 45 days overdue" in comment


def test_a_customer_without_a_limit_gets_its_position_noted(merchandiser) -> None:
    order = sales_services.submit_order(order=make_order(by=merchandiser), by=merchandiser)
    comment = ReviewItem.objects.get(order=order, topic=ReviewTopic.TERMS).comment
    assert comment == "No credit limit; open receivables USD 0.00.\nNothing overdue."
