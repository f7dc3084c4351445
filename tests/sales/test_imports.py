"""Order import: rows grouped into draft orders by customer + PO; all or nothing with row-numbered errors."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from gendan.core.choices import Role
from gendan.sales.imports import ORDER_IMPORT, import_orders
from gendan.sales.models import Order
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "客户订单号 / Customer PO",
    "Customer code",
    "Order date",
    "出厂日期",
    "Currency",
    "Incoterm",
    "Product code",
    "Quantity",
    "Unit price",
]


def workbook(rows, header=HEADER) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


@pytest.fixture
def master():
    return (
        CustomerFactory(code="ACME"),
        CustomerFactory(code="BETA"),
        ProductFactory(code="TW-01"),
        ProductFactory(code="TW-02"),
    )


def test_rows_are_grouped_into_draft_orders(merchandiser, master) -> None:
    rows = [
        ["PO-1", "ACME", "2026-11-20", "2027-01-15", "USD", "FOB", "TW-01", 100, "2.5"],
        ["PO-1", "ACME", "2026-11-20", "2027-01-15", "USD", "FOB", "TW-02", 50, 4],
        ["PO-2", "ACME", "2026-11-21", "2027-02-01", "EUR", "CIF", "TW-01", 10, 1],
        ["PO-1", "BETA", "2026-11-21", "2027-02-01", "", "", "TW-02", 10, 1],
    ]
    result = import_orders(workbook(rows), by=merchandiser)
    assert result.ok, result.errors
    assert result.created == 3
    po1 = Order.objects.get(customer__code="ACME", customer_po="PO-1")
    assert po1.status == "draft"
    assert po1.lines.count() == 2
    assert str(po1.total_amount) == "450.00"
    assert Order.objects.get(customer__code="ACME", customer_po="PO-2").currency == "EUR"


def test_any_bad_row_rejects_the_whole_file_with_row_numbers(merchandiser, master) -> None:
    rows = [
        ["PO-1", "ACME", "2026-11-20", "2027-01-15", "USD", "FOB", "TW-01", 100, "2.5"],
        ["PO-2", "ACME", "2026-11-20", "2027-01-15", "USD", "FOB", "NOPE", 5, 1],
        ["PO-3", "NOBODY", "2026-11-20", "2027-01-15", "USD", "FOB", "TW-01", 5, 1],
        ["PO-4", "ACME", "2026-11-20", "2027-01-15", "USD", "FOB", "TW-01", 0, 1],
        ["PO-5", "ACME", "not a date", "2027-01-15", "USD", "FOB", "TW-01", 5, 1],
    ]
    result = import_orders(workbook(rows), by=merchandiser)
    assert not result.ok
    assert result.created == 0
    found = {(e.row, e.field) for e in result.errors}
    assert {(3, "product_code"), (4, "customer_code"), (5, "quantity"), (6, "order_date")} <= found
    assert not Order.objects.exists()


def test_rows_of_one_order_must_agree_on_the_order_fields(merchandiser, master) -> None:
    rows = [
        ["PO-1", "ACME", "2026-11-20", "2027-01-15", "USD", "FOB", "TW-01", 100, "2.5"],
        ["PO-1", "ACME", "2026-11-20", "2027-03-01", "USD", "FOB", "TW-02", 50, 4],
    ]
    result = import_orders(workbook(rows), by=merchandiser)
    assert [(e.row, e.field) for e in result.errors] == [(3, "ex_factory_date")]
    assert not Order.objects.exists()


def test_a_missing_required_column_is_reported(merchandiser, master) -> None:
    result = import_orders(workbook([["PO-1", "ACME"]], header=["Customer PO", "Customer code"]), by=merchandiser)
    assert not result.ok
    assert {e.field for e in result.errors} >= {"product_code", "quantity"}


def test_a_role_without_add_order_cannot_import(make_user, master) -> None:
    rows = [["PO-1", "ACME", "2026-11-20", "2027-01-15", "USD", "FOB", "TW-01", 100, "2.5"]]
    result = import_orders(workbook(rows), by=make_user(Role.QC))
    assert not result.ok
    assert not Order.objects.exists()


def test_the_template_has_bilingual_headers(merchandiser) -> None:
    sheet = load_workbook(io.BytesIO(ORDER_IMPORT.template())).active
    headers = [c.value for c in sheet[1]]
    assert "客户订单号 / Customer PO *" in headers
    assert "产品代码 / Product code *" in headers


def test_the_import_page_imports_and_reports_errors(page_as, merchandiser, master) -> None:
    page = page_as(merchandiser)
    assert page.get("/orders/import/").status_code == 200
    assert page.get("/orders/import/template/").status_code == 200
    bad = workbook([["PO-1", "ACME", "2026-11-20", "2027-01-15", "USD", "FOB", "NOPE", 1, 1]])
    response = page.post("/orders/import/", {"file": bad})
    assert 'data-testid="import-errors"' in response.content.decode()
    good = workbook([["PO-1", "ACME", "2026-11-20", "2027-01-15", "USD", "FOB", "TW-01", 1, 1]])
    page.post("/orders/import/", {"file": good})
    assert Order.objects.count() == 1
