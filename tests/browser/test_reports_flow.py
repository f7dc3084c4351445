"""The manager's statistics in a real headless Chromium: the dashboard's key-figures panel fills in after the page,
the reports' key figures, the sales report grouped by month and by customer, and its Excel downloaded and read."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from gendan.core import clock
from gendan.core.models import User
from tests.browser.conftest import login
from tests.reports.conftest import World, world  # noqa: F401 - the reports' fixture history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_key_figures_and_exports_sales_by_month_and_customer(
    page: Page,
    live_server,  # noqa: ANN001
    world: World,  # noqa: F811 - the fixture imported above
    manager: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    login(page, manager.username)
    page.goto("/")
    # the panel's figures arrive after the dashboard (htmx)
    panel = page.get_by_test_id("panel-key-figures-loaded")
    expect(panel.get_by_test_id("kf-sales")).to_contain_text("CNY 1,210.00")
    expect(panel.get_by_test_id("kf-open")).to_contain_text("6")
    page.get_by_test_id("panel-reports-link").click()
    page.wait_for_url("**/reports/")
    expect(page.get_by_test_id("kf-overdue")).to_be_visible()
    expect(page.locator("svg[data-testid=chart-dashboard-sales]")).to_be_visible()

    page.get_by_test_id("reports-tabs").get_by_role("link", name="Sales").click()
    page.wait_for_url("**/reports/sales/")
    page.fill("#id_date_from", "2026-09-01")
    page.fill("#id_date_to", "2026-11-24")
    page.get_by_test_id("group-by").select_option("month")
    page.get_by_test_id("then-by").select_option("customer")
    page.get_by_test_id("show").click()
    page.wait_for_url("**/reports/sales/?*then_by=customer*")
    rows = page.get_by_test_id("report-row")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("2026-09")
    expect(rows.first).to_contain_text("A Alpha")
    expect(page.get_by_test_id("report-total")).to_contain_text("4,560.00")
    expect(page.locator("svg[data-testid=chart-sales] g[data-kind=series]")).to_have_count(3)  # a line per customer
    expect(page.get_by_test_id("rate-warning")).to_contain_text("EUR in 2026-09")

    with page.expect_download() as caught:
        page.get_by_test_id("export").click()
    download = caught.value
    assert download.suggested_filename == "sales-20260901-20261124.xlsx"
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active  # noqa: SIM115
    values = list(sheet.values)
    assert values[0][:4] == ("Month", "Customer", "Quantity", "Amount (CNY)")
    assert [(r[0], r[1], r[3]) for r in values[1:]] == [
        ("2026-09", "A Alpha", D("1750")),
        ("2026-09", "B Beta", D("30")),
        ("2026-10", "B Beta", D("1570")),
        ("2026-11", "A Alpha", D("710")),
        ("2026-11", "C Gamma", D("500")),
        ("Total", None, D("4560")),
    ]
    # a customer of the table opens the same report for it alone, by month
    page.get_by_test_id("report-row").nth(2).get_by_role("link", name="B Beta").click()
    expect(page.get_by_test_id("report-row")).to_have_count(2)
    expect(page.get_by_test_id("report-total")).to_contain_text("1,600.00")
