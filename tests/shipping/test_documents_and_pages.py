"""Documents (PDF text, xlsx totals, Chinese in zh) and the pages (list, new, detail, actions, order section)."""

import io
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gendan.shipping import documents, services
from gendan.shipping.choices import DocumentKind
from gendan.shipping.models import Shipment
from tests.shipping.factories import forwarder, lines_of, two_orders

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def shipment(merchandiser, manager, clerk):  # noqa: ANN001, ANN201
    _c, a, b = two_orders(merchandiser, manager)
    return services.create_shipment(by=clerk, data={"lines": lines_of(a, b), "port_of_discharge": "Hamburg"})


def test_the_commercial_invoice_pdf_shows_the_orders_and_the_total(shipment) -> None:
    text = pdf_text(documents.render_pdf(shipment.pk, DocumentKind.COMMERCIAL_INVOICE, "en"))
    shipment.refresh_from_db()
    assert shipment.invoice_number in text
    for number in {sl.order_line.order.number for sl in shipment.lines.all()}:
        assert number in text
    assert "980.00" in text
    assert "SAY US DOLLARS NINE HUNDRED AND EIGHTY ONLY" in text


def test_the_packing_list_pdf_shows_the_totals_and_the_part_cartons(shipment) -> None:
    text = pdf_text(documents.render_pdf(shipment.pk, DocumentKind.PACKING_LIST, "en"))
    for figure in ("16", "145.000", "161.000", "1.1520", "1-5", "6-14", "15-16", "part carton: 4 pcs"):
        assert figure in text


@pytest.mark.parametrize("kind", DocumentKind.values)
def test_every_document_in_chinese_has_chinese_text(shipment, kind) -> None:
    content = documents.render_pdf(shipment.pk, kind, "zh")
    assert content.startswith(b"%PDF")
    zh, _en = documents.LABELS[kind]
    assert zh in pdf_text(content).replace(" ", "")


def test_the_xlsx_totals_equal_the_sum_of_the_lines(shipment) -> None:
    for kind, columns in (
        (DocumentKind.COMMERCIAL_INVOICE, ("amount",)),
        (DocumentKind.PACKING_LIST, ("nw", "gw", "cbm")),
    ):
        doc = documents.build(shipment.pk, kind, "both")
        ws = load_workbook(io.BytesIO(documents.xlsx_of(doc))).active
        rows = list(ws.iter_rows(values_only=True))
        header = next(i for i, r in enumerate(rows) if r[0] and " / ".join(doc.columns[0].label) == r[0])
        body, total = rows[header + 1 : header + 1 + len(doc.rows)], rows[header + 1 + len(doc.rows)]
        for key in columns:
            idx = [c.key for c in doc.columns].index(key)
            assert Decimal(str(total[idx])) == sum(Decimal(str(r[idx])) for r in body)
            assert Decimal(str(total[idx])) == doc.totals[key][1]


def test_the_list_filters_and_exports(page_as, clerk, shipment) -> None:
    client = page_as(clerk)
    r = client.get("/shipping/", {"status": "planned", "mode": "sea_fcl"})
    assert r.status_code == 200
    assert shipment.number in r.content.decode()
    assert shipment.number not in client.get("/shipping/", {"status": "departed"}).content.decode()
    r = client.get("/shipping/", {"status": "", "format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(row=2, column=1).value == shipment.number


def test_a_new_shipment_from_the_page_and_an_over_shipment_named(page_as, clerk, merchandiser, manager) -> None:
    customer, a, _b = two_orders(merchandiser, manager)
    client = page_as(clerk)
    r = client.get("/shipping/new/", {"customer": customer.pk})
    assert a.number in r.content.decode()
    line = a.lines.get(position=1)
    r = client.post("/shipping/new/", {"customer": customer.pk, "line": [line.pk], f"qty-{line.pk}": "101"})
    assert r.status_code == 200
    assert "at most 100" in r.content.decode()
    assert Shipment.objects.count() == 0
    r = client.post("/shipping/new/", {"customer": customer.pk, "line": [line.pk], f"qty-{line.pk}": "60"})
    s = Shipment.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/shipping/{s.pk}/"


def test_the_detail_page_books_and_departs_and_the_order_page_shows_shipped(
    page_as, clerk, shipment, django_assert_max_num_queries
) -> None:
    client = page_as(clerk)
    with django_assert_max_num_queries(40):
        r = client.get(f"/shipping/{shipment.pk}/")
    text = r.content.decode()
    assert "LCL" in text
    assert 'data-testid="booking-form"' in text
    assert "Confirm the booking" in text
    r = client.post(
        f"/shipping/{shipment.pk}/book/",
        {"version": 1, "booking_no": "B-77", "etd": "2026-12-01", "forwarder_id": forwarder().pk},
    )
    assert r.status_code == 302
    client.post(f"/shipping/{shipment.pk}/depart/", {"atd": "2026-11-24"})
    shipment.refresh_from_db()
    assert (shipment.status, shipment.booking_no) == ("departed", "B-77")
    order = shipment.lines.first().order_line.order
    text = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="shipments-section"' in text
    assert shipment.number in text


def test_documents_download_from_the_page(page_as, clerk, shipment) -> None:
    client = page_as(clerk)
    r = client.get(f"/shipping/{shipment.pk}/documents/packing-list.pdf", {"lang": "both"})
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF")
    r = client.get(f"/shipping/{shipment.pk}/documents/co-application.xlsx", {"lang": "zh"})
    assert r.status_code == 200
    assert load_workbook(io.BytesIO(r.content)).active["A1"].value


def test_the_profiles_page_saves_a_tolerance(page_as, clerk, shipment) -> None:
    client = page_as(clerk)
    r = client.post(
        "/shipping/profiles/", {"customer": shipment.customer_id, "tolerance_pct": "3", "co_form": "general"}
    )
    assert r.status_code == 302
    assert services.tolerance_pct(shipment.customer_id) == Decimal("3")
