"""Excel in and out (openpyxl).

Export: every list page and endpoint turns its rows into an .xlsx with `export_xlsx`.
Import: an `ImportSpec` names the columns (Chinese and English headers), reads a workbook into
typed rows and reports every bad cell by row number. The app's import service writes the rows
in one transaction and rolls everything back when any row fails: all or nothing.
"""

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
MAX_IMPORT_ROWS = 20_000


@dataclass
class Column:
    """One column: its key, Chinese and English headers, how to read it from a row object."""

    key: str
    zh: str
    en: str
    getter: Callable[[Any], Any] | None = None
    width: int = 16
    number_format: str | None = None

    def header(self, lang: str | None = None) -> str:
        lang = lang or translation.get_language() or "zh-hans"
        return self.zh if lang.startswith("zh") else self.en

    def value(self, obj: Any) -> Any:
        if self.getter is not None:
            return self.getter(obj)
        value: Any = obj
        for part in self.key.split("."):
            value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
            if value is None:
                return None
        return value


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters cannot be written to a sheet
    if isinstance(value, Decimal | int | float | dt.date) or value is None:
        return value
    if isinstance(value, bool):
        return value
    return str(value)


def write_sheet(ws: Any, columns: Sequence[Column], rows: Iterable[Any], *, lang: str | None = None) -> None:
    """Fill a worksheet: a bold header row in the user's language, one row per object, the columns' widths and number
    formats, the header frozen."""
    ws.append([c.header(lang) for c in columns])
    for idx, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=idx)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        ws.column_dimensions[get_column_letter(idx)].width = col.width
    for obj in rows:
        ws.append([_cell(c.value(obj)) for c in columns])
    for idx, col in enumerate(columns, start=1):
        fmt = col.number_format
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                cell.number_format = fmt
    ws.freeze_panes = "A2"


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_xlsx(columns: Sequence[Column], rows: Iterable[Any], *, title: str, lang: str | None = None) -> bytes:
    """A workbook with one sheet (`write_sheet`)."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31]
    write_sheet(ws, columns, rows, lang=lang)
    return workbook_bytes(wb)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- import -------------------------------------------------------------------------------------


def parse_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_decimal(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        result = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(_("“%(v)s” is not a number.") % {"v": value}) from exc
    if not result.is_finite():
        raise ValueError(_("“%(v)s” is not a number.") % {"v": value})
    return result


def parse_int(value: Any) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(_("“%(v)s” is not a whole number.") % {"v": value})
    return int(number)


def parse_date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(_("“%(v)s” is not a date (YYYY-MM-DD).") % {"v": value}) from exc


def choice_parser(choices: Any) -> Callable[[Any], str]:
    """Accept a choice by its value or its label in either language."""

    def parse(value: Any) -> str:
        text = parse_text(value)
        if not text:
            return ""
        lowered = text.lower()
        for val, label in choices.choices:
            if lowered == str(val).lower():
                return val
            for lang in ("zh-hans", "en"):
                with translation.override(lang):
                    if lowered == str(label).lower():
                        return val
        allowed = ", ".join(str(v) for v in choices.values)
        raise ValueError(_("“%(v)s” is not one of: %(allowed)s.") % {"v": text, "allowed": allowed})

    return parse


@dataclass
class ImportColumn:
    key: str
    zh: str
    en: str
    parse: Callable[[Any], Any] = parse_text
    required: bool = False
    example: Any = None

    @property
    def header(self) -> str:
        lang = translation.get_language() or "zh-hans"
        return self.zh if lang.startswith("zh") else self.en

    @property
    def bilingual(self) -> str:
        return f"{self.zh} / {self.en}"

    def matches(self, header: str) -> bool:
        h = header.strip().lower().replace("*", "").strip()
        return h in {self.zh.lower(), self.en.lower(), self.bilingual.lower(), self.key.lower()}


@dataclass
class RowError:
    row: int  # the spreadsheet row number (header is row 1)
    field: str
    message: str
    column: str = ""  # the column's header in the reader's language, when the field is a column


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportSpec:
    """The columns of one import template."""

    name: str
    columns: list[ImportColumn]

    def template(self) -> bytes:
        """The downloadable template: bilingual headers (required ones marked *) and one example row."""
        wb = Workbook()
        ws = wb.active
        ws.title = self.name[:31]
        ws.append([c.bilingual + (" *" if c.required else "") for c in self.columns])
        ws.append([c.example for c in self.columns])
        for idx, c in enumerate(self.columns, start=1):
            cell = ws.cell(row=1, column=idx)
            cell.font = Font(bold=True, color="B00020" if c.required else "000000")
            cell.fill = HEADER_FILL
            ws.column_dimensions[get_column_letter(idx)].width = max(14, len(c.bilingual) + 4)
        ws.freeze_panes = "A2"
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def label_errors(self, errors: list[RowError]) -> None:
        """Name each error's column as its header reads in the reader's language."""
        headers = {c.key: c.header for c in self.columns}
        for error in errors:
            error.column = error.column or headers.get(error.field, "")

    def read(self, fileobj: Any) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
        """Typed rows `(row_number, {key: value})` and every cell error; blank rows are skipped."""
        try:
            wb = load_workbook(fileobj, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a non-workbook
            return [], [RowError(0, "file", _("This is not an .xlsx workbook."))]
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            return [], [RowError(1, "file", _("The sheet is empty."))]
        index: dict[str, int] = {}
        for pos, raw in enumerate(header):
            for col in self.columns:
                if raw is not None and col.matches(str(raw)):
                    index[col.key] = pos
        errors = [
            RowError(1, c.key, _("Column “%(col)s” is missing.") % {"col": c.bilingual})
            for c in self.columns
            if c.required and c.key not in index
        ]
        if errors:
            return [], errors
        result: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(result) >= MAX_IMPORT_ROWS:
                errors.append(RowError(number, "file", _("At most %(n)s rows per file.") % {"n": MAX_IMPORT_ROWS}))
                break
            data: dict[str, Any] = {}
            for col in self.columns:
                pos = index.get(col.key)
                raw = values[pos] if pos is not None and pos < len(values) else None
                try:
                    value = col.parse(raw)
                except ValueError as exc:
                    errors.append(RowError(number, col.key, str(exc)))
                    continue
                if col.required and value in (None, ""):
                    errors.append(RowError(number, col.key, _("This field is required.")))
                    continue
                if pos is not None:
                    data[col.key] = value
            result.append((number, data))
        wb.close()
        return result, errors


def run_import(spec: ImportSpec, fileobj: Any, write_row: Callable[[dict[str, Any]], str]) -> ImportResult:
    """Read the file and write every row with `write_row` (returns "created" or "updated") in one transaction.

    Any bad row (a cell that does not parse, or a row the service refuses) rolls back the whole file;
    the result lists every error with its row number.
    """
    from django.db import transaction

    from gendan.core.exceptions import GendanError, ValidationError

    rows, errors = spec.read(fileobj)
    result = ImportResult(errors=list(errors))
    if not rows and not errors:
        result.errors.append(RowError(2, "file", _("The file has no rows to import.")))
        return result
    bad_rows = {e.row for e in errors}
    with transaction.atomic():
        for number, data in rows:
            if number in bad_rows:
                continue
            try:
                with transaction.atomic():
                    outcome = write_row(data)
            except ValidationError as exc:
                for fld, msgs in exc.errors.items():
                    result.errors.extend(RowError(number, fld, m) for m in msgs)
            except GendanError as exc:
                result.errors.append(RowError(number, "__all__", exc.message))
            else:
                if outcome == "updated":
                    result.updated += 1
                else:
                    result.created += 1
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = 0
    result.errors.sort(key=lambda e: e.row)
    spec.label_errors(result.errors)
    return result


def xlsx_download(columns: Sequence[Column], rows: Iterable[Any], *, title: str, stem: str) -> HttpResponse:
    """A list exported as `<stem>-<date>.xlsx`, headers in the reader's language."""
    from gendan.core import clock

    return xlsx_response(export_xlsx(columns, rows, title=title), f"{stem}-{clock.today():%Y%m%d}.xlsx")


def template_download(spec: ImportSpec, stem: str) -> HttpResponse:
    """An import template as `<stem>-template.xlsx`."""
    return xlsx_response(spec.template(), f"{stem}-template.xlsx")
