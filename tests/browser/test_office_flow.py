"""The daily office in a real headless Chromium: a manager assigns a task about an order; the merchandiser finds it
in their chase list, opens it, accepts it, comments and completes it, and the manager sees it done. Then the manager
sends a notice to a subcontract factory, and the factory opens it through its link (no account) and acknowledges it;
the sender sees the receipt."""

import pytest
from playwright.sync_api import Browser, Page, expect

from gendan.core import clock
from gendan.core.models import User
from gendan.office.models import NoticeRecipient, Task
from gendan.sales.choices import OrderStatus
from tests.browser.conftest import login, new_page
from tests.factories import ContactFactory, CustomerFactory, SupplierFactory
from tests.office.conftest import wd
from tests.sales.factories import order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_assigns_a_task_that_the_merchandiser_chases_and_completes_and_a_factory_reads_a_notice(
    page: Page, browser: Browser, live_server, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    customer = CustomerFactory(code="C-NW01", name="北风家居", name_en="Northwind Home", tier="key")
    order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager, customer=customer)
    factory = SupplierFactory(code="S-FA09", name="海宁缝制厂", kind="subcontract")
    ContactFactory(customer=None, supplier=factory, name="张经理", email="zhang@haining.example")

    # the manager assigns a task about the order, from the order's page
    login(page, manager.username)
    page.goto(f"/orders/{order.pk}/")
    page.get_by_test_id("section-assign-task").click()
    expect(page.get_by_test_id("task-order")).to_have_value(order.number)
    page.get_by_test_id("task-title").fill("Get Northwind's approval of the new carton marks")
    page.get_by_test_id("task-assignee").select_option(str(merchandiser.pk))
    page.get_by_test_id("task-due").fill(wd(1).isoformat())
    page.get_by_test_id("task-priority").select_option("urgent")
    page.get_by_test_id("task-description").fill("They changed the marks by e-mail yesterday.")
    page.get_by_test_id("save-task").click()
    expect(page.get_by_test_id("task-status")).to_have_text("assigned", use_inner_text=False)
    task = Task.objects.get()
    assert (task.order, task.assignee, task.priority) == (order, merchandiser, "urgent")
    page.screenshot(path="/tmp/office_task_assigned.png", full_page=True)

    # the merchandiser finds it in the chase list on the dashboard, with why
    mer = new_page(browser, live_server)
    login(mer, merchandiser.username)
    row = mer.locator(f"#chase-task-{task.pk}")
    expect(row).to_be_visible()
    expect(row.get_by_test_id("chase-reason")).to_contain_text("[Urgent] Get Northwind's approval")
    expect(row.get_by_test_id("chase-reason")).to_contain_text("not accepted yet")
    expect(mer.get_by_test_id("panel-my-tasks")).to_contain_text("Get Northwind's approval")
    mer.screenshot(path="/tmp/office_dashboard.png", full_page=True)
    row.get_by_role("link", name=task.number).click()
    expect(mer.get_by_test_id("task-number")).to_have_text(task.number)
    mer.get_by_test_id("action-accept").click()
    expect(mer.get_by_test_id("task-status")).to_have_text("accepted", use_inner_text=False)
    # a comment, through htmx
    mer.get_by_test_id("comment-body").fill("Sent them the proof, waiting for the reply.")
    mer.get_by_test_id("add-comment").click()
    expect(mer.get_by_test_id("comment-thread")).to_contain_text("Sent them the proof")
    mer.get_by_test_id("open-complete").click()
    mer.get_by_test_id("reason-complete").fill("Approved by Anna by e-mail; file sent to the carton supplier.")
    mer.get_by_test_id("action-complete").click()
    expect(mer.get_by_test_id("task-status")).to_have_text("done", use_inner_text=False)
    expect(mer.get_by_test_id("task-completion-note")).to_contain_text("Approved by Anna")
    mer.screenshot(path="/tmp/office_task_done.png", full_page=True)
    mer.goto("/")
    expect(mer.locator(f"#chase-task-{task.pk}")).to_have_count(0)
    mer.context.close()

    # the manager sees it done on the order's page
    page.goto(f"/orders/{order.pk}/")
    expect(page.get_by_test_id("section-tasks")).to_contain_text("Done")

    # the manager sends a notice to the factory (and the merchandiser)
    page.goto("/office/notices/new/")
    page.get_by_test_id("notice-title").fill("Packing change from today")
    page.get_by_test_id("notice-body").fill("Five-ply export cartons and a silica gel bag in each inner box.")
    page.get_by_test_id("notice-ack").check()
    page.get_by_test_id("notice-users").select_option(str(merchandiser.pk))
    page.get_by_test_id("notice-suppliers").select_option(str(factory.pk))
    page.get_by_test_id("send-notice").click()
    expect(page.get_by_test_id("notice-status")).to_have_text("sent", use_inner_text=False)
    url = page.get_by_test_id("link-S-FA09").input_value()
    assert "/office/n/" in url
    page.screenshot(path="/tmp/office_notice_sent.png", full_page=True)

    # the factory opens its link without an account, and acknowledges
    outside = new_page(browser, live_server, locale="zh-CN")
    outside.goto(url)
    expect(outside.get_by_test_id("notice-title")).to_have_text("Packing change from today")
    expect(outside.get_by_test_id("notice-body")).to_contain_text("silica gel")
    outside.get_by_test_id("ack-name").fill("张经理")
    outside.get_by_test_id("acknowledge").click()
    expect(outside.get_by_test_id("acknowledged")).to_contain_text("张经理")
    outside.screenshot(path="/tmp/office_public_notice.png", full_page=True)
    outside.context.close()
    receipt = NoticeRecipient.objects.get(supplier=factory)
    assert receipt.read_at is not None
    assert receipt.acknowledged_at is not None

    # the sender sees the factory's receipt
    page.reload()
    row = page.locator('[data-testid="receipt"][data-party="S-FA09"]')
    expect(row.get_by_test_id("receipt-ack")).to_contain_text("张经理")
    page.goto("/office/summary/?team=1")
    expect(page.get_by_test_id("team-summary")).to_contain_text(merchandiser.get_full_name())
    page.screenshot(path="/tmp/office_team_summary.png", full_page=True)
