"""The planner's week in a real headless Chromium: a released notice's plan adjusted by hand on its grid (the row
total follows the typing, the check says whether it fits, an overload within overtime is saved only when accepted),
then part of the sewing sent out to a subcontract factory, which reports its day through its own link, and what
comes back received with an inspection that shows in the factory's record."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from gendan.catalog import services as catalog_services
from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.followup.models import Milestone
from gendan.partners import services as partner_services
from gendan.production.choices import NoticeStatus, SubcontractStatus
from gendan.production.models import DailyReport, PlanLoad, ProductionNotice, SubcontractOrder
from gendan.production.services import COMPLETE_CODE
from gendan.sales.choices import OrderStatus
from tests.browser.conftest import login
from tests.browser.test_capacity_flow import a_small_plant
from tests.conftest import TODAY
from tests.factories import UserFactory
from tests.sales.factories import order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


WED, THU, FRI = day(1), day(2), day(3)


def sewing_plan(notice: ProductionNotice) -> dict[dt.date, Decimal]:
    """The in-house sewing line's daily quantities of the notice."""
    rows = PlanLoad.objects.filter(notice=notice, position=2, subcontract__isnull=True)
    return {d: q for d, q in rows.values_list("date", "quantity") if q}


def cell(page: Page, position: int, date: dt.date):  # noqa: ANN201
    return page.get_by_test_id(f"cell-{position}-{date.isoformat()}")


