"""The plan-progress tracking table (生产计划进度跟踪表) of every order in production: its figures, the same forecast
as the order's own progress, filters, sorting, the page, its .xlsx, the API, and a fixed number of queries."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from gendan.core import clock
from gendan.core.choices import Role
from gendan.production import selectors, services
from gendan.sales.models import Order
from tests.production.test_notices import confirmed_line, day

pytestmark = pytest.mark.django_db

FRIDAY = day(3)  # the tables are read on Friday 2026-11-27


@pytest.fixture
def planner(make_user):
    return make_user(Role.PLANNER, username="pmc1")


def release(plant, planner, owner, manager, quantity, due):
    line = confirmed_line(plant, owner, manager, quantity, due)
    return services.release_notice(notice=services.create_notice(order_line=line, by=planner), by=planner)


def report(plant, notice, planner, n, good, *, centre=None, **kw):
    with clock.frozen(day(n)):
        return services.record_reports(
            by=planner,
            items=[
                {
                    "date": day(n),
                    "work_centre_id": (centre or plant.sewing).pk,
                    "order_id": notice.order_id,
                    "good_qty": good,
                    **kw,
                }
            ],
        )


@pytest.fixture
def two_orders(plant, planner, merchandiser, manager, make_user):
    """Behind: 1000 shirts due in ten days, sewn Wed 500 and Thu 500 by the plan, made 100 a day. On plan: 200 shirts
    of another merchandiser due in twenty days, sewn Friday by the plan, 196 made that day (within the 5 %)."""
    other = make_user(Role.MERCHANDISER, username="mer2")
    behind = release(plant, planner, merchandiser, manager, 1000, day(10))
    on_plan = release(plant, planner, other, manager, 200, day(20))
    report(plant, behind, planner, 1, 1000, centre=plant.cutting, defect_qty=20, scrap_qty=10)
    for n in (1, 2, 3):
        report(plant, behind, planner, n, 100, variance_reason="equipment")
    report(plant, on_plan, planner, 3, 196, defect_qty=4)
    return behind, on_plan


def test_each_order_in_production_has_its_row_with_its_figures(two_orders):
    behind, on_plan = two_orders
    rows = selectors.tracking_table(FRIDAY)
    assert [r.order_id for r in rows] == [behind.order_id, on_plan.order_id]  # the latest forecast first
    late, ok = rows
    assert (late.quantity, late.planned_cum, late.actual_cum, late.variance) == (
        Decimal(1000),
        Decimal(1000),
        Decimal(300),
        Decimal(-700),
    )
    assert late.pct_complete == Decimal("30.0")
    assert late.run_rate == Decimal(100)
    assert late.forecast_completion_date == day(14)  # 700 left at 100 a day after Friday: 7 working days
    assert late.ex_factory_date == day(10)
    assert (late.is_forecast_late, late.late_days, late.is_behind, late.is_stalled) == (True, 2, True, False)
    assert late.defect_rate == Decimal("1.5")  # 20 of 1330 made at cutting and sewing
    assert late.scrap_rate == Decimal("0.8")
    assert late.products == ["SH1"]
    assert late.merchandiser == "mer1"
    assert (ok.planned_cum, ok.actual_cum, ok.variance, ok.pct_complete) == (
        Decimal(200),
        Decimal(196),
        Decimal(-4),
        Decimal("98.0"),
    )
    assert (ok.is_behind, ok.is_forecast_late, ok.merchandiser) == (False, False, "mer2")
    assert ok.forecast_completion_date == day(6)  # 4 left at 196 a day: the next working day, Monday
    assert ok.late_days < 0


def test_the_forecast_is_the_orders_own_progress_forecast(two_orders):
    for row in selectors.tracking_table(FRIDAY):
        p = services.progress(Order.objects.get(pk=row.order_id), today=FRIDAY)
        assert (row.forecast_completion_date, row.run_rate, row.actual_cum, row.quantity) == (
            p.forecast_completion_date,
            p.run_rate,
            p.actual,
            p.total,
        )
        assert (row.defect_rate, row.scrap_rate, row.started, row.planned_finish) == (
            p.defect_rate,
            p.scrap_rate,
            p.started,
            p.planned_finish,
        )
        assert row.planned_cum == next(r["planned_cum"] for r in p.rows if r["date"] == FRIDAY)


def test_an_order_without_output_is_forecast_at_its_planned_finish_and_a_silent_one_is_stalled(
    plant, planner, merchandiser, manager
):
    quiet = release(plant, planner, merchandiser, manager, 1000, day(10))
    rows = selectors.tracking_table(day(0))
    assert rows[0].forecast_completion_date == rows[0].planned_finish == day(2)
    assert rows[0].run_rate is None
    report(plant, quiet, planner, 0, 900, centre=plant.cutting)  # cut, but sewing is planned from tomorrow
    (cut,) = selectors.tracking_table(day(0))
    assert (cut.started, cut.forecast_completion_date, cut.is_stalled) == (day(0), None, False)
    report(plant, quiet, planner, 1, 0, variance_reason="material")
    (row,) = selectors.tracking_table(day(9))  # nothing made for a week
    assert (row.is_stalled, row.forecast_completion_date, row.run_rate) == (True, None, Decimal(0))
    p = services.progress(Order.objects.get(pk=quiet.order_id), today=day(9))
    assert p.forecast_completion_date is None


def test_the_filters(two_orders, plant):
    behind, on_plan = two_orders

    def ids(**kw):
        return [r.order_id for r in selectors.tracking_table(FRIDAY, **kw)]

    assert ids(merchandiser="mer2") == [on_plan.order_id]
    assert ids(customer_id=behind.order.customer_id) == [behind.order_id]
    assert ids(behind_only=True) == [behind.order_id]
    assert set(ids(work_centre_id=plant.sewing.pk)) == {behind.order_id, on_plan.order_id}
    assert ids(work_centre_id=plant.factory.pk) == []  # no routing passes the factory
    assert ids(sort="number") == sorted(ids(), key=lambda pk: Order.objects.get(pk=pk).number)
    assert ids(sort="-lateness") == list(reversed(ids(sort="lateness")))


def test_the_page_highlights_the_rows_behind_plan_and_links_each_order(two_orders, page_as, merchandiser):
    behind, on_plan = two_orders
    client = page_as(merchandiser)
    with clock.frozen(FRIDAY):
        page = client.get("/production/tracking/")
        assert page.status_code == 200
        html = page.content.decode()
        behind_only = client.get("/production/tracking/", {"behind": "on"}).content.decode()
        by_number = client.get("/production/tracking/", {"sort": "-number"}).content.decode()
        register = client.get("/production/notices/").content.decode()
    row = html[html.index(f'data-order="{behind.order.number}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-behind="1"' in row
    assert 'class="behind"' in row
    assert f'href="/orders/{behind.order_id}/#production"' in row
    for figure in ("-700", "30.0 %", "2026-12-08", "+2"):
        assert figure in row
    assert 'data-behind="0"' in html  # the order on plan is not highlighted
    assert on_plan.order.number not in behind_only
    assert by_number.index(on_plan.order.number) < by_number.index(behind.order.number)
    assert 'href="/production/tracking/"' in register
    assert "format=xlsx" in html


def test_the_xlsx_has_every_matching_row(two_orders, page_as, merchandiser):
    behind, _on_plan = two_orders
    with clock.frozen(FRIDAY):
        response = page_as(merchandiser).get("/production/tracking/", {"format": "xlsx", "behind": "on"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="production-tracking-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, (first,) = rows[0], rows[1:]
    assert header[:2] == ("Order", "Customer code")
    values = dict(zip(header, first, strict=True))
    assert values["Order"] == behind.order.number
    assert Decimal(str(values["Made to date"])) == Decimal(300)
    assert values["Forecast completion"].date() == day(14)
    assert values["Behind plan"] is True


def test_the_api_lists_the_rows_a_page_at_a_time(two_orders, api_as, planner):
    behind, on_plan = two_orders
    client = api_as(planner)
    with clock.frozen(FRIDAY):
        everything = client.get("/production-tracking").json()
        second = client.get("/production-tracking", limit=1, offset=1).json()
        late_only = client.get("/production-tracking", behind="true").json()
        bad = client.get("/production-tracking", sort="colour")
        anonymous = api_as(None).get("/production-tracking")
    assert everything["count"] == 2
    first = everything["items"][0]
    assert first["order_id"] == behind.order_id
    assert (first["actual_cum"], first["variance"], first["pct_complete"]) == ("300.000", "-700.000", "30.0")
    assert (first["forecast_completion_date"], first["ex_factory_date"]) == ("2026-12-08", "2026-12-04")
    assert (first["is_forecast_late"], first["late_days"], first["is_behind"]) == (True, 2, True)
    assert (second["count"], [r["order_id"] for r in second["items"]]) == (2, [on_plan.order_id])
    assert [r["order_id"] for r in late_only["items"]] == [behind.order_id]
    assert bad.status_code == 422
    assert anonymous.status_code == 401


def test_the_table_reads_the_same_number_of_queries_for_2_or_6_orders(
    plant, planner, merchandiser, manager, page_as, django_assert_max_num_queries
):
    def grow_to(n):
        while Order.objects.filter(notices__status="released").distinct().count() < n:
            notice = release(plant, planner, merchandiser, manager, 100, day(40))
            report(plant, notice, planner, 0, 0, centre=plant.cutting, variance_reason="material")

    def count():
        with CaptureQueriesContext(connection) as queries:
            rows = selectors.tracking_table(day(0))
        return len(rows), len(queries)

    grow_to(2)
    two = count()
    grow_to(6)
    six = count()
    assert (two[0], six[0]) == (2, 6)
    assert two[1] == six[1] <= 6
    client = page_as(merchandiser)
    client.get("/production/tracking/")  # warm the session and the permission cache
    with django_assert_max_num_queries(14):
        page = client.get("/production/tracking/").content.decode()
    assert page.count('data-testid="tracking-row"') == 6


def test_an_order_all_made_is_forecast_the_day_it_was_made(plant, planner, merchandiser, manager):
    made = release(plant, planner, merchandiser, manager, 1000, day(10))
    report(plant, made, planner, 1, 500)
    report(plant, made, planner, 2, 500)
    order = Order.objects.get(pk=made.order_id)
    for today in (day(3), day(12)):  # made within the run rate's days, and before them
        (row,) = selectors.tracking_table(today)
        p = services.progress(order, today=today)
        assert (row.forecast_completion_date, row.run_rate, row.actual_cum) == (day(2), None, Decimal(1000))
        assert (row.forecast_completion_date, row.pct_complete) == (p.forecast_completion_date, Decimal("100.0"))
