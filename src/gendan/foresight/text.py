"""The foresight report as plain text (the `gendan foresight` command, the day-by-day replay): the figures of one
method and the two methods side by side, in the active language."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from gendan.foresight.selectors import AHEAD, Report, comparison_rows

DASH = "—"


def value_text(value: Any, kind: str = "count") -> str:
    """A figure as text: percentages with a % sign, none as a dash."""
    if value is None:
        return DASH
    if kind == "pct":
        return f"{Decimal(value):.1f}%"
    return str(value)


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Lines of an aligned table: the first column padded on the right, the others right-aligned."""
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0] + " " * (widths[0] - _width(cells[0]))
        rest = [" " * (w - _width(c)) + c for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def report_lines(report: Report) -> list[str]:
    """The figures of one method: the population, late orders, recall at 5/10/20, false alarms, median lead, the
    lead-time distribution and the drivers."""
    lines = [
        _("Foresight %(start)s – %(end)s · %(method)s")
        % {"start": report.start.isoformat(), "end": report.end.isoformat(), "method": report.method_label},
        _("Orders in the period: %(orders)s (late %(late)s, on time %(on_time)s, open %(open)s)")
        % {
            "orders": report.orders,
            "late": report.late_orders,
            "on_time": report.on_time_orders,
            "open": report.open_orders,
        },
    ]
    rows = [[_("Late orders"), str(report.late_orders), ""]]
    for n in AHEAD:
        rows.append(
            [
                _("Flagged ahead ≥ %(n)s working days") % {"n": n},
                str(report.flagged_ahead[n]),
                value_text(report.recall[n], "pct"),
            ]
        )
    rows += [
        [_("False alarms"), str(report.false_alarms), ""],
        [_("False-alarm rate"), "", value_text(report.false_alarm_rate, "pct")],
        [_("False alarms ÷ on-time orders"), "", value_text(report.false_alarms_per_on_time, "pct")],
        [_("Median lead (working days)"), value_text(report.median_lead_days, "days"), ""],
    ]
    lines += table([_("Figure"), _("Orders"), "%"], rows)
    lines.append("")
    lines += table(
        [_("Late orders first flagged, working days ahead"), _("Orders")],
        [[b["label"], str(b["count"])] for b in report.buckets],
    )
    if report.drivers:
        lines.append("")
        lines += table(
            [_("Driving milestone at the first flag"), _("Late orders")],
            [[f"{d['code'] or DASH} {d['name']}".rstrip(), str(d["count"])] for d in report.drivers],
        )
    return lines


def compare_lines(reports: dict[str, Report]) -> list[str]:
    """The methods side by side (recall at 5/10/20, false alarms, false-alarm rate, median lead)."""
    methods = list(reports)
    header = [_("Figure"), *(reports[m].method_label for m in methods)]
    rows = [[row["label"], *(value_text(row[m], row["kind"]) for m in methods)] for row in comparison_rows(reports)]
    return table(header, rows)
