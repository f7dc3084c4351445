"""Finance pages with Django's client: lists, detail, recording a receipt (pre-filled rows, errors kept), the
statement page and its PDF and workbook, ageing, payment terms, the order page's Payments section."""

from decimal import Decimal

import pytest

from gendan.core.choices import Role
from gendan.finance.models import Invoice, PaymentTerm, Receipt
from tests.conftest import TODAY
from tests.finance.factories import confirmed_order, customer_on, ship

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def order(merchandiser, manager):  # noqa: ANN001, ANN201
    order = confirmed_order(by=merchandiser, manager=manager, customer=customer_on("TT30-70BL", code="ACME"))
    ship(order)
    return order


def test_the_invoice_list_filters_and_exports(page_as, finance, order) -> None:
    client = page_as(finance)
    r = client.get("/finance/")
    assert r.status_code == 200
    assert r.content.decode().count('data-testid="invoice-row"') == 2
    assert client.get("/finance/?status=paid").content.decode().count('data-testid="invoice-row"') == 0
    assert client.get("/finance/?overdue=1&status=").content.decode().count('data-testid="invoice-row"') == 0
    xlsx = client.get("/finance/?status=open&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_invoice_list_does_not_query_per_row(page_as, finance, order, django_assert_max_num_queries) -> None:
    client = page_as(finance)
    client.get("/finance/")
    with django_assert_max_num_queries(14):
        client.get("/finance/")


def test_the_invoice_page_shows_lines_goods_and_cancel(page_as, finance, order) -> None:
    invoice = Invoice.objects.get(order=order, kind="shipment")
    html = page_as(finance).get(f"/finance/invoices/{invoice.pk}/").content.decode()
    assert invoice.number in html
    assert "USD 350.00" in html
    assert 'data-testid="shipment-lines"' in html
    assert 'data-testid="open-cancel"' in html
    r = page_as(finance).post(f"/finance/invoices/{invoice.pk}/cancel/", {"reason": "re-issued", "version": 1})
    assert r.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "cancelled"


def test_recording_a_receipt_through_the_page(page_as, finance, order) -> None:
    client = page_as(finance)
    form = client.get(f"/finance/receipts/add/?customer={order.customer_id}").content.decode()
    deposit = Invoice.objects.get(order=order, kind="deposit")
    goods = Invoice.objects.get(order=order, kind="shipment")
    # oldest due first: the shipment's invoice (due today) before the deposit (due in 7 days)
    assert form.index(goods.number) < form.index(deposit.number)
    data = {
        "customer_id": order.customer_id,
        "currency": "USD",
        "rows": "2",
        "amount": "400",
        "bank_charges": "15",
        "received_date": TODAY.isoformat(),
        "fx_rate": "7.12",
        "reference": "HSBC 778",
        "invoice-0": goods.pk,
        "alloc-0": "350",
        "invoice-1": deposit.pk,
        "alloc-1": "50",
    }
    r = client.post(f"/finance/receipts/add/?customer={order.customer_id}", data)
    assert r.status_code == 302
    receipt = Receipt.objects.get()
    assert (receipt.amount, receipt.bank_charges, receipt.allocated_amount) == (D("400"), D("15"), D("400"))
    page = client.get(r["Location"]).content.decode()
    assert "USD 385.00" in page  # net credited


def test_an_over_allocation_on_the_page_keeps_the_typing_and_names_the_row(page_as, finance, order) -> None:
    goods = Invoice.objects.get(order=order, kind="shipment")
    r = page_as(finance).post(
        f"/finance/receipts/add/?customer={order.customer_id}",
        {
            "customer_id": order.customer_id,
            "currency": "USD",
            "rows": "1",
            "amount": "400",
            "received_date": TODAY.isoformat(),
            "fx_rate": "7.1",
            "invoice-0": goods.pk,
            "alloc-0": "360",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "is more than the USD 350.00 still open" in html
    assert 'value="360"' in html
    assert not Receipt.objects.exists()


def test_statement_page_pdf_and_excel(page_as, finance, order) -> None:
    client = page_as(finance)
    html = client.get(f"/finance/customers/{order.customer_id}/statement/").content.decode()
    assert 'data-testid="balance-USD">USD 500.00' in html
    pdf = client.get(f"/finance/customers/{order.customer_id}/statement.pdf?language=zh-hans")
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/finance/customers/{order.customer_id}/statement.xlsx")
    assert xlsx["Content-Disposition"].endswith('.xlsx"')


def test_ageing_page_and_excel(page_as, finance, order) -> None:
    client = page_as(finance)
    html = client.get("/finance/ageing/").content.decode()
    assert 'data-code="ACME"' in html
    assert client.get("/finance/ageing/?by=merchandiser").status_code == 200
    assert client.get("/finance/ageing/?format=xlsx")["Content-Type"].startswith("application/vnd")


def test_customer_accounts_set_a_term(page_as, finance, order) -> None:
    client = page_as(finance)
    assert 'data-code="ACME"' in client.get("/finance/customers/").content.decode()
    term = PaymentTerm.objects.get(code="OA60")
    r = client.post(f"/finance/customers/{order.customer_id}/terms/", {"term_id": term.pk, "version": 1})
    assert r.status_code == 302
    order.customer.finance_terms.refresh_from_db()
    assert order.customer.finance_terms.term == term


def test_a_payment_term_made_on_its_page(page_as, finance) -> None:
    client = page_as(finance)
    assert client.get("/finance/terms/").status_code == 200
    bad = client.post(
        "/finance/terms/add/", {"code": "X1", "name": "x", "share-0": "30", "rule-0": "deposit", "days-0": "7"}
    )
    assert "not 100 %" in bad.content.decode()
    ok = client.post(
        "/finance/terms/add/",
        {
            "code": "X1",
            "name": "x",
            "is_active": "on",
            "share-0": "30",
            "rule-0": "deposit",
            "days-0": "7",
            "share-1": "70",
            "rule-1": "lc_sight",
            "days-1": "10",
        },
    )
    assert ok.status_code == 302
    term = PaymentTerm.objects.get(code="X1")
    assert [(p.share_pct, p.rule, p.days) for p in term.parts.all()] == [(D(30), "deposit", 7), (D(70), "lc_sight", 10)]
    stale = client.post(
        f"/finance/terms/{term.pk}/", {"code": "X1", "name": "y", "version": "9", "share-0": "100", "rule-0": "oa_bl"}
    )
    assert "changed by someone else" in stale.content.decode()


def test_the_order_page_shows_its_payments(page_as, merchandiser, order) -> None:
    html = page_as(merchandiser).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="payments-section"' in html
    assert 'data-testid="order-invoiced">USD 500.00' in html
    assert 'data-testid="order-open"><strong>USD 500.00' in html


def test_pages_need_their_permissions(page_as, make_user, merchandiser, order) -> None:
    qc = make_user(Role.QC, username="qc1")
    assert page_as(qc).get("/finance/").status_code == 403
    assert page_as(merchandiser).get("/finance/").status_code == 200
    assert page_as(merchandiser).get("/finance/receipts/add/").status_code == 403
    assert 'data-testid="payments-section"' not in page_as(qc).get(f"/orders/{order.pk}/").content.decode()
