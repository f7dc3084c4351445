"""The shipping clerk's shipment in a real headless Chromium: two orders of one customer put in one shipment, the
packing with its 40HQ suggestion, the booking, the commercial invoice and packing list downloaded (their totals read
with pdftotext), the departure recorded, and both orders' ex-factory milestones done. Then finance sees the invoice
the departure raised, records a partial receipt in USD with bank charges, and the statement shows what is open."""

import subprocess

import pytest
from playwright.sync_api import Browser, Page, expect

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.finance.models import Invoice
from gendan.followup.models import Milestone
from gendan.shipping.models import Shipment
from tests.browser.conftest import login
from tests.conftest import TODAY
from tests.factories import UserFactory
from tests.finance.factories import customer_on
from tests.shipping.factories import confirmed_order, forwarder, product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_the_clerk_ships_two_orders_in_a_40hq_and_finance_collects_part_of_the_invoice(
    page: Page, browser: Browser, live_server, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    UserFactory(username="ship1", role=Role.SHIPPING)
    UserFactory(username="fin1", role=Role.FINANCE)
    # a customer paying O/A 30 days after the B/L, in USD
    customer = customer_on("OA30", code="C-EU1", name="欧洲家居", name_en="Euro Home GmbH")
    # 900 cartons of 60 × 40 × 30 cm (0.072 CBM each): 64.8 CBM, 9,900 kg: more than a 40GP holds, a 40HQ does
    a = confirmed_order(
        by=merchandiser, manager=manager, customer=customer, products=[product()], quantities=[12000], prices=["2.50"]
    )
    b = confirmed_order(
        by=merchandiser, manager=manager, customer=customer, products=[product()], quantities=[9600], prices=["1.25"]
    )
    fwd = forwarder(code="FWD-SZ", name="深圳货代")
    login(page, "ship1")
    page.goto("/shipping/")
    page.get_by_test_id("new-shipment").click()
    page.get_by_test_id("customer").select_option(str(customer.pk))
    page.wait_for_url(f"**/shipping/new/?customer={customer.pk}")
    page.get_by_test_id(f"pick-{a.number}-1").check()
    page.get_by_test_id(f"pick-{b.number}-1").check()
    page.get_by_test_id("pol").fill("Ningbo")
    page.get_by_test_id("pod").fill("Hamburg")
    page.get_by_test_id("create-shipment").click()
    expect(page.get_by_test_id("shipment-status")).to_have_text("planned", use_inner_text=False)
    s = Shipment.objects.get()
    expect(page.get_by_test_id("total-cartons")).to_have_text("900")
    expect(page.get_by_test_id("total-cbm")).to_have_text("64.8")
    expect(page.get_by_test_id("container-suggestion")).to_contain_text("1 × 40HQ")
    # the booking form proposes the suggested container
    expect(page.get_by_test_id("container-type")).to_have_value("40HQ")
    page.get_by_test_id("forwarder").select_option(str(fwd.pk))
    page.get_by_test_id("booking-no").fill("COSU6400123")
    page.get_by_test_id("vessel").fill("COSCO SHIPPING ARIES 021W")
    page.get_by_test_id("etd").fill("2026-11-24")
    page.get_by_test_id("book").click()
    expect(page.get_by_test_id("shipment-status")).to_have_text("booked", use_inner_text=False)
    expect(page.get_by_test_id("booking-facts")).to_contain_text("COSU6400123")
    # the documents, as the browser fetches them
    invoice = page.request.get(page.get_by_test_id("pdf-commercial-invoice-en").get_attribute("href"))
    assert invoice.ok
    assert invoice.body().startswith(b"%PDF")
    text = pdf_text(invoice.body())
    s.refresh_from_db()
    assert s.invoice_number in text
    assert a.number in text
    assert b.number in text
    assert "42,000.00" in text, text  # 12,000 × 2.50 + 9,600 × 1.25
    packing = page.request.get(page.get_by_test_id("pdf-packing-list-en").get_attribute("href"))
    text = pdf_text(packing.body())
    for figure in ("900", "9,000.000", "9,900.000", "64.8000", "1-500", "501-900"):
        assert figure in text
    # the departure
    page.get_by_test_id("atd").fill(TODAY.isoformat())
    page.get_by_test_id("depart").click()
    expect(page.get_by_test_id("shipment-status")).to_have_text("departed", use_inner_text=False)
    expect(page.get_by_test_id("departed-date")).to_contain_text(TODAY.isoformat())
    for order in (a, b):
        assert Milestone.objects.get(order=order, code="EXF").actual_date == TODAY
        assert Milestone.objects.get(order=order, code="BK").actual_date == TODAY
    # the order page shows what shipped
    page.goto(f"/orders/{a.pk}/")
    expect(page.get_by_test_id("shipments-section")).to_contain_text(s.number)

    # finance: the departure raised the invoice of the goods shipped, 12,000 × 2.50 + 9,600 × 1.25 = USD 42,000.00
    invoice = Invoice.objects.get(shipment=s)
    assert str(invoice.amount) == "42000.00"
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    fin = context.new_page()
    login(fin, "fin1")
    fin.goto("/finance/")
    row = fin.locator(f'[data-testid="invoice-row"][data-number="{invoice.number}"]')
    expect(row).to_contain_text("USD 42,000.00")
    row.get_by_role("link", name=invoice.number).click()
    expect(fin.get_by_test_id("shipment-lines")).to_contain_text(a.number)
    # a partial payment of USD 30,000.00 with USD 35.00 bank charges, at the day's rate
    fin.get_by_test_id("record-receipt").click()
    fin.get_by_test_id("amount").fill("30000")
    expect(fin.get_by_test_id("alloc-0")).to_have_value("30000.00")
    fin.get_by_test_id("bank-charges").fill("35")
    fin.get_by_test_id("fx-rate").fill("7.1123")
    fin.get_by_test_id("save-receipt").click()
    expect(fin.get_by_test_id("receipt-allocated")).to_have_text("USD 30,000.00")
    invoice.refresh_from_db()
    assert (str(invoice.paid_amount), invoice.status) == ("30000.00", "partially_paid")
    # the statement shows the USD 12,000.00 still open
    fin.get_by_role("link", name="Statement").first.click()
    expect(fin.get_by_test_id("balance-USD")).to_have_text("USD 12,000.00")
    expect(fin.get_by_test_id("open-invoices-USD")).to_contain_text(invoice.number)
    context.close()
