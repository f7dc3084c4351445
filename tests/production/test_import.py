"""Daily production reports imported from .xlsx: all rows or none, errors by spreadsheet row and column."""

import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from gendan.core import clock
from gendan.core.choices import Role
from gendan.followup.models import Milestone
from gendan.production import services
from gendan.production.imports import import_reports
from gendan.production.models import DailyReport
from gendan.sales.models import Order
from tests.production.test_notices import confirmed_line, day

pytestmark = pytest.mark.django_db

HEADERS = [
    "Date",
    "Work centre",
    "Order number",
    "Good output",
    "Defects",
    "Scrap",
    "Hours worked",
    "Headcount",
    "Variance reason",
    "Note",
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def released(plant, merchandiser, manager, make_user):
    """1000 shirts due in ten days, released: cut Tue–Wed, sewn Wed 500 and Thu 500."""
    planner = make_user(Role.PLANNER, username="pmc1")
    line = confirmed_line(plant, merchandiser, manager, 1000, day(10))
    notice = services.release_notice(notice=services.create_notice(order_line=line, by=planner), by=planner)
    return notice, planner


def xlsx(*rows: list, headers: list[str] = HEADERS) -> io.BytesIO:
    """A workbook with a header row and the given rows, as an uploaded file would be."""
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "reports.xlsx"
    return buf


def good_rows(number: str) -> list[list]:
    """Wednesday's cutting (what remained) and sewing (480 of the 500 planned, within the 5 % tolerance)."""
    return [
        [day(1), "CUT", number, 1000, 0, 0, 8.5, 4, "", ""],
        [day(1), "SEW", number, 480, 12, 3, 16, 18, "", "first day on the line"],
    ]


def errors_of(result) -> set[tuple[int, str]]:
    return {(e.row, e.field) for e in result.errors}


def test_a_file_is_imported_through_the_page_and_moves_the_orders_progress(plant, released, page_as):
    notice, planner = released
    client = page_as(planner)
    grid = client.get("/production/reports/").content.decode()
    assert 'href="/production/reports/import/"' in grid
    page = client.get("/production/reports/import/")
    assert page.status_code == 200
    assert 'href="/production/reports/import/template.xlsx"' in page.content.decode()
    with clock.frozen(day(1)):
        done = client.post("/production/reports/import/", {"file": xlsx(*good_rows(notice.order.number))})
        assert done.status_code == 200
        assert "2 daily reports recorded: 2 new, 0 replaced." in done.content.decode()
        again = client.post("/production/reports/import/", {"file": xlsx(*good_rows(notice.order.number))})
        assert "2 daily reports recorded: 0 new, 2 replaced." in again.content.decode()
        progress = services.progress(Order.objects.get(pk=notice.order_id))
    sewn = DailyReport.objects.get(work_centre=plant.sewing)
    assert (sewn.notice, sewn.good_qty, sewn.defect_qty, sewn.scrap_qty) == (notice, 480, 12, 3)
    assert (sewn.hours, sewn.headcount, sewn.note, sewn.reported_by) == (16, 18, "first day on the line", "pmc1")
    assert DailyReport.objects.count() == 2
    assert progress.actual == Decimal(480)
    assert Milestone.objects.get(order_id=notice.order_id, code="PS").actual_date == day(1)


def test_a_file_is_imported_through_the_api(plant, released, api_as):
    notice, planner = released
    api = api_as(planner)
    with clock.frozen(day(1)):
        made = api.client.post(
            "/api/v1/daily-reports/import", {"file": xlsx(*good_rows(notice.order.number))}, headers=api.headers
        )
        assert made.status_code == 200, made.content
        assert made.json() == {"recorded": 2, "created": 2, "updated": 0}
        progress = api.get(f"/orders/{notice.order_id}/progress").json()
    assert progress["actual"] == "480.000"
    assert api.get("/daily-reports", order_id=notice.order_id).json()["count"] == 2
    operation = api.get("/openapi.json").json()["paths"]["/api/v1/daily-reports/import"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "422"} <= set(operation["responses"])


def test_a_row_behind_plan_without_a_reason_fails_with_its_row_and_nothing_is_saved(plant, released, api_as):
    notice, planner = released
    number = notice.order.number
    api = api_as(planner)
    rows = [
        [day(1), "CUT", number, 1000, 0, 0, 8, 4, "", ""],
        [day(1), "SEW", number, 100, 0, 0, 16, 18, "", "needle bar broke"],
    ]
    with clock.frozen(day(1)):
        refused = api.client.post("/api/v1/daily-reports/import", {"file": xlsx(*rows)}, headers=api.headers)
    assert refused.status_code == 422
    (error,) = refused.json()["detail"]
    assert error["loc"] == ["body", "file", 3, "variance_reason"]
    assert (error["row"], error["column"]) == (3, "Variance reason")
    assert "behind plan" in error["msg"]
    assert not DailyReport.objects.exists()


def test_the_page_lists_the_rows_to_fix(plant, released, page_as):
    notice, planner = released
    rows = [[day(1), "SEW", notice.order.number, 100, 0, 0, 16, 18, "", ""]]
    with clock.frozen(day(1)):
        page = page_as(planner).post("/production/reports/import/", {"file": xlsx(*rows)}).content.decode()
    assert 'data-testid="import-errors"' in page
    assert "<td>2</td><td>Variance reason</td>" in page
    assert not DailyReport.objects.exists()


def test_a_later_day_listed_first_is_measured_after_the_days_before_it(plant, released):
    notice, planner = released
    number = notice.order.number
    rows = [
        [day(2), "SEW", number, 500, 0, 0, 16, 18, "", ""],
        [day(1), "SEW", number, 500, 0, 0, 16, 18, "", ""],
        [day(1), "CUT", number, 1000, 0, 0, 8, 4, "", ""],
    ]
    with clock.frozen(day(2)):
        result = import_reports(fileobj=xlsx(*rows), by=planner)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (3, 0)


def test_unknown_work_centres_and_orders_are_row_errors(plant, released):
    notice, planner = released
    number = notice.order.number
    rows = [
        [day(0), "CUT", number, 900, 0, 0, 8, 4, "", ""],
        [day(0), "PRESS", number, 10, 0, 0, 8, 4, "", ""],
        [day(0), "SEW", "SO-1999-99999", 10, 0, 0, 8, 4, "", ""],
        [day(0), "CUT", number, 900, 0, 0, 8, 4, "", ""],
        ["someday", "cut", number, "lots", 0, 0, 8, 4, "sunspots", ""],
    ]
    result = import_reports(fileobj=xlsx(*rows), by=planner)
    assert errors_of(result) == {
        (3, "work_centre"),
        (4, "order"),
        (5, "date"),
        (6, "date"),
        (6, "good_qty"),
        (6, "variance_reason"),
    }
    messages = {(e.row, e.field): (e.column, e.message) for e in result.errors}
    assert messages[(3, "work_centre")] == ("Work centre", "No work centre with code “PRESS”.")
    assert messages[(4, "order")] == ("Order number", "No order numbered “SO-1999-99999”.")
    assert messages[(5, "date")] == ("Date", "Row 2 already reports this day, work centre and order.")
    assert "plan_error, equipment" in messages[(6, "variance_reason")][1]
    assert (result.created, result.updated) == (0, 0)
    assert not DailyReport.objects.exists()


def test_a_reason_is_accepted_by_its_code_or_its_chinese_or_english_label(plant, released):
    notice, planner = released
    number = notice.order.number
    rows = [
        [day(0), "CUT", number, 100, 0, 0, 8, 4, "设备故障", "裁床故障"],
        [day(1), "CUT", number, 100, 0, 0, 8, 4, "Material shortage", ""],
        [day(1), "SEW", number, 100, 0, 0, 8, 4, "staff", ""],
    ]
    with clock.frozen(day(1)):
        result = import_reports(fileobj=xlsx(*rows), by=planner)
    assert result.ok, result.errors
    reasons = dict(DailyReport.objects.values_list("date", "variance_reason").filter(work_centre=plant.cutting))
    assert reasons == {day(0): "equipment", day(1): "material"}
    assert DailyReport.objects.get(work_centre=plant.sewing).variance_reason == "staff"


def test_chinese_headers_are_read_and_errors_name_the_chinese_column(plant, released):
    notice, planner = released
    headers = ["日期", "工作中心", "订单号", "良品数", "不良数", "报废数", "工时", "人数", "差异原因", "备注"]
    rows = [[day(0), "CUT", notice.order.number, 100, 0, 0, 8, 4, "", ""]]
    with translation.override("zh-hans"):
        result = import_reports(fileobj=xlsx(*rows, headers=headers), by=planner)
    ((row, column),) = {(e.row, e.column) for e in result.errors}
    assert (row, column) == (2, "差异原因")
    assert not DailyReport.objects.exists()


def test_the_template_opens_with_the_headers_and_an_example(plant, released, page_as):
    _notice, planner = released
    got = page_as(planner).get("/production/reports/import/template.xlsx")
    assert got.status_code == 200
    assert got["Content-Disposition"] == 'attachment; filename="daily-reports-template.xlsx"'
    ws = load_workbook(io.BytesIO(got.content)).active
    header = [c.value for c in ws[1]]
    assert header[:4] == [
        "日期 / Date *",
        "工作中心 / Work centre *",
        "订单号 / Order number *",
        "良品数 / Good output *",
    ]
    assert "差异原因 / Variance reason" in header
    assert [c.value for c in ws[2]][8] == "equipment"


def test_a_user_without_the_permission_is_refused(plant, released, merchandiser, page_as, api_as):
    notice, _planner = released
    client = page_as(merchandiser)
    assert client.get("/production/reports/import/").status_code == 403
    assert client.get("/production/reports/import/template.xlsx").status_code == 403
    upload = {"file": xlsx(*good_rows(notice.order.number))}
    assert client.post("/production/reports/import/", upload).status_code == 403
    api = api_as(merchandiser)
    refused = api.client.post(
        "/api/v1/daily-reports/import", {"file": xlsx(*good_rows(notice.order.number))}, headers=api.headers
    )
    assert refused.status_code == 403
    assert "production.add_dailyreport" in refused.json()["detail"]
    assert not DailyReport.objects.exists()


def test_an_empty_or_broken_file_is_refused(plant, released):
    _notice, planner = released
    assert errors_of(import_reports(fileobj=xlsx(), by=planner)) == {(2, "file")}
    assert errors_of(import_reports(fileobj=io.BytesIO(b"not a workbook"), by=planner)) == {(0, "file")}
