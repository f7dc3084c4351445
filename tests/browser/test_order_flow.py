"""The main flow in a real headless Chromium: an order from draft through review to a change."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from gendan.core.choices import Role
from tests.browser.conftest import login
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Who answers each review topic in this company: one user per reviewing department.
REVIEWERS = {
    "planner1": Role.PLANNER,  # delivery date, capacity
    "sales1": Role.SALES,  # price
    "finance1": Role.FINANCE,  # terms
    "buyer1": Role.PURCHASING,  # materials
    "qc1": Role.QC,  # quality
}


def logout(page: Page) -> None:
    page.context.clear_cookies()


def test_merchandiser_takes_an_order_through_review_confirmation_and_a_change(page: Page) -> None:
    # given a customer, two products, a merchandiser and one reviewer per department
    mer = UserFactory(username="mer1", role=Role.MERCHANDISER)
    for username, role in REVIEWERS.items():
        UserFactory(username=username, role=role)
    customer = CustomerFactory(code="C-NW01", name="北风家居", merchandiser=mer)
    towel = ProductFactory(code="GD-0001", name="纯棉浴巾")
    mitt = ProductFactory(code="GD-0002", name="隔热手套")
    ex_factory = (dt.date.today() + dt.timedelta(days=60)).isoformat()  # noqa: DTZ011 - the live server's real day

    # when the merchandiser creates an order with two lines
    login(page, "mer1")
    page.goto("/orders/add/")
    page.select_option("select[name=customer]", str(customer.pk))
    page.fill("input[name=customer_po]", "PO-7781")
    page.fill("input[name=ex_factory_date]", ex_factory)
    page.select_option("select[name=lines-0-product]", str(towel.pk))
    page.fill("input[name=lines-0-quantity]", "1200")
    page.fill("input[name=lines-0-unit_price]", "3.25")
    if page.locator("select[name=lines-1-product]").count() == 0:
        page.click("[data-testid=add-line]")
    page.select_option("select[name=lines-1-product]", str(mitt.pk))
    page.fill("input[name=lines-1-quantity]", "800")
    page.fill("input[name=lines-1-unit_price]", "1.50")
    page.click("[data-testid=save-order]")

    # then the order page shows a draft with both lines and the computed total
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("order-line")).to_have_count(2)
    expect(page.get_by_test_id("total-amount")).to_contain_text("5,100.00")
    order_url = page.url
    number = page.get_by_test_id("order-number").inner_text()

    # when it is submitted for contract review
    page.click("[data-testid=action-submit]")
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "in_review")
    expect(page.locator("[data-testid=review-item][data-verdict=pending]")).to_have_count(7)

    # and the merchandising item is passed by the merchandiser, every other item by its department
    def pass_my_items() -> None:
        page.goto(order_url)
        mine = page.locator("[data-testid=review-item][data-verdict=pending]").filter(
            has=page.get_by_test_id("review-pass")
        )
        count = mine.count()
        assert count >= 1
        for left in range(count - 1, -1, -1):
            mine.first.get_by_test_id("review-comment").fill("OK")
            mine.first.get_by_test_id("review-pass").click()
            expect(mine).to_have_count(left)

    pass_my_items()
    for username in REVIEWERS:
        logout(page)
        login(page, username)
        pass_my_items()
    expect(page.locator("[data-testid=review-item][data-verdict=pass]")).to_have_count(7)

    # then the merchandiser confirms it
    logout(page)
    login(page, "mer1")
    page.goto(order_url)
    page.click("[data-testid=action-confirm]")
    expect(page.get_by_test_id("order-status")).to_have_attribute("data-status", "confirmed")

    # when the merchandiser changes the first line's quantity with a reason
    page.click("[data-testid=edit-order]")
    page.fill("input[name=lines-0-quantity]", "1500")
    page.fill("textarea[name=change_reason]", "客户邮件要求追加数量")
    page.click("[data-testid=save-order]")

    # then the order shows revision 1 with the reason and the old → new quantity
    expect(page.get_by_test_id("order-revision")).to_be_visible()
    revision = page.get_by_test_id("revision").first
    expect(revision).to_have_attribute("data-number", "1")
    expect(revision.get_by_test_id("revision-reason")).to_have_text("客户邮件要求追加数量")
    expect(revision).to_contain_text("1500")
    expect(page.get_by_test_id("line-quantity").first).to_contain_text("1,500")
    # and the audit trail records the creation, the review, the confirmation and the change
    trail = page.get_by_test_id("audit-trail")
    expect(trail).to_contain_text("quantity")
    expect(trail).to_contain_text("Confirmed")

    # and the planner (production is affected by a quantity change) finds the notification in the inbox
    logout(page)
    login(page, "planner1")
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.goto("/inbox/")
    notice = page.get_by_test_id("inbox").locator("tr.unread").first
    expect(notice).to_contain_text(number)
    notice.locator("a").first.click()
    expect(page.get_by_test_id("order-number")).to_have_text(number)
