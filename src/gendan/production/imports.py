"""Daily production reports (生产日报表) imported from .xlsx: one row per day, work centre and order.

All or nothing: the rows are resolved (work centre by code, order by number), then recorded with one call to
`services.record_reports`, so the behind-plan rule (a variance reason beyond the tolerance) applies exactly as on
the grid and in the API. Any bad row rolls the whole file back; every error carries its spreadsheet row number.
"""

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.catalog.models import WorkCentre
from gendan.core.excel import (
    ImportColumn,
    ImportResult,
    ImportSpec,
    RowError,
    choice_parser,
    parse_date,
    parse_decimal,
    parse_int,
)
from gendan.core.exceptions import GendanError, ValidationError
from gendan.core.models import User
from gendan.production import services
from gendan.production.choices import VarianceReason
from gendan.production.models import DailyReport
from gendan.sales.models import Order

REPORT_SPEC = ImportSpec(
    "daily-reports",
    [
        ImportColumn("date", "日期", "Date", parse=parse_date, required=True, example="2026-11-23"),
        ImportColumn("work_centre", "工作中心", "Work centre", required=True, example="SEW1"),
        ImportColumn("order", "订单号", "Order number", required=True, example="SO-2026-00001"),
        ImportColumn("good_qty", "良品数", "Good output", parse=parse_decimal, required=True, example=480),
        ImportColumn("defect_qty", "不良数", "Defects", parse=parse_decimal, example=12),
        ImportColumn("scrap_qty", "报废数", "Scrap", parse=parse_decimal, example=3),
        ImportColumn("hours", "工时", "Hours worked", parse=parse_decimal, example=16),
        ImportColumn("headcount", "人数", "Headcount", parse=parse_int, example=18),
        ImportColumn(
            "variance_reason", "差异原因", "Variance reason", parse=choice_parser(VarianceReason), example="equipment"
        ),
        ImportColumn("note", "备注", "Note", example=""),
    ],
)

# record_reports names an item's fields after its arguments; the sheet names them after its columns
SERVICE_TO_COLUMN = {"work_centre_id": "work_centre", "order_id": "order", "notice_id": "order"}
ITEM_FIELD = re.compile(r"^items\.(\d+)\.(\w+)$")
REPORT_FIELDS = ("good_qty", "defect_qty", "scrap_qty", "hours", "headcount", "variance_reason", "note")


def _by_key(objects: dict[str, Any], key: str) -> Any:
    """An object by its code or number as typed, else as typed in upper case (codes are kept in capitals)."""
    return objects.get(key) or objects.get(key.upper())


def import_reports(*, fileobj: Any, by: User) -> ImportResult:
    """Record every row of the file as a daily production report, all rows or none.

    `created` counts new reports, `updated` the reports of a day already reported (replaced).
    """
    rows, read_errors = REPORT_SPEC.read(fileobj)
    result = ImportResult(errors=list(read_errors))
    if not rows and not read_errors:
        result.errors.append(RowError(2, "file", _("The file has no rows to import.")))
        return result
    errors = result.errors
    bad_rows = {e.row for e in errors}

    codes = {d.get("work_centre", "") for _n, d in rows}
    numbers = {d.get("order", "") for _n, d in rows}
    centres = WorkCentre.objects.in_bulk(codes | {c.upper() for c in codes}, field_name="code")
    orders = Order.objects.in_bulk(numbers | {n.upper() for n in numbers}, field_name="number")

    resolved: list[tuple[int, dict[str, Any], WorkCentre, Order]] = []
    first_of: dict[tuple[Any, int, int], int] = {}
    for number, data in rows:
        centre = _by_key(centres, data.get("work_centre", ""))
        order = _by_key(orders, data.get("order", ""))
        if number in bad_rows:
            continue
        if centre is None:
            errors.append(
                RowError(number, "work_centre", _("No work centre with code “%(c)s”.") % {"c": data["work_centre"]})
            )
        if order is None:
            errors.append(RowError(number, "order", _("No order numbered “%(n)s”.") % {"n": data["order"]}))
        if centre is None or order is None:
            bad_rows.add(number)
            continue
        key = (data["date"], centre.pk, order.pk)
        if key in first_of:
            errors.append(
                RowError(
                    number,
                    "date",
                    _("Row %(row)s already reports this day, work centre and order.") % {"row": first_of[key]},
                )
            )
            bad_rows.add(number)
            continue
        first_of[key] = number
        resolved.append((number, data, centre, order))

    # A row recorded after a bad row of the same work centre and order could look behind plan only because the bad
    # row is missing: those rows are checked once the bad row is fixed.
    blocked = {
        (_by_key(centres, d.get("work_centre", "")), _by_key(orders, d.get("order", "")))
        for n, d in rows
        if n in bad_rows
    }
    # Earlier days first, so each day is measured against the output of the days before it in the same file.
    todo = sorted(
        ((n, d, c, o) for n, d, c, o in resolved if (c, o) not in blocked),
        key=lambda r: (r[1]["date"], r[0]),
    )
    items = [
        {
            "date": data["date"],
            "work_centre_id": centre.pk,
            "order_id": order.pk,
            **{f: data[f] for f in REPORT_FIELDS if data.get(f) is not None},
        }
        for _n, data, centre, order in todo
    ]
    row_of = [n for n, *_rest in todo]

    with transaction.atomic():
        if items:
            existing = set(
                DailyReport.objects.filter(
                    date__in={i["date"] for i in items},
                    work_centre_id__in={i["work_centre_id"] for i in items},
                    order_id__in={i["order_id"] for i in items},
                ).values_list("pk", flat=True)
            )
            try:
                with transaction.atomic():
                    saved = services.record_reports(by=by, items=items)
            except ValidationError as exc:
                for fld, msgs in exc.errors.items():
                    match = ITEM_FIELD.match(fld)
                    if match:
                        number, name = row_of[int(match.group(1)) - 1], match.group(2)
                    else:  # a single item's errors are not prefixed
                        number, name = (row_of[0], fld) if len(items) == 1 else (0, fld)
                    errors.extend(RowError(number, SERVICE_TO_COLUMN.get(name, name), m) for m in msgs)
            except GendanError as exc:
                errors.append(RowError(0, "file", exc.message))
            else:
                pks = {r.pk for r in saved}
                result.updated = len(pks & existing)
                result.created = len(pks - existing)
        if errors:
            transaction.set_rollback(True)
            result.created = result.updated = 0
    errors.sort(key=lambda e: e.row)
    REPORT_SPEC.label_errors(errors)
    return result
