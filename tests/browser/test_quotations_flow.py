"""A salesperson's quotation in a real headless Chromium: a new quotation for a customer in USD (its currency, rate,
Incoterm and payment terms filled in from the customer), a product costed from its BOM (the fabric at its latest
purchase price) and its routing (at the work centres' rates); the margin changed on the page and the unit price
moving as the server re-prices the line (htmx, no arithmetic in the browser); a quantity break; the PDF; sent,
accepted and turned into a draft order in one step, which says which quotation it came from."""

import shutil
import subprocess
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from gendan.core import clock
from gendan.quotations.models import Quotation
from gendan.sales.models import Order
from tests.browser.conftest import login
from tests.conftest import TODAY
from tests.quotations import conftest as quotation_fixtures
from tests.quotations.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
world = quotation_fixtures.world  # the quotations tests' fixtures: a customer in USD, a product with BOM and routing
sales = quotation_fixtures.sales


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_sales_costs_a_quotation_from_the_bom_moves_the_margin_and_turns_it_into_an_order(
    page: Page, live_server, world: World, sales, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the live server (another thread, outside the frozen clock's context) lives the test's day
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    login(page, sales.username)
    page.goto("/quotations/")
    page.get_by_test_id("new-quotation").click()
    page.get_by_test_id("customer").select_option(str(world.customer.pk))
    page.get_by_test_id("choose-customer").click()
    # the customer's defaults
    expect(page.get_by_test_id("fx-rate")).to_have_value("7")
    expect(page.get_by_test_id("incoterm")).to_have_value("FOB")
    expect(page.get_by_test_id("payment-terms")).to_have_value(world.customer.payment_terms)
    page.get_by_test_id("incoterm-place").fill("Ningbo")
    page.get_by_test_id("product").select_option(str(world.product.pk))
    page.get_by_test_id("quantity").fill("1000")
    page.get_by_test_id("save-quotation").click()
    expect(page.get_by_test_id("quotation-status")).to_have_text("draft", use_inner_text=False)
    q = Quotation.objects.get()
    # the BOM priced: the fabric at its latest purchase order, the button at its material price; the routing rated
    materials = page.get_by_test_id("materials-1")
    expect(materials).to_contain_text("FAB-01")
    expect(materials).to_contain_text("PO-2026-00002")
    expect(page.get_by_test_id("mat-FAB-01")).to_have_value("10")
    expect(page.get_by_test_id("operations-1")).to_contain_text("SEW1")
    # 16.30 materials + 5.378 processing, 8 % overheads: 23.4122 a unit; 15 % margin of the price at 7: USD 3.93
    expect(page.get_by_test_id("cost-1")).to_have_text("23.4122")
    expect(page.get_by_test_id("unit-price-1")).to_have_text("3.93")
    # the margin goes to 20 %: the server re-prices the line, USD 4.18
    page.get_by_test_id("margin-1").fill("20")
    page.get_by_test_id("margin-1").press("Tab")
    expect(page.get_by_test_id("unit-price-1")).to_have_text("4.18")
    expect(page.get_by_test_id("quotation-total")).to_have_text("USD 4,180.00")
    # a typed fabric price (12.00 instead of 10.00) moves it again: 26.7170 a unit, USD 4.77; a bad figure is
    # refused and nothing is saved
    page.get_by_test_id("mat-FAB-01").fill("12")
    page.get_by_test_id("mat-FAB-01").press("Tab")
    expect(page.get_by_test_id("unit-price-1")).to_have_text("4.77")
    page.get_by_test_id("margin-1").fill("99")
    page.get_by_test_id("margin-1").press("Tab")
    expect(page.get_by_test_id("line-errors")).to_contain_text("95")
    expect(page.get_by_test_id("unit-price-1")).to_have_text("4.77")
    page.get_by_test_id("margin-1").fill("20")
    page.get_by_test_id("margin-1").press("Tab")
    expect(page.get_by_test_id("line-errors")).to_have_count(0)
    # a quantity break of 5,000: the setup spread over more pieces
    page.get_by_test_id("breaks-1").fill("5000")
    page.get_by_test_id("breaks-1").press("Tab")
    expect(page.get_by_test_id("break-1-1")).to_contain_text("5,000")
    expect(page.get_by_test_id("break-1-1")).to_contain_text("4.76")
    line = q.lines.get()
    assert (line.margin_pct, line.unit_price) == (Decimal("20.00"), Decimal("4.7700"))
    # the PDF the customer gets: prices, breaks and validity, never the cost build-up
    pdf = page.request.get(page.get_by_test_id("pdf-en").get_attribute("href"))
    assert pdf.ok
    assert pdf.body().startswith(b"%PDF")
    text = pdf_text(pdf.body())
    assert q.number in text
    assert "4.77" in text
    assert "4,770.00" in text
    assert "≥ 5,000" in text
    assert "23.4122" not in text
    assert "FAB-01" not in text
    # sent (handed over), accepted, made into the order
    page.get_by_test_id("open-send").click()
    page.get_by_test_id("mark-sent").click()
    expect(page.get_by_test_id("quotation-status")).to_have_text("sent", use_inner_text=False)
    page.get_by_test_id("action-accept").click()
    expect(page.get_by_test_id("quotation-status")).to_have_text("accepted", use_inner_text=False)
    page.get_by_test_id("customer-po").fill("NW-4711")
    page.get_by_test_id("action-to-order").click()
    expect(page.get_by_test_id("order-quotation-link")).to_have_text(q.number)
    order = Order.objects.get()
    (order_line,) = order.lines.all()
    assert (order.status, order.customer_po, order.currency, order.incoterm_place) == (
        "draft",
        "NW-4711",
        "USD",
        "Ningbo",
    )
    assert (order_line.quantity, order_line.unit_price, order.total_amount) == (
        Decimal("1000.000"),
        Decimal("4.7700"),
        Decimal("4770.00"),
    )
    assert order.order_date == TODAY
    page.get_by_test_id("order-quotation-link").click()
    expect(page.get_by_test_id("quotation-order")).to_have_text(order.number)
