"""The reports' charts: which server-side SVG (core.charts) shows each report, by what it is grouped by."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from gendan.core import charts
from gendan.core.templatetags.gendan_tags import money, qty
from gendan.reports.fx import month_of
from gendan.reports.selectors import AGE_BUCKETS, Report

TOP = 12  # bars of a ranking
SERIES = 6  # lines of a trend (the rest as "others")

Chart = dict[str, Any]  # {"title", "svg"}


def money_format(currency: str) -> Callable[[Any], str]:
    return lambda value: money(value, currency)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{Decimal(str(value)):.1f}%"


def _ranking(report: Report, measure: str, *, n: int = TOP) -> list[dict[str, Any]]:
    return sorted(report.rows, key=lambda r: -(r.get(measure) or 0))[:n]


def _by_month_and(
    report: Report, measure: str, fmt: Callable[[Any], str], testid: str, title: str, *, zero: bool = True
) -> Chart:
    """Month × another dimension: a line per leading member of the other dimension (the rest as others); a month
    without a row is 0 for amounts (`zero`), a gap otherwise."""
    other = next(d for d in report.group_by if d != "month")
    months = sorted({r["keys"]["month"] for r in report.rows})
    totals: dict[Any, Decimal] = {}
    labels: dict[Any, str] = {}
    for r in report.rows:
        key = r["keys"][other]
        totals[key] = totals.get(key, Decimal(0)) + (r.get(measure) or 0)
        labels[key] = r["labels"][other]
    leaders = [k for k, _v in sorted(totals.items(), key=lambda kv: -kv[1])[:SERIES]]
    values: dict[Any, dict[str, Decimal]] = {k: {} for k in [*leaders, "__others"]}
    for r in report.rows:
        key = r["keys"][other] if r["keys"][other] in leaders else "__others"
        values[key][r["keys"]["month"]] = values[key].get(r["keys"]["month"], Decimal(0)) + (r.get(measure) or 0)
    empty = Decimal(0) if zero else None
    series = [(labels[k], [values[k].get(m, empty) for m in months]) for k in leaders]
    if values["__others"]:
        series.append((_("Others"), [values["__others"].get(m, empty) for m in months]))
    svg = charts.line_svg(
        [month_of(m) for m in months], series, testid=testid, value_format=fmt, aria_label=title, plot_height=200
    )
    return {"title": title, "svg": svg}


def _bars(report: Report, measure: str, fmt: Callable[[Any], str], testid: str, title: str) -> Chart:
    """One dimension: months as columns, anything else as a ranking of bars."""
    dim = report.group_by[0]
    if dim == "month":
        rows = sorted(report.rows, key=lambda r: r["keys"]["month"])
        items = [(r["labels"]["month"], r.get(measure)) for r in rows]
        svg = charts.bar_svg(items, value_format=fmt, testid=testid, aria_label=title, show_values=len(items) <= 6)
    else:
        rows = _ranking(report, measure)
        svg = charts.bar_svg(
            [(r["labels"][dim], r.get(measure)) for r in rows],
            value_format=fmt,
            testid=testid,
            aria_label=title,
            horizontal=True,
            keys=[r["keys"][dim] for r in rows],
        )
    return {"title": title, "svg": svg}


def _stacked(report: Report, measure: str, fmt: Callable[[Any], str], testid: str, title: str) -> Chart:
    """Two dimensions without months: bars of the first, stacked by the leading members of the second."""
    first, second = report.group_by
    firsts: dict[Any, Decimal] = {}
    seconds: dict[Any, Decimal] = {}
    labels: dict[tuple[str, Any], str] = {}
    for r in report.rows:
        firsts[r["keys"][first]] = firsts.get(r["keys"][first], Decimal(0)) + (r.get(measure) or 0)
        seconds[r["keys"][second]] = seconds.get(r["keys"][second], Decimal(0)) + (r.get(measure) or 0)
        labels[(first, r["keys"][first])] = r["labels"][first]
        labels[(second, r["keys"][second])] = r["labels"][second]
    bars = [k for k, _v in sorted(firsts.items(), key=lambda kv: -kv[1])[:TOP]]
    parts = [k for k, _v in sorted(seconds.items(), key=lambda kv: -kv[1])[: SERIES - 1]]
    cells: dict[tuple[Any, Any], Decimal] = {}
    for r in report.rows:
        part = r["keys"][second] if r["keys"][second] in parts else "__others"
        cell = (r["keys"][first], part)
        cells[cell] = cells.get(cell, Decimal(0)) + (r.get(measure) or 0)
    series = [(labels[(second, p)], [cells.get((b, p)) for b in bars]) for p in parts]
    if any(cells.get((b, "__others")) for b in bars):
        series.append((_("Others"), [cells.get((b, "__others")) for b in bars]))
    svg = charts.bar_svg(
        [labels[(first, b)] for b in bars],
        series=series,
        stacked=True,
        horizontal=True,
        value_format=fmt,
        testid=testid,
        aria_label=title,
    )
    return {"title": title, "svg": svg}


def _main(
    report: Report, measure: str, fmt: Callable[[Any], str], testid: str, title: str, *, zero: bool = True
) -> Chart:
    if len(report.group_by) == 1:
        return _bars(report, measure, fmt, testid, title)
    if "month" in report.group_by:
        return _by_month_and(report, measure, fmt, testid, title, zero=zero)
    return _stacked(report, measure, fmt, testid, title)


def sales_charts(report: Report) -> list[Chart]:
    fmt = money_format(report.currency)
    result = [_main(report, "amount", fmt, "chart-sales", _("Amount (%(currency)s)") % {"currency": report.currency})]
    trend = report.extra.get("trend") or []
    if trend:
        title = _("Amount by month against a year earlier")
        result.append(
            {
                "title": title,
                "svg": charts.line_svg(
                    [month_of(t["month"]) for t in trend],
                    [
                        (_("This period"), [t["amount"] for t in trend]),
                        (_("A year earlier"), [t["previous_amount"] for t in trend]),
                    ],
                    testid="chart-sales-trend",
                    value_format=fmt,
                    aria_label=title,
                    plot_height=200,
                ),
            }
        )
    return result


def collection_charts(report: Report) -> list[Chart]:
    fmt = money_format(report.currency)
    dims = report.group_by
    if dims == ["month"]:
        rows = sorted(report.rows, key=lambda r: r["keys"]["month"])
        title = _("Invoiced and collected")
        flows = charts.bar_svg(
            [r["labels"]["month"] for r in rows],
            series=[
                (_("Invoiced"), [r["invoiced"] for r in rows]),
                (_("Collected"), [r["collected"] + r["credited"] for r in rows]),
            ],
            value_format=fmt,
            testid="chart-collection",
            aria_label=title,
        )
        title2 = _("Receivable and overdue at each month's end")
        balances = charts.line_svg(
            [month_of(r["keys"]["month"]) for r in rows],
            [(_("Receivable"), [r["open"] for r in rows]), (_("Overdue"), [r["overdue"] for r in rows])],
            testid="chart-receivable",
            value_format=fmt,
            aria_label=title2,
            plot_height=200,
            colors=["#2563eb", "#dc2626"],
        )
        return [{"title": title, "svg": flows}, {"title": title2, "svg": balances}]
    if len(dims) == 1:
        rows = _ranking(report, "invoiced")
        title = _("Invoiced and collected")
        flows = charts.bar_svg(
            [r["labels"][dims[0]] for r in rows],
            series=[
                (_("Invoiced"), [r["invoiced"] for r in rows]),
                (_("Collected"), [r["collected"] + r["credited"] for r in rows]),
            ],
            horizontal=True,
            value_format=fmt,
            testid="chart-collection",
            aria_label=title,
        )
        overdue = _ranking(report, "overdue")
        title2 = _("Overdue at the end")
        over = charts.bar_svg(
            [(r["labels"][dims[0]], r["overdue"]) for r in overdue if r["overdue"]],
            horizontal=True,
            value_format=fmt,
            testid="chart-overdue",
            aria_label=title2,
            colors=["#dc2626"],
            empty_text=_("Nothing overdue."),
        )
        return [{"title": title, "svg": flows}, {"title": title2, "svg": over}]
    return [_main(report, "invoiced", fmt, "chart-collection", _("Invoiced"))]


def delivery_charts(report: Report) -> list[Chart]:
    result: list[Chart] = []
    dims = report.group_by
    if dims == ["month"]:
        rows = sorted(report.rows, key=lambda r: r["keys"]["month"])
        title = _("On time and on time in full, by month")
        result.append(
            {
                "title": title,
                "svg": charts.line_svg(
                    [month_of(r["keys"]["month"]) for r in rows],
                    [
                        (_("On time %"), [r["on_time_pct"] for r in rows]),
                        (_("On time in full %"), [r["otif_pct"] for r in rows]),
                    ],
                    testid="chart-delivery",
                    value_format=_pct,
                    tick_format=lambda v: f"{v:g}%",
                    y_max=100,
                    aria_label=title,
                    plot_height=200,
                ),
            }
        )
    elif len(dims) == 1:
        rows = sorted((r for r in report.rows if r["due"]), key=lambda r: -r["due"])[:TOP]
        title = _("On time % (the most orders due first)")
        result.append(
            {
                "title": title,
                "svg": charts.bar_svg(
                    [(r["labels"][dims[0]], r["on_time_pct"]) for r in rows],
                    horizontal=True,
                    value_format=_pct,
                    tick_format=lambda v: f"{v:g}%",
                    value_max=100,
                    testid="chart-delivery",
                    aria_label=title,
                ),
            }
        )
    else:
        result.append(_main(report, "late", lambda v: str(v), "chart-delivery", _("Late orders")))
    causes = report.extra.get("causes") or []
    if causes:
        title = _("Top causes of the late orders")
        result.append(
            {
                "title": title,
                "svg": charts.pareto_svg(
                    [{"cause": c["cause"], "cause_label": c["cause_label"], "lines": c["orders"]} for c in causes[:10]],
                    count_label=_("Late orders"),
                    empty_text=_("No late order."),
                    tip=lambda label, n, pct, cumulative: (
                        _("%(cause)s: %(n)s late orders (%(pct)s), cumulative %(cumulative)s")
                        % {"cause": label, "n": n, "pct": pct, "cumulative": cumulative}
                    ),
                ),
            }
        )
    return result


def inventory_charts(report: Report) -> list[Chart]:
    fmt = money_format(report.currency)
    dim = report.group_by[0]
    rows = _ranking(report, "value")
    title = _("Stock value (%(currency)s)") % {"currency": report.currency}
    value = charts.bar_svg(
        [(r["labels"][dim], r["value"]) for r in rows],
        horizontal=True,
        value_format=fmt,
        testid="chart-stock-value",
        aria_label=title,
    )
    age_rows = sorted(report.rows, key=lambda r: -(r.get("on_hand") or 0))[:TOP]
    title2 = _("Age of the stock on hand")
    buckets = [(key, str(label)) for key, label, _lo, _hi in AGE_BUCKETS] + [("age_unknown", _("Age unknown"))]
    ages = charts.bar_svg(
        [r["labels"][dim] for r in age_rows],
        series=[(label, [r[key] for r in age_rows]) for key, label in buckets],
        stacked=True,
        horizontal=True,
        value_format=qty,
        testid="chart-ageing",
        aria_label=title2,
        colors=["#059669", "#65a30d", "#f59e0b", "#ea580c", "#dc2626", "#9ca3af"],
    )
    return [{"title": title, "svg": value}, {"title": title2, "svg": ages}]


def dashboard_charts(figures: dict[str, Any]) -> dict[str, SafeString]:
    fmt = money_format(figures["currency"])
    sales = figures["sales_trend"]
    on_time = figures["on_time_trend"]
    flows = figures["collection_trend"]
    return {
        "sales": charts.line_svg(
            [t["month"] for t in sales],
            [
                (_("Sales"), [t["amount"] for t in sales]),
                (_("A year earlier"), [t["previous_amount"] for t in sales]),
            ],
            testid="chart-dashboard-sales",
            value_format=fmt,
            plot_height=160,
        ),
        "on_time": charts.line_svg(
            [t["month"] for t in on_time],
            [(_("On time %"), [t["on_time_pct"] for t in on_time]), (_("OTIF %"), [t["otif_pct"] for t in on_time])],
            testid="chart-dashboard-on-time",
            value_format=_pct,
            tick_format=lambda v: f"{v:g}%",
            y_max=100,
            plot_height=160,
        ),
        "collection": charts.bar_svg(
            [f"{t['month']:%Y-%m}" for t in flows],
            series=[
                (_("Invoiced"), [t["invoiced"] for t in flows]),
                (_("Collected"), [t["collected"] for t in flows]),
            ],
            value_format=fmt,
            testid="chart-dashboard-collection",
            plot_height=160,
        ),
    }
