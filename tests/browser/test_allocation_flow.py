"""Allocation of short stock in a real headless Chromium: a product is short (500 in stock, 900 ordered), the
short-stock list shows it, the proposal puts the key customer first, the merchandiser lowers one line and sees its
shortfall move as they type, gives the make-up date and confirms; the order left short shows on the risk board,
driven by the ex-factory milestone with the note "Short of stock: 0 of 400 allocated"."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from gendan.core import clock
from gendan.core.models import User
from gendan.followup.models import Milestone
from gendan.inventory.models import Stock, StockAllocation
from tests.browser.conftest import login
from tests.conftest import TODAY
from tests.factories import ProductFactory
from tests.inventory.test_allocation import fg_location, order_for, put

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_key_customer_is_served_first_and_the_order_left_short_shows_on_the_risk_board(
    page: Page, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    product = ProductFactory(code="P-TOWEL", name="浴巾 70x140")
    put(product, fg_location(manager, "FG"), 500, manager)
    normal = order_for(product, 400, by=merchandiser, manager=manager, order_date=TODAY - dt.timedelta(days=20))
    key = order_for(product, 300, by=merchandiser, manager=manager, tier="key")
    early = order_for(product, 200, by=merchandiser, manager=manager, committed=dt.date(2027, 1, 15))

    login(page, "mer1")
    page.goto("/inventory/allocation/")
    row = page.locator('[data-testid="short-row"][data-product="P-TOWEL"]')
    expect(row.get_by_test_id("shortfall")).to_have_text("400")
    row.get_by_role("link", name="P-TOWEL").click()
    expect(page.get_by_test_id("demand")).to_contain_text("900")
    expect(page.get_by_test_id("on-hand")).to_contain_text("500")
    # key customer first, then the earliest committed date; the normal order of the earliest order date last
    rows = page.get_by_test_id("proposal-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_attribute("data-order", key.number)
    expect(rows.nth(0)).to_have_attribute("data-tier", "key")
    expect(rows.nth(1)).to_have_attribute("data-order", early.number)
    expect(rows.nth(2)).to_have_attribute("data-order", normal.number)
    expect(page.get_by_test_id(f"qty-{key.number}-1")).to_have_value("300")
    expect(page.get_by_test_id(f"qty-{early.number}-1")).to_have_value("200")
    expect(page.get_by_test_id(f"qty-{normal.number}-1")).to_have_value("0")
    expect(page.get_by_test_id(f"shortfall-{normal.number}-1")).to_have_text("400")
    # the merchandiser lowers the early order's line: its shortfall and what is left move as they type
    page.get_by_test_id(f"qty-{early.number}-1").fill("150")
    expect(page.get_by_test_id(f"shortfall-{early.number}-1")).to_have_text("50")
    expect(page.get_by_test_id("left")).to_have_text("50")
    expect(page.get_by_test_id("short-lines")).to_have_text("2")
    page.get_by_test_id("make-up-date").fill("2027-03-10")
    page.screenshot(path="/tmp/allocation-proposal.png", full_page=True)
    page.get_by_test_id("confirm-allocation").click()
    expect(page.locator(".msg-success")).to_contain_text("3 lines, 2 left short")
    expect(page.get_by_test_id("allocated")).to_contain_text("450")
    expect(page.get_by_test_id("available")).to_contain_text("50")
    expect(page.locator(f'[data-testid="allocation-row"][data-order="{early.number}"]')).to_contain_text("150")
    assert dict(StockAllocation.objects.values_list("order_id", "quantity")) == {
        key.pk: Decimal(300),
        early.pk: Decimal(150),
        normal.pk: Decimal(0),
    }
    assert Stock.objects.get(product=product).reserved == Decimal(450)
    page.screenshot(path="/tmp/allocation-confirmed.png", full_page=True)

    # the orders left short are on the risk board, driven by their ex-factory milestone
    page.goto("/follow-up/risk/")
    short_row = page.locator(f'[data-testid="risk-row"][data-order="{normal.number}"]')
    expect(short_row).to_have_attribute("data-driving", "EXF")
    expect(short_row).to_have_attribute("data-risk", "at_risk")
    expect(page.locator(f'[data-testid="risk-row"][data-order="{early.number}"]')).to_be_visible()
    expect(page.locator(f'[data-testid="risk-row"][data-order="{key.number}"]')).to_have_count(0)
    page.screenshot(path="/tmp/allocation-risk-board.png", full_page=True)
    # and the order's plan says why
    page.goto(f"/orders/{normal.pk}/")
    expect(page.get_by_test_id("allocation-section")).to_contain_text("2027-03-10")
    exf = Milestone.objects.get(order=normal, code="EXF")
    assert exf.fed_note.startswith("Short of stock: 0 of 400 allocated (P-TOWEL)")
    expect(page.get_by_test_id("fed-note").first).to_contain_text("Short of stock")
    page.screenshot(path="/tmp/allocation-order.png", full_page=True)
