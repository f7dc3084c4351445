"""The foresight report as an Excel workbook: sheets Summary, Late orders and False alarms, headers in the reader's
language (core.excel columns)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from gendan.core.excel import Column, workbook_bytes, write_sheet
from gendan.foresight.selectors import Report, comparison_rows

DATE = "yyyy-mm-dd"
PCT = "0.0"

SHEETS = {
    "summary": ("汇总", "Summary"),
    "late": ("延误订单", "Late orders"),
    "false_alarms": ("误报", "False alarms"),
}

SUMMARY_COLUMNS = [
    Column("label", "指标", "Figure", width=44),
    Column("value", "数值", "Value", width=14),
]

_ORDER_COLUMNS = [
    Column("order_number", "订单号", "Order number", width=18),
    Column("customer_code", "客户代码", "Customer code", width=12),
    Column("customer_name", "客户", "Customer", width=24),
    Column("committed_date", "承诺出厂日", "Committed ex-factory", width=14, number_format=DATE),
    Column("shipped_date", "实际出厂日", "Shipped", width=14, number_format=DATE),
    Column("first_flag_date", "首次预警日", "First flagged", width=14, number_format=DATE),
]
_DRIVER_COLUMNS = [
    Column("driver", "关键节点", "Driving milestone", width=10),
    Column("driver_name", "节点名称", "Milestone name", width=18),
]
LATE_COLUMNS = [*_ORDER_COLUMNS, Column("lead_days", "提前(工作日)", "Lead (working days)", width=12), *_DRIVER_COLUMNS]
FALSE_ALARM_COLUMNS = [
    *_ORDER_COLUMNS,
    Column("days_flagged", "预警天数(工作日)", "Days flagged (working days)", width=14),
    *_DRIVER_COLUMNS,
]


def _title(key: str, lang: str) -> str:
    zh, en = SHEETS[key]
    return zh if lang.startswith("zh") else en


def summary_rows(report: Report) -> list[dict[str, Any]]:
    """The Summary sheet: the period, the method, the population, then every figure of the comparison (percentages
    as percent numbers)."""
    rows: list[dict[str, Any]] = [
        {"label": _("From"), "value": report.start},
        {"label": _("To"), "value": report.end},
        {"label": _("Method"), "value": report.method_label},
        {"label": _("Orders in the period"), "value": report.orders},
        {"label": _("On-time orders"), "value": report.on_time_orders},
        {"label": _("Open orders"), "value": report.open_orders},
    ]
    for row in comparison_rows({report.method: report}):
        label = f"{row['label']} (%)" if row["kind"] == "pct" else row["label"]
        rows.append({"label": label, "value": row[report.method], "kind": row["kind"]})
    for bucket in report.buckets:
        label = _("Late orders first flagged, working days ahead: %(bucket)s") % {"bucket": bucket["label"]}
        rows.append({"label": label, "value": bucket["count"]})
    return rows


def report_xlsx(report: Report, *, lang: str) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = _title("summary", lang)
    rows = summary_rows(report)
    write_sheet(summary, SUMMARY_COLUMNS, rows, lang=lang)
    for number, row in enumerate(rows, start=2):
        cell = summary.cell(row=number, column=2)
        if row.get("kind") == "pct":
            cell.number_format = PCT
        elif hasattr(row["value"], "isoformat"):
            cell.number_format = DATE
    write_sheet(wb.create_sheet(_title("late", lang)), LATE_COLUMNS, report.rows, lang=lang)
    write_sheet(wb.create_sheet(_title("false_alarms", lang)), FALSE_ALARM_COLUMNS, report.false_alarm_rows, lang=lang)
    return workbook_bytes(wb)


def filename(report: Report) -> str:
    return f"foresight-{report.method}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
