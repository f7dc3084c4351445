"""The purchase-order document (订购单): PDF and .xlsx, in Chinese and English."""

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from gendan.core.choices import Role
from gendan.inventory.models import Warehouse
from gendan.partners.models import Contact
from gendan.procurement.choices import PoStatus
from gendan.procurement.documents import po_filename, po_pdf, po_xlsx
from gendan.procurement.models import PurchaseOrder, PurchaseOrderLine
from tests.factories import MaterialFactory, SupplierFactory
from tests.sales.factories import make_order

pytestmark = pytest.mark.django_db


def make_po(user, *, currency: str = "CNY", lines: list[tuple[str, str]] | None = None, **fields) -> PurchaseOrder:
    """A PO with one line per (quantity, unit price); default 1200 m × 3.5 and 2.5 m × 0.3333."""
    supplier = SupplierFactory(name="宁波布业有限公司", name_en="Ningbo Textiles Co., Ltd", address="浙江省宁波市")
    Contact.objects.create(supplier=supplier, name="王经理", phone="0574-12345678", is_primary=True)
    warehouse = Warehouse.objects.create(code="WH1", name="原料仓", address="义乌市工业区 8 号")
    fields.setdefault("status", PoStatus.APPROVED)
    po = PurchaseOrder.objects.create(
        number="PO-2026-00001",
        supplier=supplier,
        currency=currency,
        buyer=user,
        order_date=dt.date(2026, 11, 24),
        ship_to=warehouse,
        payment_terms="月结 30 天",
        notes="请在箱唛上注明订购单号。",
        **fields,
    )
    order = make_order(by=user)
    for position, (qty, price) in enumerate(lines or [("1200", "3.5"), ("2.5", "0.3333")], start=1):
        PurchaseOrderLine.objects.create(
            purchase_order=po,
            position=position,
            material=MaterialFactory(code=f"FAB-{position:03d}", name=f"全棉府绸 {position}", spec="140cm 40x40"),
            quantity=Decimal(qty),
            unit="m",
            unit_price=Decimal(price),
            required_date=dt.date(2026, 12, 10),
            order=order if position == 1 else None,
        )
    return po


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text is not checked")
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def cells(xlsx: bytes) -> list:
    ws = load_workbook(io.BytesIO(xlsx)).active
    return [cell for row in ws.iter_rows() for cell in row if cell.value is not None]


def values(xlsx: bytes) -> list:
    return [cell.value for cell in cells(xlsx)]


def test_the_file_name_is_the_po_number(make_user) -> None:
    po = make_po(make_user(Role.MERCHANDISER))
    assert po_filename(po, "pdf") == "PO-2026-00001.pdf"
    assert po_filename(po, ".xlsx") == "PO-2026-00001.xlsx"


def test_the_chinese_pdf_has_the_number_the_materials_and_the_title(make_user) -> None:
    po = make_po(make_user(Role.MERCHANDISER))
    pdf = po_pdf(po, "zh-hans")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    with translation.override("zh-hans"):
        # 订购单 once the Chinese catalogue translates it; the document title has its own context
        title = translation.pgettext("document title", "Purchase order")
    assert title in text
    assert "PO-2026-00001" in text
    assert "FAB-001" in text
    assert "FAB-002" in text
    assert "全棉府绸 1" in text  # Chinese text comes out: the CJK font is embedded
    assert "宁波布业有限公司" in text
    assert "1,200 米" in text or "1,200 m" in text
    assert "CNY 4,200.83" in text  # 4200.00 + 0.83 (2.5 × 0.3333 = 0.83325, rounded per line)
    assert po.lines.first().order.number in text


def test_the_english_pdf_uses_english_labels_and_the_english_supplier_name(make_user) -> None:
    po = make_po(make_user(Role.MERCHANDISER))
    text = pdf_text(po_pdf(po, "en"))
    assert "Purchase order" in text
    assert "Ningbo Textiles Co., Ltd" in text
    assert "Deliver to" in text
    assert "Page 1 of 1" in text
    assert "1,200 m" in text
    assert "3.50" in text
    assert "0.3333" in text


def test_a_draft_says_so_and_an_approved_po_names_the_approver(make_user) -> None:
    user = make_user(Role.MERCHANDISER, first_name="Li", last_name="Na")
    draft = make_po(user, status=PoStatus.DRAFT)
    assert "Draft" in pdf_text(po_pdf(draft, "en"))
    draft.status = PoStatus.APPROVED
    draft.approved_by = user
    draft.approved_at = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    draft.save()
    text = pdf_text(po_pdf(draft, "en"))
    assert "Draft" not in text
    assert "Li Na" in text
    assert "2026-11-25" in text


def test_the_workbook_has_the_number_the_lines_as_numbers_and_the_total(make_user) -> None:
    po = make_po(make_user(Role.MERCHANDISER))
    xlsx = po_xlsx(po, "zh-hans")
    found = cells(xlsx)
    assert "PO-2026-00001" in [c.value for c in found]
    quantity = next(c for c in found if c.value == 1200)
    assert isinstance(quantity.value, int | float)
    assert quantity.number_format == "#,##0"
    half = next(c for c in found if c.value == 2.5)
    assert half.number_format == "#,##0.0"
    price = next(c for c in found if c.value == 0.3333)
    assert price.number_format == "#,##0.0000"
    total = next(c for c in found if c.value == pytest.approx(4200.83))
    assert total.number_format == "#,##0.00"
    assert "全棉府绸 1" in [c.value for c in found]
    dates = [c.value.date() for c in found if isinstance(c.value, dt.datetime)]
    assert dt.date(2026, 12, 10) in dates  # dates are dates, not text


def test_the_english_workbook_has_english_labels(make_user) -> None:
    po = make_po(make_user(Role.MERCHANDISER))
    found = values(po_xlsx(po, "en"))
    for label in ("Purchase order", "PO number", "Supplier", "Deliver to", "Quantity", "Total", "Approved by"):
        assert label in found
    assert "Unit price (CNY)" in found
    assert any(isinstance(v, str) and "Ningbo Textiles Co., Ltd" in v for v in found)


def test_yen_amounts_have_no_decimals(make_user) -> None:
    po = make_po(make_user(Role.MERCHANDISER), currency="JPY", lines=[("3", "100.4")])
    found = cells(po_xlsx(po, "en"))
    total = [c for c in found if c.value == 301]
    assert total
    assert all(c.number_format == "#,##0" for c in total)
    assert "JPY 301" in pdf_text(po_pdf(po, "en"))


def test_the_total_is_rounded_once_as_the_po_total_is(make_user) -> None:
    po = make_po(make_user(Role.MERCHANDISER), lines=[("1", "0.005"), ("1", "0.005"), ("1", "0.005")])
    found = cells(po_xlsx(po, "en"))
    assert [c.value for c in found if c.number_format == "#,##0.00" and c.column == 8] == [0.01, 0.01, 0.01, 0.02]
    assert "CNY 0.02" in pdf_text(po_pdf(po, "en"))
