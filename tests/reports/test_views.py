"""The report pages: render with their charts and tables, the filter form and group_by, Excel, errors shown on the
form, permissions; the exchange-rate pages; the dashboard panel and the customer page's section."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.core.models import ExchangeRate
from gendan.reports.fx import Rates
from tests.reports.conftest import World, day

PERIOD = {"date_from": "2026-09-01", "date_to": "2026-11-24"}


def test_sales_page_by_month_and_customer(world: World, manager, page_as) -> None:
    r = page_as(manager).get("/reports/sales/", {**PERIOD, "group_by": "month", "then_by": "customer"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="chart-sales"' in html
    assert 'data-testid="chart-sales-trend"' in html
    assert html.count('data-testid="report-row"') == 5
    assert 'data-month="2026-09"' in html
    assert f'data-customer="{world.a.pk}"' in html
    assert "4,560.00" in html  # the total
    assert "No exchange rate for EUR in 2026-09" in html
    # a customer's label opens the same report for that customer, by month
    assert f"?date_from=2026-09-01&amp;date_to=2026-11-24&amp;group_by=month&amp;customer={world.a.pk}" in html


@pytest.mark.parametrize(
    ("path", "params", "chart"),
    [
        ("/reports/sales/", {"group_by": "customer"}, "chart-sales"),
        ("/reports/sales/", {"group_by": "customer", "then_by": "product"}, "chart-sales"),
        ("/reports/collection/", {"group_by": "month"}, "chart-receivable"),
        ("/reports/collection/", {"group_by": "customer"}, "chart-overdue"),
        ("/reports/collection/", {"group_by": "month", "then_by": "merchandiser"}, "chart-collection"),
        ("/reports/delivery/", {"group_by": "month"}, "chart-delivery"),
        ("/reports/delivery/", {"group_by": "factory"}, "chart-delivery"),
        ("/reports/delivery/", {"group_by": "customer", "then_by": "factory"}, "chart-delivery"),
        ("/reports/inventory/", {}, "chart-ageing"),
    ],
)
def test_every_report_page_renders(world: World, manager, page_as, path: str, params: dict, chart: str) -> None:
    r = page_as(manager).get(path, {**PERIOD, **params} if params else {})
    assert r.status_code == 200
    assert f'data-testid="{chart}"' in r.content.decode()


def test_delivery_page_lists_the_causes(world: World, manager, page_as) -> None:
    html = page_as(manager).get("/reports/delivery/", {"date_from": "2026-09-01", "date_to": "2026-11-30"}).content
    assert b'data-testid="causes"' in html
    assert b"Over capacity" in html
    assert b'data-testid="pareto"' in html


def test_bad_input_is_shown_on_the_form(world: World, manager, page_as) -> None:
    r = page_as(manager).get("/reports/sales/", {"date_from": "2026-11-02", "date_to": "2026-11-01"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="form-errors"' in html
    assert "must not be before its start" in html
    r = page_as(manager).get("/reports/sales/", {"group_by": "colour"})
    assert 'data-testid="form-errors"' in r.content.decode()


def test_page_excel_export(world: World, manager, page_as) -> None:
    r = page_as(manager).get("/reports/sales/", {**PERIOD, "group_by": "customer", "format": "xlsx"})
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0][:3] == ("Customer", "Quantity", "Amount (CNY)")
    assert [row[0] for row in rows[1:]] == ["A Alpha", "B Beta", "C Gamma", "Total"]


def test_permissions_of_the_pages(world: World, make_user, page_as) -> None:
    qc = page_as(make_user(Role.QC))
    for path in ("/reports/", "/reports/sales/", "/reports/collection/", "/reports/delivery/"):
        assert qc.get(path).status_code == 403, path
    assert qc.get("/reports/inventory/").status_code == 200
    mine = page_as(world.mer2).get("/reports/sales/", {**PERIOD, "group_by": "customer"}).content.decode()
    assert "B Beta" in mine
    assert "A Alpha" not in mine
    assert page_as(world.mer2).get("/reports/").status_code == 200


def test_dashboard_page(world: World, manager, page_as) -> None:
    html = page_as(manager).get("/reports/").content.decode()
    for testid in ("kf-sales", "kf-open", "kf-risk", "kf-on-time", "kf-overdue", "kf-dso", "kf-stock"):
        assert f'data-testid="{testid}"' in html, testid
    for testid in ("chart-dashboard-sales", "chart-dashboard-on-time", "chart-dashboard-collection"):
        assert f'data-testid="{testid}"' in html, testid
    assert 'data-testid="kf-complaints"' not in html or "Open complaints" in html


def test_dashboard_panel_for_managers_only(world: World, manager, page_as) -> None:
    home = page_as(manager).get("/").content.decode()
    assert 'data-testid="panel-reports-link"' in home
    assert 'hx-get="/reports/panel/"' in home
    assert 'data-testid="panel-reports-link"' not in page_as(world.mer1).get("/").content.decode()
    figures = page_as(manager).get("/reports/panel/").content.decode()
    assert 'data-testid="panel-key-figures-loaded"' in figures
    assert 'data-testid="kf-sales"' in figures
    assert page_as(world.mer1).get("/reports/panel/").status_code == 403


def test_customer_page_section(world: World, manager, page_as) -> None:
    html = page_as(manager).get(f"/partners/customers/{world.a.pk}/").content.decode()
    assert 'data-testid="customer-statistics"' in html
    assert f"/reports/sales/?customer={world.a.pk}" in html


def test_exchange_rate_pages(world: World, finance_user, page_as) -> None:
    client = page_as(finance_user)
    html = client.get("/reports/exchange-rates/").content.decode()
    assert 'data-testid="rates-grid"' in html
    assert 'data-testid="shared-rates-note"' in html
    assert 'data-source="receipts"' in html
    assert 'data-source="missing"' in html
    r = client.post("/reports/exchange-rates/", {"currency": "GBP", "month": "2026-11", "rate": "9.05", "note": ""})
    assert r.status_code == 302
    rate = ExchangeRate.objects.get(currency="GBP")
    r = client.post("/reports/exchange-rates/", {"currency": "GBP", "month": "2026-11", "rate": "9.10"})
    assert r.status_code == 200
    assert "There is already a GBP rate for 2026-11" in r.content.decode()
    r = client.post(f"/reports/exchange-rates/{rate.pk}/", {"currency": "GBP", "month": "2026-11", "rate": "9.2",
                                                             "version": rate.version})  # fmt: skip
    assert r.status_code == 302
    rate.refresh_from_db()
    assert str(rate.rate) == "9.200000"
    assert rate.version == 2
    r = client.post(f"/reports/exchange-rates/{rate.pk}/", {"currency": "GBP", "month": "2026-11", "rate": "9.3",
                                                             "version": 1})  # fmt: skip
    assert "changed by someone else" in r.content.decode()
    assert client.post(f"/reports/exchange-rates/{rate.pk}/delete/", {"version": 2}).status_code == 302
    assert not ExchangeRate.objects.filter(pk=rate.pk).exists()


def test_one_table_the_quotations_rates_page_stores_the_rate_the_reports_convert_at(
    world: World, manager, page_as, api_as
) -> None:
    client = page_as(manager)
    html = client.get("/quotations/rates/").content.decode()
    assert 'name="rate-USD" value="7.1"' in html  # today's: October's, November has none yet
    assert 'name="rate-EUR" value="7.7"' in html  # November's own
    assert client.post("/quotations/rates/", {"rate-USD": "7.15", "rate-EUR": "7.70"}).status_code == 302
    november = ExchangeRate.objects.filter(month=day(11, 1)).order_by("currency")
    assert [(r.currency, str(r.rate), r.version) for r in november] == [("EUR", "7.700000", 1), ("USD", "7.150000", 1)]
    html = client.get("/reports/exchange-rates/", {"currency": "USD"}).content.decode()
    assert 'data-currency="USD" data-month="2026-11"' in html
    item = api_as(manager).get("/exchange-rates", currency="USD").json()["items"][0]
    assert (item["month"], item["rate"], item["updated_by"]) == ("2026-11", "7.150000", manager.username)
    rate = Rates.load(months=[day(11, 1)]).rate("USD", day(11, 1))
    assert (rate.rate, rate.source) == (D("7.150000"), "stored")


def test_merchandisers_read_rates_but_do_not_keep_them(world: World, page_as) -> None:
    client = page_as(world.mer1)
    html = client.get("/reports/exchange-rates/").content.decode()
    assert 'data-testid="rate-form"' not in html
    rate = ExchangeRate.objects.first()
    assert client.get(f"/reports/exchange-rates/{rate.pk}/").status_code == 403
    r = client.post("/reports/exchange-rates/", {"currency": "GBP", "month": "2026-11", "rate": "9"})
    assert r.status_code == 302
    assert not ExchangeRate.objects.filter(currency="GBP").exists()


def test_the_sales_page_reads_a_bounded_number_of_queries(
    world: World, manager, page_as, django_assert_max_num_queries
):
    client = page_as(manager)
    client.get("/reports/sales/")
    with django_assert_max_num_queries(30):
        client.get("/reports/sales/", {**PERIOD, "group_by": "month", "then_by": "customer"})
