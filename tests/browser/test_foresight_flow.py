"""Foresight in a real headless Chromium: a manager opens Reports → Foresight, reads the late orders and the false
alarms of a period, switches to the learned method, downloads the Excel, then opens a supplier's page and reads its
learned delay profile."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from gendan.core import clock
from gendan.core.models import User
from gendan.inventory.models import Location, Warehouse
from tests.browser.conftest import login
from tests.factories import SupplierFactory
from tests.followup.conftest import buyer, confirmed_order  # noqa: F401 - the foresight history's fixtures
from tests.foresight.conftest import END, REPORT_DAY, START, history, learned_flags  # noqa: F401
from tests.foresight.test_delay_profile import deliver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_foresight_report_and_a_suppliers_learned_delays(
    page: Page,
    live_server,  # noqa: ANN001
    learned_flags,  # noqa: F811 - the fixture imported above
    buyer: User,  # noqa: F811
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Warehouse.objects.create(code="WH1", name="Material store")
    Location.objects.create(warehouse=store, code="A")
    steady = SupplierFactory(code="S-STEADY", name="Steady Trims")
    deliver(buyer, steady, [3] * 20 + [-1, 0, 0, 8])
    # the live server reads the report on the report day (its own thread does not see the test's frozen clock)
    moment = timezone.make_aware(dt.datetime.combine(REPORT_DAY, dt.time(12, 0)))
    monkeypatch.setattr(clock, "now", lambda: moment)

    login(page, manager.username)
    page.locator("details.navmenu summary", has_text="Reports").click()
    page.get_by_test_id("nav-foresight").click()
    page.wait_for_url("**/foresight/")
    page.fill("input[name=from]", START.isoformat())
    page.fill("input[name=to]", END.isoformat())
    page.get_by_test_id("show").click()
    page.wait_for_url(f"**/foresight/?from={START.isoformat()}*")

    expect(page.get_by_test_id("period")).to_contain_text("2027-02-01 – 2027-03-31")
    expect(page.get_by_test_id("hl-late")).to_contain_text("5")
    expect(page.get_by_test_id("hl-recall-10")).to_contain_text("40.0%")
    late = page.get_by_test_id("late-row")
    expect(late).to_have_count(5)
    ahead12 = late.and_(page.locator(f"[data-order='{learned_flags['ahead12'].number}']"))
    expect(ahead12).to_contain_text("2027-01-28")
    expect(ahead12).to_have_attribute("data-lead", "12")
    expect(page.locator(f"[data-testid=late-row][data-order='{learned_flags['never'].number}']")).to_contain_text(
        "never"
    )
    alarms = page.get_by_test_id("false-alarm-row")
    expect(alarms).to_have_count(1)
    expect(alarms.first).to_have_attribute("data-order", learned_flags["false_alarm"].number)
    expect(alarms.first).to_have_attribute("data-days", "5")
    expect(page.locator("svg[data-testid=lead-distribution]")).to_be_visible()
    expect(page.locator("svg[data-testid=pareto]")).to_be_visible()
    expect(page.get_by_test_id("compare")).to_contain_text("Recall at 5 working days")

    # the learned method: the order the plan never flagged was flagged 30 working days ahead
    page.get_by_test_id("method").select_option("learned")
    page.get_by_test_id("show").click()
    page.wait_for_url("**method=learned*")
    never = page.locator(f"[data-testid=late-row][data-order='{learned_flags['never'].number}']")
    expect(never).to_have_attribute("data-lead", "30")
    expect(page.get_by_test_id("false-alarm-row")).to_have_count(1)
    expect(page.get_by_test_id("false-alarm-row").first).to_have_attribute(
        "data-order", learned_flags["on_time"].number
    )

    with page.expect_download() as caught:
        page.get_by_test_id("export").click()
    download = caught.value
    assert download.suggested_filename == "foresight-learned-20270201-20270331.xlsx"
    with open(download.path(), "rb") as f:
        workbook = load_workbook(io.BytesIO(f.read()))
    assert workbook.sheetnames == ["Summary", "Late orders", "False alarms"]
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Late orders"] == 5
    assert summary["False alarms"] == 1
    late_rows = list(workbook["Late orders"].iter_rows(min_row=2, values_only=True))
    assert {row[0]: row[6] for row in late_rows}[learned_flags["never"].number] == 30

    # the supplier's page: its learned delay profile, charted
    page.goto(f"/partners/suppliers/{steady.pk}/")
    section = page.get_by_test_id("delay-profile")
    expect(section).to_contain_text("Learned delay profile")
    expect(section).to_have_attribute("data-p50", "3")
    expect(page.get_by_test_id("delay-profile-words")).to_contain_text(
        "Half its deliveries arrive within 3 working days of the promised date."
    )
    expect(page.get_by_test_id("delay-profile-words")).to_contain_text("One in ten arrives more than 3 working days")
    expect(page.get_by_test_id("delay-profile-history")).to_contain_text("Learned from 24 deliveries of its own")
    expect(page.get_by_test_id("delay-profile-learned")).to_contain_text("24")
    expect(page.get_by_test_id("delay-profile-on-time")).to_have_text("12.5%")  # 3 of 24 on time or early
    chart = page.locator("svg[data-testid=delay-profile-chart]")
    expect(chart).to_be_visible()
    expect(chart.locator("g[data-kind=bar][data-series=Late]")).to_have_count(2)  # 3 and 8 working days late
    expect(chart.locator("g[data-kind=bar][data-key='3'] rect")).to_have_attribute("fill", "#dc2626")
    expect(chart.locator("g[data-kind=bar][data-key='0'] rect")).to_have_attribute("fill", "#059669")
    markers = chart.locator("g[data-kind=marker]")
    expect(markers).to_have_count(2)
    expect(markers.first).to_have_attribute("data-label", "P10")  # 3 of 24 on time or early: the p10 is on the day
    expect(markers.last).to_have_attribute("data-label", "P50 · P90")
    assert chart.bounding_box()["width"] > 300
