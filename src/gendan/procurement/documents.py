"""The purchase-order document (订购单) sent to the supplier: PDF (WeasyPrint) and .xlsx, in Chinese or English.

Both render from the same rows (`_document`): each line's amount is its quantity × unit price rounded the way the
PO's currency is written; the total is rounded from the unrounded amounts, as the purchasing services compute the
PO's `total_amount`, so the document shows the total the system approves and reports (it can differ by a cent from
the sum of the rounded line amounts).
"""

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from gendan.core.documents import company_name
from gendan.core.excel import HEADER_FILL
from gendan.core.money import places, round_money
from gendan.procurement.choices import PoStatus
from gendan.procurement.models import PurchaseOrder, PurchaseOrderLine

__all__ = ["po_filename", "po_pdf", "po_xlsx"]

PRICE_PLACES = 4  # unit prices are stored with 4 places
TEMPLATE = "procurement/po_document.html"
ZERO = Decimal(0)


# ---- the document's content, shared by the PDF and the workbook ---------------------------------------------------


@dataclass
class DocLine:
    position: int
    code: str
    name: str
    spec: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    required_date: dt.date
    order_number: str


@dataclass
class Document:
    po: PurchaseOrder
    language: str
    company: str
    supplier_name: str
    contact: Any  # partners.Contact or None
    buyer: str
    approved_by: str
    approved_on: dt.date | None
    lines: list[DocLine]
    total: Decimal

    @property
    def currency(self) -> str:
        return self.po.currency

    @property
    def contact_text(self) -> str:
        c = self.contact
        return "" if c is None else ", ".join(part for part in (c.name, c.phone, c.email) if part)

    @property
    def buyer_text(self) -> str:
        email = self.po.buyer.email
        return f"{self.buyer}, {email}" if email else self.buyer


def _person(user: Any) -> str:
    return "" if user is None else (user.get_full_name() or user.username)


def _line(line: PurchaseOrderLine, currency: str) -> DocLine:
    material = line.material
    return DocLine(
        position=line.position,
        code=material.code,
        name=material.name,
        spec=line.spec or material.spec,
        quantity=line.quantity,
        unit=str(line.get_unit_display()),
        unit_price=line.unit_price,
        amount=round_money(line.quantity * line.unit_price, currency),
        required_date=line.required_date,
        order_number=line.order.number if line.order_id else "",
    )


def _document(po: PurchaseOrder, language: str) -> Document:
    """Everything the document shows; call inside `translation.override(language)` (unit names are translated)."""
    supplier = po.supplier
    contacts = list(supplier.contacts.all())
    contact = next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)
    lines = [
        _line(line, po.currency) for line in po.lines.select_related("material", "order").order_by("position", "id")
    ]
    return Document(
        po=po,
        language=language,
        company=company_name(language),
        supplier_name=supplier.name_en if language.startswith("en") and supplier.name_en else supplier.name,
        contact=contact,
        buyer=_person(po.buyer),
        approved_by=_person(po.approved_by),
        approved_on=timezone.localtime(po.approved_at).date() if po.approved_at else None,
        lines=lines,
        total=round_money(sum((line.quantity * line.unit_price for line in lines), ZERO), po.currency),
    )


def _decimals(value: Decimal, least: int = 0, most: int = PRICE_PLACES) -> int:
    """How many decimals show `value` without trailing zeros, at least `least` and at most `most`."""
    exponent = value.normalize().as_tuple().exponent
    shown = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(max(shown, least), most)


def _number(value: Decimal, decimals: int) -> str:
    """A number for the active language, rounded (Django's number_format cuts extra decimals off) and grouped."""
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def po_filename(po: PurchaseOrder, ext: str) -> str:
    """The document's file name: "PO-2026-00001.pdf"."""
    stem = re.sub(r"[^\w.-]+", "_", po.number).strip("._") or "purchase-order"
    return f"{stem}.{ext.lstrip('.')}"


# ---- PDF -------------------------------------------------------------------------------------------------------------


