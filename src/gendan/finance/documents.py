"""The statement of account (对账单) as a PDF (WeasyPrint, Chinese glyphs embedded) and as an .xlsx workbook."""

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from gendan.core.documents import company_name, pdf_from_template
from gendan.core.money import places
from gendan.finance.selectors import statement
from gendan.partners.models import Customer

HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def statement_stem(customer: Customer, until: dt.date) -> str:
    return f"statement-{customer.code}-{until:%Y%m%d}"


def statement_context(customer: Customer, since: dt.date, until: dt.date) -> dict[str, Any]:
    return statement(customer, since, until)


def statement_pdf(customer: Customer, since: dt.date, until: dt.date, language: str) -> bytes:
    with translation.override(language):
        context = statement_context(customer, since, until)
    return pdf_from_template(
        "finance/statement_document.html", context, language=language, base_dir=Path(__file__).resolve().parent
    )


def _fmt(currency: str) -> str:
    return "#,##0" if places(currency) == 0 else "#,##0.00"


def statement_xlsx(customer: Customer, since: dt.date, until: dt.date, language: str) -> bytes:
    """One sheet: the company, the customer and the period; per currency the opening balance, the entries with the
    running balance, the closing balance and the invoices still open. Amounts are numbers formatted per currency."""
    with translation.override(language):
        data = statement_context(customer, since, until)
        wb = Workbook()
        ws = wb.active
        ws.title = _("Statement")[:31]
        bold = Font(bold=True)
        name = customer.name_en if language.startswith("en") and customer.name_en else customer.name
        ws.append([company_name(language)])
        ws.append([_("Statement of account"), f"{customer.code} {name}"])
        ws.append([_("Period"), f"{since:%Y-%m-%d} – {until:%Y-%m-%d}"])
        ws["A1"].font = Font(bold=True, size=13)
        ws["A2"].font = bold
        headers = [
            _("Date"),
            _("Document"),
            _("Description"),
            pgettext("payment", "Due date"),
            _("Debit"),
            _("Credit"),
            _("Balance"),
        ]
        for section in data["sections"]:
            cur = section["currency"]
            fmt = _fmt(cur)
            ws.append([])
            ws.append([cur])
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=12)
            ws.append(headers)
            for idx in range(1, len(headers) + 1):
                cell = ws.cell(row=ws.max_row, column=idx)
                cell.font = bold
                cell.fill = HEADER_FILL
            ws.append([since, "", _("Opening balance"), None, None, None, section["opening"]])
            for e in section["entries"]:
                ws.append(
                    [
                        e["date"],
                        e["number"],
                        e["description"],
                        e["due_date"],
                        e["debit"] or None,
                        e["credit"] or None,
                        e["balance"],
                    ]
                )
            ws.append(
                [until, "", _("Closing balance"), None, section["invoiced"], section["received"], section["closing"]]
            )
            for idx in range(1, 8):
                ws.cell(row=ws.max_row, column=idx).font = bold
            if section["open_invoices"]:
                ws.append([])
                ws.append(
                    [
                        _("Invoices still open"),
                        "",
                        "",
                        pgettext("payment", "Due date"),
                        _("Amount"),
                        pgettext("amount", "Open"),
                        _("Days overdue"),
                    ]
                )
                for idx in range(1, 8):
                    ws.cell(row=ws.max_row, column=idx).font = bold
                for o in section["open_invoices"]:
                    ws.append(
                        [o["issue_date"], o["number"], "", o["due_date"], o["amount"], o["open"], o["days_overdue"]]
                    )
                    ws.cell(row=ws.max_row, column=7).number_format = "0"
            for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
                for cell in row:
                    if cell.column in (5, 6, 7) and cell.number_format == "General":
                        cell.number_format = fmt
                    if cell.column in (1, 4) and isinstance(cell.value, dt.date):
                        cell.number_format = "yyyy-mm-dd"
        for letter, width in zip("ABCDEFG", (12, 18, 44, 12, 16, 16, 16), strict=True):
            ws.column_dimensions[letter].width = width
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row, min_col=5, max_col=7):
            for cell in row:
                cell.alignment = Alignment(horizontal="right")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
