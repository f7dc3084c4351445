"""Production follow-up in a real headless Chromium, day by day: the planner releases a rush order with the overtime
its capacity check proposes; the sewing line then reports three days of output behind plan because of an equipment
failure; the order's tracking table and completion forecast slip with each report, the production-complete milestone
follows, and the order shows on the risk board with production complete driving its slip."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from gendan.catalog.models import WorkCentre
from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.followup import services as followup_services
from gendan.followup.choices import EX_FACTORY_CODE
from gendan.followup.models import Milestone, TaTemplate
from gendan.production.choices import NoticeStatus, VarianceReason
from gendan.production.models import DailyReport, PlanLoad, ProductionNotice
from gendan.production.services import COMPLETE_CODE, HALF_CODE, START_CODE
from gendan.sales.choices import Risk
from gendan.sales.models import Order
from tests.browser.conftest import login
from tests.browser.test_capacity_flow import EX_FACTORY, QUANTITY, a_confirmed_rush_order, a_small_plant
from tests.conftest import TODAY
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the sewing line (the last operation: it counts the finished shirts) makes on the first three days of its plan,
# Wednesday to Friday, while its machines keep breaking down: 400, then 300, then 200 a day against about 610 planned.
OUTPUT = [400, 300, 200]
# The completion forecast is today plus (what remains ÷ the run rate, the average output of the working days since
# production started), in working days:
#   Wed 11-25: 2200 left ÷ 400 a day → 6 days → Thu 12-03
#   Thu 11-26: 1900 left ÷ 350 a day → 6 days → Fri 12-04
#   Fri 11-27: 1700 left ÷ 300 a day → 6 days → Mon 12-07 (after the weekend)
FORECASTS = [dt.date(2026, 12, 3), dt.date(2026, 12, 4), dt.date(2026, 12, 7)]


def a_quick_turn_template(manager: User) -> TaTemplate:
    """The T&A template of quick-turn shirts (stock fabric, no sample round): production starts on confirmation,
    reaches half three working days before ex-factory, completes, is inspected and leaves on the ex-factory date.
    (The default 12-milestone template spans 45 working days: a six-day order would be at risk from its
    confirmation, driven by materials, and the risk board would say nothing about its production.)"""
    return followup_services.save_template(
        by=manager,
        data={"code": "QT", "name": "快反衬衫 / Quick-turn shirts", "product_categories": ["shirts"]},
        milestones=[
            {
                "code": "OC",
                "name_zh": "订单确认",
                "name_en": "Order confirmed",
                "owner_role": Role.MERCHANDISER,
                "offset_days": -5,
                "done_on_confirm": True,
            },
            {
                "code": START_CODE,
                "name_zh": "开始生产",
                "name_en": "Production start",
                "owner_role": Role.PLANNER,
                "offset_days": -5,
                "depends_on": "OC",
            },
            {
                "code": HALF_CODE,
                "name_zh": "完成50%产量",
                "name_en": "50% output",
                "owner_role": Role.PLANNER,
                "offset_days": -3,
                "depends_on": START_CODE,
            },
            {
                "code": COMPLETE_CODE,
                "name_zh": "生产完成",
                "name_en": "Production complete",
                "owner_role": Role.PLANNER,
                "offset_days": 0,
                "depends_on": HALF_CODE,
            },
            {
                "code": "FI",
                "name_zh": "尾期检验",
                "name_en": "Final inspection",
                "owner_role": Role.QC,
                "offset_days": 0,
                "depends_on": COMPLETE_CODE,
            },
            {
                "code": EX_FACTORY_CODE,
                "name_zh": "出厂",
                "name_en": "Ex-factory",
                "owner_role": Role.SHIPPING,
                "offset_days": 0,
                "depends_on": "FI",
                "is_ex_factory": True,
            },
        ],
    )


def release_with_overtime(page: Page, order: Order) -> ProductionNotice:
    """Through the pages (as test_capacity_flow checks in detail): register the line's notice from the order page,
    see its capacity check fail, accept the overtime it proposes and release."""
    page.goto(reverse("sales:order", args=[order.pk]))
    page.get_by_test_id("production-section").get_by_test_id("add-notice").click()
    page.wait_for_url("**/production/notices/*/")
    check = page.get_by_test_id("check-result")
    expect(check).to_have_attribute("data-feasible", "no")
    expect(check).to_contain_text("Cannot be met")
    expect(check.get_by_test_id("measures").locator("li[data-kind=overtime]")).to_contain_text("SEW1")
    page.get_by_test_id("release-overtime").click()
    expect(page.get_by_test_id("notice-status")).to_have_text(NoticeStatus.RELEASED.value)
    notice = ProductionNotice.objects.get(order=order)
    assert notice.status == NoticeStatus.RELEASED
    assert (notice.planned_start, notice.planned_finish) == (TODAY, EX_FACTORY)
    return notice


def report_day(
    page: Page, *, centre: WorkCentre, notice: ProductionNotice, good: int, planned: Decimal, made: Decimal
) -> None:
    """Today's report of a work centre from the daily report grid: `good` output that leaves the cumulative output
    (`made` before today) behind the `planned` cumulative output is refused until a variance reason says why; with
    "Equipment failure" it is recorded."""
    page.goto(reverse("production:reports"))
    page.locator("select[name=work_centre]").select_option(str(centre.pk))
    page.get_by_role("button", name="Show").click()
    # the grid opens on today
    expect(page.locator("input[type=date][name=date]")).to_have_value(clock.today().isoformat())
    row = page.get_by_test_id("report-grid").locator(f"tr[data-notice='{notice.number}']")
    row.get_by_test_id("good-qty").fill(str(good))
    row.locator(f"input[name=hours-{notice.pk}]").fill("16")
    row.locator(f"input[name=headcount-{notice.pk}]").fill("12")
    page.get_by_test_id("save-reports").click()

    # behind plan beyond the tolerance without a reason: refused, nothing recorded, the grid keeps what was entered
    actual = made + good
    expect(page.locator(".msg-error")).to_contain_text(
        f"{centre.code} is {plain(planned - actual)} behind plan on {notice.number} "
        f"({plain(actual)} of {plain(planned)}): say why."
    )
    assert not DailyReport.objects.filter(notice=notice, date=clock.today()).exists()
    row = page.get_by_test_id("report-grid").locator(f"tr[data-notice='{notice.number}']")
    expect(row.get_by_test_id("good-qty")).to_have_value(str(good))

    # with the reason it is recorded
    row.get_by_test_id("variance-reason").select_option(label="Equipment failure")
    row.locator(f"input[name=note-{notice.pk}]").fill("缝纫机故障 / sewing machines down")
    page.get_by_test_id("save-reports").click()
    expect(page.locator(".msg-success")).to_contain_text(f"recorded for {centre.code} on {clock.today().isoformat()}.")
    row = page.get_by_test_id("report-grid").locator(f"tr[data-notice='{notice.number}']")
    expect(row.get_by_test_id("variance-reason")).to_have_value(VarianceReason.EQUIPMENT.value)
    made_to_date = row.locator("td").nth(4)  # still behind: shown in red
    expect(made_to_date).to_have_text(fmt(actual))
    expect(made_to_date).to_have_class("num danger")


def plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def fmt(value: Decimal) -> str:
    """A quantity as the English pages show it (the `qty` filter): grouped, without trailing zeros."""
    return f"{value.normalize():,f}"


def test_three_days_behind_plan_move_the_forecast_and_put_the_order_on_the_risk_board(
    page: Page, merchandiser: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a small plant and a confirmed rush order of quick-turn shirts, planned to leave the factory next Tuesday
    planner = UserFactory(username="planner1", role=Role.PLANNER)
    a_quick_turn_template(manager)
    shirt = a_small_plant(planner)
    order = a_confirmed_rush_order(shirt, merchandiser, manager)
    assert Milestone.objects.filter(order=order).count() == 6  # the quick-turn plan
    # and the live server (another thread, outside the frozen clock's context) living the test's days
    moment = {"now": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])

    def live_on(day: dt.date) -> None:
        moment["now"] += dt.timedelta(days=(day - clock.today()).days)

    # when the planner releases its production notice with the overtime its capacity check proposes
    login(page, planner.username)
    notice = release_with_overtime(page, order)

    # then the plan is on time: the order page tracks it (no output yet, completion forecast on the planned finish)
    sewing = WorkCentre.objects.get(code="SEW1")
    planned = {
        day: quantity
        for day, quantity in PlanLoad.objects.filter(notice=notice, work_centre=sewing).values_list("date", "quantity")
    }
    days = sorted(planned)[:3]
    assert days == [dt.date(2026, 11, 25), dt.date(2026, 11, 26), dt.date(2026, 11, 27)]  # sewing starts Wednesday
    page.goto(reverse("sales:order", args=[order.pk]))
    section = page.get_by_test_id("production-section")
    forecast = section.get_by_test_id("forecast-completion")
    expect(forecast).to_have_text(EX_FACTORY.isoformat())
    expect(section.get_by_test_id("progress-summary")).to_contain_text(f"0 / {fmt(Decimal(QUANTITY))}")
    expect(page.get_by_test_id("plan-section").get_by_test_id("forecast-ex-factory")).to_have_text(
        EX_FACTORY.isoformat()
    )
    order.refresh_from_db()
    assert order.risk == Risk.ON_TRACK
    # and the order is not on the risk board
    page.goto(reverse("followup:risk_board"))
    expect(page.get_by_test_id("risk-board")).to_contain_text("No order is at risk.")
    expect(page.locator(f"[data-testid=risk-row][data-order='{order.number}']")).to_have_count(0)

    # when, on each of the sewing line's first three days, the day's output is reported behind plan
    made = Decimal(0)
    previous = EX_FACTORY.isoformat()
    for day, good, expected in zip(days, OUTPUT, FORECASTS, strict=True):
        live_on(day)
        # the night before, the worker's nightly re-forecast ran (the forecasts move with the calendar)
        followup_services.reforecast_orders()
        planned_to_date = sum((q for d, q in planned.items() if d <= day), Decimal(0))
        report_day(page, centre=sewing, notice=notice, good=good, planned=planned_to_date, made=made)
        made += good

        # then the order page's completion forecast moves later, past the planned finish, at the new run rate
        page.goto(reverse("sales:order", args=[order.pk]))
        forecast = page.get_by_test_id("production-section").get_by_test_id("forecast-completion")
        expect(forecast).to_contain_text(expected.isoformat())
        text = forecast.inner_text()
        assert not text.startswith(previous), (day, previous, text)
        assert dt.date.fromisoformat(text[:10]) > EX_FACTORY
        expect(forecast).to_have_class("danger")
        previous = expected.isoformat()
        # and so does the production-complete milestone's forecast
        complete = Milestone.objects.get(order=order, code=COMPLETE_CODE)
        assert (complete.fed_date, complete.forecast_date) == (expected, expected), day

    # then the database holds three reports of the sewing line, each behind plan for an equipment failure
    reports = list(DailyReport.objects.filter(notice=notice).order_by("date"))
    assert [(r.date, r.work_centre.code, r.good_qty, r.variance_reason) for r in reports] == [
        (day, "SEW1", Decimal(good), VarianceReason.EQUIPMENT.value) for day, good in zip(days, OUTPUT, strict=True)
    ]
    assert all(r.reported_by == planner.username and r.hours == 16 and r.headcount == 12 for r in reports)

    # and the order page's tracking table shows planned against made, each day behind, and the days still to come
    page.goto(reverse("sales:order", args=[order.pk]))
    section = page.get_by_test_id("production-section")
    summary = section.get_by_test_id("progress-summary")
    expect(summary).to_contain_text(f"{fmt(made)} / {fmt(Decimal(QUANTITY))}")
    expect(summary).to_contain_text(f"Planned finish{EX_FACTORY.isoformat()}")
    expect(section.get_by_test_id("forecast-completion")).to_have_text(
        f"{FORECASTS[-1].isoformat()} · run rate 300 a day"
    )
    rows = section.get_by_test_id("progress").locator("tbody tr")
    expect(rows).to_have_count(len(planned))
    planned_cum = made_cum = Decimal(0)
    for index, day in enumerate(sorted(planned)):
        planned_cum += planned[day]
        cells = rows.nth(index).locator("td")
        expect(cells.nth(0)).to_have_text(day.isoformat())
        expect(cells.nth(1)).to_have_text(fmt(planned_cum))
        if day in days:  # reported: made to date, a negative variance, % complete
            made_cum += OUTPUT[days.index(day)]
            expect(cells.nth(2)).to_have_text(fmt(made_cum))
            expect(cells.nth(3)).to_have_text(fmt(made_cum - planned_cum))
            expect(cells.nth(3)).to_have_class("num danger")
            assert made_cum < planned_cum
            expect(cells.nth(4)).to_have_text(f"{made_cum * 100 / QUANTITY:.1f} %")
        else:  # still to come: the plan only
            expect(cells.nth(2)).to_have_text("")
            expect(cells.nth(3)).to_have_text("")
    section.scroll_into_view_if_needed()
    section.screenshot(path="/tmp/flow-tracking.png")

    # and the T&A plan: production started on Wednesday, complete forecast Monday, pushing ex-factory past its date
    plan = page.get_by_test_id("plan-section")
    expect(plan.get_by_test_id("forecast-ex-factory")).to_have_text(FORECASTS[-1].isoformat())
    expect(plan.get_by_test_id("slack")).to_have_text("-4 working days")
    expect(plan.get_by_test_id("plan-risk")).to_have_text("At risk")
    expect(plan.get_by_test_id("driving-chain")).to_contain_text(f"{COMPLETE_CODE} → FI → {EX_FACTORY_CODE}")
    complete_row = plan.locator(f"[data-testid=milestone-row][data-code={COMPLETE_CODE}]")
    expect(complete_row.get_by_test_id("milestone-forecast")).to_contain_text(FORECASTS[-1].isoformat())
    expect(complete_row.get_by_test_id("fed-note")).to_contain_text("900 of 2600 made; at the run rate of 300 a day")
    milestones = {m.code: m for m in Milestone.objects.filter(order=order)}
    assert milestones[START_CODE].actual_date == days[0]
    assert milestones[COMPLETE_CODE].planned_date == EX_FACTORY
    assert milestones[COMPLETE_CODE].forecast_date == FORECASTS[-1] > EX_FACTORY
    assert milestones[EX_FACTORY_CODE].forecast_date == FORECASTS[-1]
    order.refresh_from_db()
    assert (order.risk, order.forecast_ex_factory_date, order.slack_days, order.driving_milestone) == (
        Risk.AT_RISK,
        FORECASTS[-1],
        -4,
        COMPLETE_CODE,
    )

    # and the variance Pareto names the equipment failure, three reports of the sewing line
    page.goto(reverse("production:variances"))
    reasons = page.get_by_test_id("variance-reasons")
    expect(reasons.locator("tbody tr")).to_have_count(1)
    equipment = reasons.locator(f"tr[data-reason={VarianceReason.EQUIPMENT.value}]")
    expect(equipment.locator("td")).to_have_text(["Equipment failure", "3", "100.0", "100.0"])
    expect(page.get_by_test_id("variance-by-centre")).to_contain_text("SEW1")

    # and the risk board lists the order, at risk, driven by production complete (fed by the reports themselves:
    # each one re-forecasts the order at once, the board needs no nightly run)
    page.goto(reverse("followup:risk_board"))
    row = page.locator(f"[data-testid=risk-row][data-order='{order.number}']")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-risk", Risk.AT_RISK.value)
    expect(row).to_have_attribute("data-driving", COMPLETE_CODE)
    expect(row).to_contain_text(EX_FACTORY.isoformat())
    expect(row).to_contain_text(FORECASTS[-1].isoformat())
    expect(row.get_by_test_id("risk-slack")).to_have_text("-4")
    page.screenshot(path="/tmp/flow-risk-board.png", full_page=True)