def _css_string(text: str) -> str:
    """`text` as a quoted CSS string that is safe inside a <style> element."""
    out = []
    for char in text:
        if char.isalnum() or char in " .,:;/()-_#%" or ord(char) > 0x7F:
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return '"' + "".join(out) + '"'


def _page_counter() -> SafeString:
    """The footer's CSS `content`: "Page 1 of 3" in the active language (the translation places the numbers)."""
    text = _("Page %(page)s of %(pages)s")
    parts = re.split(r"(%\(page\)s|%\(pages\)s)", text)
    content = []
    for part in parts:
        if part == "%(page)s":
            content.append("counter(page)")
        elif part == "%(pages)s":
            content.append("counter(pages)")
        elif part:
            content.append(_css_string(part))
    return mark_safe(" ".join(content))  # escaped CSS strings and counter()s only


def po_html(po: PurchaseOrder, language: str) -> str:
    """The document as HTML (what `po_pdf` prints)."""
    with translation.override(language):
        doc = _document(po, language)
        currency = po.currency
        rows = [
            {
                "line": line,
                "unit_price": _number(line.unit_price, _decimals(line.unit_price, least=places(currency))),
                "amount": _number(line.amount, places(currency)),
            }
            for line in doc.lines
        ]
        context = {
            "doc": doc,
            "po": po,
            "supplier": po.supplier,
            "warehouse": po.ship_to,
            "rows": rows,
            "total": doc.total,
            "total_text": _number(doc.total, places(currency)),
            "show_status": po.status in {PoStatus.DRAFT, PoStatus.CANCELLED},
            "page_counter": _page_counter(),
            "lang": language,
        }
        return render_to_string(TEMPLATE, context)


def po_pdf(po: PurchaseOrder, language: str) -> bytes:
    """The purchase order as an A4 PDF in `language` ("zh-hans" or "en")."""
    from weasyprint import HTML  # imported here: loading WeasyPrint (Pango, fonts) is slow

    html = po_html(po, language)
    return HTML(string=html, base_url=str(Path(__file__).resolve().parent)).write_pdf()


# ---- .xlsx -----------------------------------------------------------------------------------------------------------

COLUMNS = 10  # #, code, name, spec, quantity, unit, unit price, amount, required date, for order
WIDTHS = [5, 16, 26, 20, 12, 8, 13, 15, 13, 16]
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DATE_FORMAT = "yyyy-mm-dd"


def _text(value: Any) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(value or ""))


def _number_format(decimals: int) -> str:
    return "#,##0." + "0" * decimals if decimals else "#,##0"


def po_xlsx(po: PurchaseOrder, language: str) -> bytes:
    """The purchase order as a one-sheet workbook in `language`: header block, lines, total, notes, approval."""
    with translation.override(language):
        doc = _document(po, language)
        return _workbook(doc)


