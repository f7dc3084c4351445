"""The accountant's day in a real headless Chromium: the invoice raised when a shipment departed is on the invoice
list; a partial payment in USD, with bank charges, is recorded on the receipt page (the allocation row pre-filled
from the amount); the customer's statement shows what is still open."""

import pytest
from playwright.sync_api import Page, expect

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.finance.models import Invoice, Receipt
from gendan.sales.choices import OrderStatus
from tests.browser.conftest import login
from tests.factories import UserFactory
from tests.finance.factories import customer_on, ship
from tests.sales.factories import order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_records_a_partial_usd_payment_and_the_statement_shows_the_balance(
    page: Page, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the live server (another thread, outside the frozen clock's context) lives the test's day
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    UserFactory(username="fin1", role=Role.FINANCE)
    # an O/A 30 days customer; a confirmed order of USD 500.00 fully shipped: the shipment departed today
    customer = customer_on("OA30", code="BLUE", name="蓝海贸易")
    order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager, customer=customer)
    shipment = ship(order, by=merchandiser)
    invoice = Invoice.objects.get(shipment=shipment)

    login(page, "fin1")
    page.goto("/finance/")
    row = page.locator(f'[data-testid="invoice-row"][data-number="{invoice.number}"]')
    expect(row).to_contain_text("USD 500.00")
    row.get_by_role("link", name=invoice.number).click()
    expect(page.get_by_test_id("invoice-amount")).to_have_text("USD 500.00")
    expect(page.get_by_test_id("shipment-lines")).to_contain_text(order.number)

    page.get_by_test_id("record-receipt").click()
    page.get_by_test_id("amount").fill("300")
    # the row is pre-filled from the amount, oldest invoice first
    expect(page.get_by_test_id("alloc-0")).to_have_value("300.00")
    expect(page.get_by_test_id("allocation-total")).to_contain_text("300.00 / 0.00")
    page.get_by_test_id("bank-charges").fill("25")
    page.get_by_test_id("fx-rate").fill("7.1123")
    page.get_by_test_id("reference").fill("CITI 20261124-01")
    page.get_by_test_id("save-receipt").click()

    expect(page.get_by_test_id("receipt-amount")).to_have_text("USD 300.00")
    expect(page.get_by_test_id("receipt-charges")).to_have_text("USD 25.00")
    expect(page.get_by_test_id("receipt-allocated")).to_have_text("USD 300.00")
    receipt = Receipt.objects.get()
    assert (receipt.reference, str(receipt.fx_rate)) == ("CITI 20261124-01", "7.112300")
    invoice.refresh_from_db()
    assert (str(invoice.paid_amount), invoice.status) == ("300.00", "partially_paid")

    page.get_by_role("link", name="Statement").first.click()
    expect(page.get_by_test_id("balance-USD")).to_have_text("USD 200.00")
    expect(page.get_by_test_id("open-invoices-USD")).to_contain_text(invoice.number)
    expect(page.get_by_test_id("open-invoices-USD")).to_contain_text("200.00")