def test_the_planner_adjusts_the_plan_and_sends_sewing_out_to_a_factory(
    page: Page, browser: Browser, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the live server (another thread, outside the frozen clock's context) lives the test's day
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    # given a small plant (cutting 8 h a day, sewing 16 h), a subcontract factory sewing 300 shirts a day, and a
    # confirmed order of 1,000 shirts due in three weeks
    planner = UserFactory(username="planner1", role=Role.PLANNER)
    shirt = a_small_plant(planner)
    sewer = partner_services.create_supplier(
        by=manager, data={"code": "F-HN", "name": "海宁制衣厂", "kind": "subcontract", "country": "CN"}
    )
    catalog_services.create_work_centre(
        by=planner,
        data={
            "code": "F-HN",
            "name": "海宁制衣厂",
            "kind": "factory",
            "supplier": sewer,
            "capacity_unit": "units",
            "daily_capacity": Decimal(300),
            "product_family": "shirts",
        },
    )
    order = order_in(
        OrderStatus.CONFIRMED,
        by=merchandiser,
        manager=manager,
        products=[shirt],
        quantities=[1000],
        ex_factory_date=day(21),
    )

    # when the planner registers and releases its notice: the capacity check says it can be met
    login(page, planner.username)
    page.goto(reverse("sales:order", args=[order.pk]))
    page.get_by_test_id("production-section").get_by_test_id("add-notice").click()
    page.wait_for_url("**/production/notices/*/")
    expect(page.get_by_test_id("check-result")).to_have_attribute("data-feasible", "yes")
    page.get_by_test_id("release").click()
    expect(page.get_by_test_id("notice-status")).to_have_text(NoticeStatus.RELEASED.value)
    notice = ProductionNotice.objects.get(order=order)
    # the scheduler sews Wednesday and Thursday (cutting ends on Wednesday)
    assert sewing_plan(notice) == {WED: 500, THU: 500}

    # the planner keeps Thursday's sewing line free for a sample run: the plan's grid, Thursday's 500 moved to Friday
    page.get_by_test_id("notice-plan").click()
    page.wait_for_url("**/plan/")
    grid = page.get_by_test_id("plan-grid")
    expect(cell(page, 2, THU)).to_have_value("500")
    expect(grid.locator("tr[data-position='2'] td.rest").first).to_contain_text("rest")  # Saturday
    cell(page, 2, THU).fill("")
    total = grid.locator("tr[data-position='2']").get_by_test_id("row-total")
    expect(total).to_have_text("500")  # follows the typing, in red while it does not add up
    expect(total).to_have_class("danger")
    cell(page, 2, FRI).fill("500")
    expect(total).to_have_text("1000")
    page.get_by_test_id("plan-check").click()
    expect(page.get_by_test_id("plan-fits")).to_contain_text("The plan fits")
    assert sewing_plan(notice) == {WED: 500, THU: 500}  # a check saves nothing
    expect(cell(page, 2, FRI)).to_have_value("500")  # the grid keeps what was typed
    page.get_by_test_id("plan-save").click()
    expect(page.locator(".msg-success")).to_contain_text(f"The plan of {notice.number} is saved.")
    expect(page.get_by_test_id("plan-edited")).to_have_text("Adjusted by hand")
    assert sewing_plan(notice) == {WED: 500, FRI: 500}
    assert Milestone.objects.get(order=order, code=COMPLETE_CODE).fed_date == FRI  # the milestone follows

    # then more on Wednesday: 600 shirts are 19.2 h on a 16 h line, within its 4 h of overtime
    cell(page, 2, WED).fill("600")
    cell(page, 2, FRI).fill("400")
    page.get_by_test_id("plan-save").click()
    overloads = page.get_by_test_id("overloads")
    expect(overloads).to_contain_text("SEW1")
    expect(overloads).to_contain_text("19.2")
    assert sewing_plan(notice) == {WED: 500, FRI: 500}  # refused until the overload is accepted
    page.get_by_test_id("plan-save-overload").click()
    expect(page.locator(".msg-success")).to_contain_text("is saved")
    assert sewing_plan(notice) == {WED: 600, FRI: 400}
    assert PlanLoad.objects.get(notice=notice, position=2, date=WED).overtime == Decimal("3.2")

    # when 300 shirts' sewing is sent out to the factory, back by next Wednesday at 2.80 a piece
    page.goto(reverse("production:notice", args=[notice.pk]))
    page.get_by_test_id("send-out").click()
    form = page.get_by_test_id("subcontract-form")
    form.get_by_test_id("factory").select_option(label="F-HN 海宁制衣厂 · 300 Units")
    form.locator("select[name=first_position]").select_option("2")
    form.locator("select[name=last_position]").select_option("2")
    form.get_by_test_id("quantity").fill("300")
    form.get_by_test_id("unit-price").fill("2.80")
    form.get_by_test_id("due-date").fill(day(8).isoformat())
    form.get_by_test_id("save-subcontract").click()
    page.get_by_test_id("action-send").click()
    expect(page.get_by_test_id("subcontract-status")).to_have_text(SubcontractStatus.SENT.value)
    sc = SubcontractOrder.objects.get(notice=notice)
    # the in-house sewing shrinks to 700 and is planned afresh by the scheduler (what was typed no longer adds up)
    notice.refresh_from_db()
    assert notice.plan_edited is False
    assert sewing_plan(notice) == {WED: 500, THU: 200}
    assert PlanLoad.objects.filter(subcontract=sc, work_centre__code="F-HN").exists()

    # the planner makes the factory's report link; the factory opens it without an account and reports its day
    page.goto(reverse("production:factories"))
    page.get_by_test_id("new-link-F-HN").click()
    url = page.get_by_test_id("factory-link-F-HN").input_value()
    assert "/f/" in url
    context = browser.new_context(locale="zh-CN")
    factory_page = context.new_page()
    factory_page.goto(url)
    expect(factory_page.locator("h1")).to_contain_text("海宁制衣厂")
    expect(factory_page.locator(f"tr[data-subcontract='{sc.number}']")).to_contain_text("300")
    assert order.customer.name not in factory_page.content()  # the factory sees only its own work
    factory_page.get_by_test_id(f"good-{sc.number}").fill("300")
    factory_page.locator(f"input[name=hours-{sc.pk}]").fill("10")
    factory_page.get_by_test_id("send-report").click()
    expect(factory_page.locator(".msg-success")).to_be_visible()
    context.close()
    report = DailyReport.objects.get(subcontract=sc)
    assert (report.date, report.good_qty) == (TODAY, 300)

    # what comes back is received with an inspection: 12 rejected for open seams
    page.goto(reverse("production:subcontract", args=[sc.pk]))
    receive = page.get_by_test_id("receive-form")
    receive.get_by_test_id("receive-qty").fill("300")
    receive.get_by_test_id("rejected-qty").fill("12")
    receive.get_by_test_id("findings").fill("开线 / open seams")
    receive.get_by_test_id("receive").click()
    expect(page.get_by_test_id("received")).to_contain_text("300")
    sc.refresh_from_db()
    assert sc.status == SubcontractStatus.RECEIVED

    # and the factory's record shows it: one order, back before its date, 4 % rejected
    page.goto(reverse("production:factories"))
    record = page.get_by_test_id("factory-record")
    expect(record).to_contain_text("F-HN")
    expect(record.get_by_test_id("rejected")).to_contain_text("4")