def _workbook(doc: Document) -> bytes:
    po = doc.po
    money_places = places(doc.currency)
    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\\/?*\[\]:]", "_", po.number)[:31] or "PO"
    last = get_column_letter(COLUMNS)
    bold = Font(bold=True)

    ws["A1"] = _text(doc.company)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = pgettext("document title", "Purchase order")
    ws["A2"].font = Font(bold=True, size=16)
    for row in (1, 2):
        ws.merge_cells(f"A{row}:{last}{row}")
        ws[f"A{row}"].alignment = Alignment(horizontal="center")
    if po.status in {PoStatus.DRAFT, PoStatus.CANCELLED}:
        ws["A3"] = str(po.get_status_display())
        ws["A3"].font = Font(bold=True, color="B00020")
        ws.merge_cells(f"A3:{last}3")
        ws["A3"].alignment = Alignment(horizontal="center")

    supplier, warehouse = po.supplier, po.ship_to
    left = [
        (_("Supplier"), f"{supplier.code} {doc.supplier_name}"),
        (_("Address"), supplier.address),
        (_("Contact"), doc.contact_text),
        (_("Deliver to"), f"{warehouse.code} {warehouse.name}"),
        (_("Address"), warehouse.address),
    ]
    right: list[tuple[str, Any, str | None]] = [
        (_("PO number"), po.number, None),
        (_("Order date"), po.order_date, DATE_FORMAT),
        (_("Currency"), po.currency, None),
        (_("Payment terms"), po.payment_terms, None),
        (_("Buyer"), doc.buyer_text, None),
    ]
    top = 4
    for offset, ((l_label, l_value), (r_label, r_value, r_format)) in enumerate(zip(left, right, strict=True)):
        row = top + offset
        ws.cell(row=row, column=1, value=_text(l_label)).font = bold
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ws.cell(row=row, column=3, value=_text(l_value)).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=6)
        ws.cell(row=row, column=7, value=_text(r_label)).font = bold
        ws.merge_cells(start_row=row, start_column=7, end_row=row, end_column=8)
        cell = ws.cell(row=row, column=9, value=r_value if r_format else _text(r_value))
        cell.alignment = Alignment(horizontal="left")
        if r_format:
            cell.number_format = r_format
        ws.merge_cells(start_row=row, start_column=9, end_row=row, end_column=10)

    header_row = top + len(left) + 1
    headers = [
        "#",
        _("Material code"),
        _("Name"),
        _("Spec"),
        _("Quantity"),
        _("Unit"),
        _("Unit price (%(currency)s)") % {"currency": doc.currency},
        _("Amount (%(currency)s)") % {"currency": doc.currency},
        _("Required date"),
        _("For order"),
    ]
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=header_row, column=col, value=header)
        cell.font = bold
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    row = header_row
    for row, line in enumerate(doc.lines, start=header_row + 1):
        values: list[tuple[Any, str | None]] = [
            (line.position, None),
            (_text(line.code), None),
            (_text(line.name), None),
            (_text(line.spec), None),
            (line.quantity, _number_format(_decimals(line.quantity, most=3))),
            (line.unit, None),
            (line.unit_price, _number_format(_decimals(line.unit_price, least=money_places))),
            (line.amount, _number_format(money_places)),
            (line.required_date, DATE_FORMAT),
            (_text(line.order_number), None),
        ]
        for col, (value, fmt) in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border = BOX
            cell.alignment = Alignment(vertical="top", wrap_text=col in (3, 4))
            if fmt:
                cell.number_format = fmt

    total_row = row + 1
    label = ws.cell(row=total_row, column=7, value=_("Total"))
    label.font = bold
    label.alignment = Alignment(horizontal="right")
    total = ws.cell(row=total_row, column=8, value=doc.total)
    total.font = bold
    total.border = BOX
    total.number_format = _number_format(money_places)
    ws.cell(row=total_row, column=9, value=doc.currency).font = bold

    row = total_row + 2
    if po.notes:
        ws.cell(row=row, column=1, value=_("Notes")).font = bold
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        notes = ws.cell(row=row, column=3, value=_text(po.notes))
        notes.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=COLUMNS)
        ws.row_dimensions[row].height = 15 * max(1, min(po.notes.count("\n") + 1 + len(po.notes) // 90, 12))
        row += 2

    signatures = [
        (_("Approved by"), _text(doc.approved_by), doc.approved_on),
        (_("Supplier confirmation"), None, None),  # signed and stamped by the supplier on the printout
    ]
    for offset, (label, name, date) in enumerate(signatures):
        at = row + 2 * offset
        ws.cell(row=at, column=1, value=label).font = bold
        ws.cell(row=at, column=3, value=name)
        ws.cell(row=at, column=7, value=_("Date")).font = bold
        dated = ws.cell(row=at, column=9, value=date)
        dated.number_format = DATE_FORMAT
        dated.alignment = Alignment(horizontal="left")
        for first, end in ((1, 2), (3, 6), (7, 8), (9, 10)):
            ws.merge_cells(start_row=at, start_column=first, end_row=at, end_column=end)
        for col in range(3, 7):
            ws.cell(row=at, column=col).border = Border(bottom=THIN)
        for col in (9, 10):
            ws.cell(row=at, column=col).border = Border(bottom=THIN)

    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
