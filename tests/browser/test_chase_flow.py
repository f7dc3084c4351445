"""The chase flow in a real headless Chromium: from an overdue milestone on the dashboard to the risk board."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.followup.models import FollowUp, Milestone
from gendan.followup.services import reforecast_orders, update_milestone
from gendan.sales.choices import OrderStatus, Risk
from gendan.sales.models import Order
from tests.browser.conftest import login
from tests.conftest import TODAY
from tests.factories import UserFactory
from tests.sales.factories import order_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Confirmed early October to ship on the last day of the year (Mon–Fri calendar), the standard plan puts
# materials ordered (MO) on 2026-11-03, the PP sample (PPS) on 2026-11-19 and production start (PS) on 2026-12-01.
CONFIRMED_ON = dt.date(2026, 10, 5)
EX_FACTORY = dt.date(2026, 12, 31)
PROMISED = TODAY + dt.timedelta(weeks=7)  # 2027-01-12: pushes production, and so ex-factory, past 2026-12-31


def a_confirmed_order_with_an_overdue_pp_sample(merchandiser: User, manager: User) -> Order:
    """An order on track whose PP sample (owned by its merchandiser) is 3 working days overdue today."""
    # one owner per department, so that only the merchandiser's own milestones land on their chase list
    buyer = UserFactory(username="buyer1", role=Role.PURCHASING)
    for username, role in {
        "planner1": Role.PLANNER,
        "qc1": Role.QC,
        "shipping1": Role.SHIPPING,
        "finance1": Role.FINANCE,
    }.items():
        UserFactory(username=username, role=role)
    with clock.frozen(CONFIRMED_ON):
        order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager, ex_factory_date=EX_FACTORY)
    plan = {m.code: m for m in Milestone.objects.filter(order=order)}
    assert len(plan) == 12
    # materials were ordered on plan by the buyer
    mo = plan["MO"]
    assert mo.owner == buyer
    with clock.frozen(mo.planned_date):
        update_milestone(milestone=mo, by=buyer, data={"actual_date": mo.planned_date})
    # the PP sample is the merchandiser's and its planned date has passed without an actual date
    pps = plan["PPS"]
    assert pps.owner == merchandiser
    assert pps.planned_date == dt.date(2026, 11, 19)
    reforecast_orders()  # the nightly run, today
    order.refresh_from_db()
    pps.refresh_from_db()
    assert pps.actual_date is None
    assert pps.status == "late"
    assert order.risk == Risk.ON_TRACK  # PS has slack enough to absorb a few days of PPS
    return order


def test_merchandiser_chases_an_overdue_milestone_and_the_order_turns_at_risk(
    page: Page, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a confirmed order whose PP sample is overdue, still on track
    order = a_confirmed_order_with_an_overdue_pp_sample(merchandiser, manager)
    # and the live server (another thread, outside the frozen clock's context) living the same day as this test
    today_noon = clock.now()
    monkeypatch.setattr(clock, "now", lambda: today_noon)

    # when the merchandiser opens the dashboard
    login(page, merchandiser.username)
    page.goto("/")
    panel = page.get_by_test_id("chase-panel")
    expect(panel).to_have_attribute("data-day", TODAY.isoformat())

    # then the overdue PP sample is on the chase list, and nothing of the order is at risk yet
    row = panel.locator(f"tr[data-testid=chase-row][data-order='{order.number}'][data-code=PPS]")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-kind", "milestone")
    expect(row.get_by_test_id("chase-reason")).to_contain_text("overdue")
    expect(panel.locator("tr[data-testid=chase-row]")).to_have_count(1)
    expect(panel.locator(f"tr[data-kind=order][data-order='{order.number}']")).to_have_count(0)

    # when a follow-up with the customer's promised date is logged from the row itself
    page.evaluate("window.__same_page = true")  # gone if the browser loads a new page
    row.get_by_test_id("open-follow-up").click()
    form = row.get_by_test_id("follow-up-form")
    expect(form).to_be_visible()
    form.get_by_test_id("fu-summary").fill("Customer approves the PP sample only after their lab test")
    form.get_by_test_id("fu-party").select_option("customer")
    form.get_by_test_id("fu-channel").select_option("wechat")
    form.get_by_test_id("fu-promised").fill(PROMISED.isoformat())
    form.get_by_test_id("fu-save").click()

    # then the panel is swapped in place with the confirmation
    panel = page.get_by_test_id("chase-panel")
    expect(panel).to_contain_text(f"Follow-up of {order.number} logged.")
    assert page.evaluate("window.__same_page === true")
    # and the order is now on the list as at risk, while the PP sample (promised beyond the horizon) has left it
    at_risk = panel.locator(f"tr[data-testid=chase-row][data-kind=order][data-order='{order.number}']")
    expect(at_risk).to_have_count(1)
    expect(at_risk).to_have_attribute("data-code", "PPS")
    expect(at_risk.get_by_test_id("chase-reason")).to_contain_text("driven by PPS")
    expect(panel.locator(f"tr[data-kind=milestone][data-order='{order.number}']")).to_have_count(0)
    page.screenshot(path="/tmp/chase_after.png", full_page=True)

    # and the risk board shows the order at risk, driven by the PP sample
    page.goto("/follow-up/risk/")
    risk_row = page.locator(f"tr[data-testid=risk-row][data-order='{order.number}']")
    expect(risk_row).to_have_count(1)
    expect(risk_row).to_have_attribute("data-risk", "at_risk")
    expect(risk_row).to_have_attribute("data-driving", "PPS")
    expect(risk_row.get_by_test_id("risk-driving")).to_have_text("PPS")
    expect(risk_row).to_contain_text("Customer approves the PP sample")

    # and so does the order page, with its Gantt chart and the chain of the slip
    risk_row.locator("a").first.click()
    expect(page.get_by_test_id("order-risk")).to_have_attribute("data-risk", "at_risk")
    expect(page.locator("svg[data-testid=gantt]")).to_be_visible()
    expect(page.get_by_test_id("driving-chain")).to_contain_text("PPS")

    # and the database holds the follow-up and the promise on the milestone
    follow_up = FollowUp.objects.get(order=order)
    assert follow_up.milestone.code == "PPS"
    assert follow_up.party == "customer"
    assert follow_up.channel == "wechat"
    assert follow_up.promised_date == PROMISED
    assert follow_up.created_by == merchandiser
    pps = Milestone.objects.get(order=order, code="PPS")
    assert pps.promised_date == PROMISED
    assert pps.actual_date is None
    order.refresh_from_db()
    assert order.risk == Risk.AT_RISK
    assert order.driving_milestone == "PPS"
    assert order.forecast_ex_factory_date > EX_FACTORY
