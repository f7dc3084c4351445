"""The reports as Excel workbooks (core.excel): one sheet per report, a column per dimension and figure (headers
in the reader's language), a row per group and the totals last."""

from typing import Any

from django.utils.translation import gettext as _

from gendan.core.excel import Column, export_xlsx
from gendan.reports.selectors import Report

FORMATS = {"money": "#,##0.00", "qty": "#,##0.###", "count": "#,##0", "pct": "0.0", "days": "0.0", "date": "yyyy-mm-dd"}
TITLES = {
    "sales": ("销量统计", "Sales"),
    "inventory": ("库存统计", "Inventory"),
    "collection": ("回款统计", "Collection"),
    "delivery": ("交货准时率", "Delivery performance"),
}


def report_columns(report: Report) -> list[Column]:
    columns = [
        Column(f"labels.{d.key}", d.zh, d.en, width=28 if d.key in ("customer", "product", "item") else 14)
        for d in report.dimensions
    ]
    for m in report.measures:
        zh, en = m.zh, m.en
        if m.kind == "money" and report.currency:
            zh, en = f"{zh} ({report.currency})", f"{en} ({report.currency})"
        getter = None
        if m.kind == "text":
            key = m.key
            getter = (lambda k: lambda row: (_("Yes") if row.get(k) else "") if row.get(k) is not None else "")(key)
        columns.append(Column(m.key, zh, en, getter=getter, width=14, number_format=FORMATS.get(m.kind)))
    return columns


def report_xlsx(report: Report, *, lang: str | None = None) -> bytes:
    """The report as an .xlsx: its rows, then a totals row."""
    rows: list[dict[str, Any]] = list(report.rows)
    labels = {d.key: "" for d in report.dimensions}
    if report.dimensions:
        labels[report.dimensions[0].key] = _("Total")
    rows.append({"keys": {}, "labels": labels, **report.totals})
    zh, en = TITLES[report.kind]
    title = zh if (lang or "").startswith("zh") else en
    return export_xlsx(report_columns(report), rows, title=title, lang=lang)


def filename(report: Report) -> str:
    return f"{report.kind}-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.xlsx"
