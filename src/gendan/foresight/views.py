"""The foresight page (`/foresight/?from=&to=&method=`, `&format=xlsx` for Excel). Thin: parameters in, selectors out;
the charts are drawn on the server (core.charts)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gendan.core.charts import bar_svg, pareto_svg
from gendan.core.excel import xlsx_response
from gendan.core.exceptions import ValidationError
from gendan.core.pages import perm_required, querystring_without
from gendan.followup.models import RiskFlag
from gendan.foresight import exports, selectors
from gendan.foresight.selectors import AHEAD, Report
from gendan.foresight.text import value_text

FIELD_LABELS = {"from": gettext_lazy("From"), "to": gettext_lazy("To"), "method": gettext_lazy("Method")}


def distribution_svg(report: Report) -> SafeString:
    """The late orders by how many working days ahead they were first flagged."""
    buckets = report.buckets
    return bar_svg(
        [(b["label"], b["count"]) for b in buckets],
        keys=[b["key"] for b in buckets],
        testid="lead-distribution",
        aria_label=_("Late orders by working days of warning"),
        empty_text=_("No late order in this period."),
        value_format=lambda v: ngettext("%(n)s order", "%(n)s orders", int(v)) % {"n": int(v)},
    )


def drivers_svg(report: Report) -> SafeString:
    """The driving milestones of the late orders' first flags, most first, with the cumulative share."""

    def tip(label: str, count: int, pct: str, cumulative: str) -> str:
        return ngettext(
            "%(driver)s: %(n)d late order (%(pct)s), cumulative %(cumulative)s",
            "%(driver)s: %(n)d late orders (%(pct)s), cumulative %(cumulative)s",
            count,
        ) % {"driver": label, "n": count, "pct": pct, "cumulative": cumulative}

    rows = [
        {"cause": d["code"], "cause_label": f"{d['code'] or '—'} {d['name']}".strip(), "lines": d["count"]}
        for d in report.drivers
    ]
    return pareto_svg(
        rows,
        count_label=_("Late orders"),
        empty_text=_("No late order was flagged in this period."),
        tip=tip,
    )


def _headline(report: Report) -> dict[str, Any]:
    return {
        "recall": [
            {"n": n, "count": report.flagged_ahead[n], "pct": value_text(report.recall[n], "pct")} for n in AHEAD
        ],
        "false_alarm_rate": value_text(report.false_alarm_rate, "pct"),
        "false_alarms_per_on_time": value_text(report.false_alarms_per_on_time, "pct"),
        "median_lead_days": value_text(report.median_lead_days, "days"),
    }


@perm_required("foresight.view_report")
def report_page(request: HttpRequest) -> HttpResponse:
    """The headline figures, the two methods side by side (once the learned method has flagged anything), the
    lead-time distribution, the drivers, the late orders and the false alarms."""
    errors: list[str] = []
    try:
        start, end, method = selectors.parse_params(
            start=request.GET.get("from"), end=request.GET.get("to"), method=request.GET.get("method")
        )
    except ValidationError as exc:
        errors = [f"{FIELD_LABELS.get(name, name)}: {m}" for name, messages in exc.errors.items() for m in messages]
        start, end = selectors.default_period()
        method = RiskFlag.Method.PLAN.value
    compared = selectors.learned_has_flags()
    if compared:
        reports = selectors.compare(start, end)
        report = reports[method]
    else:
        report = selectors.foresight_report(start=start, end=end, method=method)
        reports = {method: report}
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            exports.report_xlsx(report, lang=translation.get_language() or "en"), exports.filename(report)
        )
    comparison = []
    if compared:
        comparison = [
            {**row, "values": [value_text(row[m], row["kind"]) for m in selectors.METHODS]}
            for row in selectors.comparison_rows(reports)
        ]
    return render(
        request,
        "foresight/report.html",
        {
            "report": report,
            "headline": _headline(report),
            "methods": RiskFlag.Method.choices,
            "method_labels": [str(RiskFlag.Method(m).label) for m in selectors.METHODS],
            "comparison": comparison,
            "errors": errors,
            "values": {
                "from": request.GET.get("from") if errors else f"{start:%Y-%m-%d}",
                "to": request.GET.get("to") if errors else f"{end:%Y-%m-%d}",
            },
            "charts": {"distribution": distribution_svg(report), "drivers": drivers_svg(report)},
            "export_qs": querystring_without(request, "format"),
        },
    )
