"""The foresight page (`/foresight/?from=&to=&method=`, `&format=xlsx` for Excel), and the learned delay profile
sections foresight adds to the supplier and work-centre pages (registered in `ForesightConfig.ready()`). Thin:
parameters in, selectors out; the charts are drawn on the server (core.charts)."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from gendan.core.charts import bar_svg, pareto_svg
from gendan.core.excel import xlsx_response
from gendan.core.exceptions import ValidationError
from gendan.core.pages import perm_required, querystring_without
from gendan.followup.models import RiskFlag
from gendan.foresight import exports, selectors
from gendan.foresight.profiles import DelayProfile, delay_profile
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


# ---- learned delay profiles on the supplier and work-centre pages ------------------------------------------------

ON_TIME_COLOR = "#059669"
LATE_COLOR = "#dc2626"


def _count_text(kind: str, n: int) -> str:
    if kind == "supplier":
        return ngettext("%(n)s delivery", "%(n)s deliveries", n) % {"n": n}
    return ngettext("%(n)s production milestone", "%(n)s production milestones", n) % {"n": n}


def _bucket_label(days: int, *, first: bool, last: bool) -> str:
    if first:
        return f"≤{days}"
    if last:
        return f"≥{days}"
    return str(days)


def profile_sentences(profile: DelayProfile) -> list[str]:
    """The learned quantiles in words: the middle (p50), the late tail (p90), the early end (p10)."""
    supplier = profile.kind == "supplier"
    p10, p50, p90 = profile.p10, profile.p50, profile.p90
    words: list[str] = []
    if p50 > 0:
        template = (
            ngettext(
                "Half its deliveries arrive within %(n)s working day of the promised date.",
                "Half its deliveries arrive within %(n)s working days of the promised date.",
                p50,
            )
            if supplier
            else ngettext(
                "Half its production milestones are done within %(n)s working day of their planned date.",
                "Half its production milestones are done within %(n)s working days of their planned date.",
                p50,
            )
        )
        words.append(template % {"n": p50})
    elif p50 == 0:
        words.append(
            _("Half its deliveries arrive on or before the promised date.")
            if supplier
            else _("Half its production milestones are done on or before their planned date.")
        )
    else:
        template = (
            _("Half its deliveries arrive %(n)s or more working days before the promised date.")
            if supplier
            else _("Half its production milestones are done %(n)s or more working days before their planned date.")
        )
        words.append(template % {"n": -p50})
    if p90 > 0:
        template = (
            ngettext(
                "One in ten arrives more than %(n)s working day late.",
                "One in ten arrives more than %(n)s working days late.",
                p90,
            )
            if supplier
            else ngettext(
                "One in ten is done more than %(n)s working day late.",
                "One in ten is done more than %(n)s working days late.",
                p90,
            )
        )
        words.append(template % {"n": p90})
    else:
        words.append(
            _("Nine in ten arrive on or before the promised date.")
            if supplier
            else _("Nine in ten are done on or before their planned date.")
        )
    if p10 < 0:
        template = (
            _("One in ten arrives %(n)s or more working days early.")
            if supplier
            else _("One in ten is done %(n)s or more working days early.")
        )
        words.append(template % {"n": -p10})
    elif p10 == 0:
        words.append(
            _("Fewer than one in ten arrives early.") if supplier else _("Fewer than one in ten is done early.")
        )
    else:
        template = (
            _("Nine in ten arrive %(n)s or more working days late.")
            if supplier
            else _("Nine in ten are done %(n)s or more working days late.")
        )
        words.append(template % {"n": p10})
    return words


def _pct(share: Decimal | None) -> str:
    return value_text(None if share is None else share * 100, "pct")


def history_sentence(profile: DelayProfile) -> str:
    """How much of the learned figures is the source's own history and how much the company-wide one."""
    supplier = profile.kind == "supplier"
    values = {
        "own": _count_text(profile.kind, profile.sample_size),
        "total": _count_text(profile.kind, profile.pooled.sample_size),
        "own_pct": _pct(profile.weight),
        "pooled_pct": _pct(profile.pooled_weight),
    }
    if profile.sample_size:
        template = (
            _(
                "Learned from %(own)s of its own, which count for %(own_pct)s of the figures; the other "
                "%(pooled_pct)s comes from all suppliers (%(total)s)."
            )
            if supplier
            else _(
                "Learned from %(own)s of its own, which count for %(own_pct)s of the figures; the other "
                "%(pooled_pct)s comes from all work centres (%(total)s)."
            )
        )
    elif profile.pooled.sample_size:
        template = (
            _("No delivery of its own in the window: the figures are those of all suppliers (%(total)s).")
            if supplier
            else _(
                "No production milestone of its own in the window: the figures are those of all work centres "
                "(%(total)s)."
            )
        )
    else:
        template = (
            _("No delivery in the window yet: deliveries are taken as on time.")
            if supplier
            else _("No production milestone in the window yet: production is taken as on plan.")
        )
    return template % values


def delay_profile_svg(profile: DelayProfile, sentences: list[str]) -> SafeString:
    """The source's own observations by working days late (on-time and early bars apart from the late ones), with
    the learned p10, p50 and p90 marked."""
    buckets = profile.histogram
    labels = [_bucket_label(b.days, first=b.is_first, last=b.is_last) for b in buckets]
    index = {b.days: i for i, b in enumerate(buckets)}
    low, high = buckets[0].days, buckets[-1].days

    def at(days: int) -> int:
        return index[min(max(days, low), high)]

    supplier = profile.kind == "supplier"
    return bar_svg(
        labels,
        series=[
            (_("On time or early"), [0 if b.is_late else b.count for b in buckets]),
            (_("Late"), [b.count if b.is_late else 0 for b in buckets]),
        ],
        stacked=True,
        colors=[ON_TIME_COLOR, LATE_COLOR],
        keys=[b.days for b in buckets],
        markers=[(at(profile.p10), "P10"), (at(profile.p50), "P50"), (at(profile.p90), "P90")],
        x_title=_("Working days late (negative: early)"),
        y_title=_("Deliveries") if supplier else _("Production milestones"),
        testid="delay-profile-chart",
        aria_label=(
            _("Learned delay profile: %(count)s by working days late")
            % {"count": _count_text(profile.kind, profile.sample_size)}
        ),
        description=" ".join(sentences),
        empty_text=(
            _("No delivery of its own in the learning window.")
            if supplier
            else _("No production milestone of its own in the learning window.")
        ),
        value_format=lambda v: _count_text(profile.kind, int(v)),
        show_values=False,  # the counts are on the axis and in each bar's tooltip
        plot_height=180,
    )


def _profile_section(profile: DelayProfile) -> dict[str, Any]:
    sentences = profile_sentences(profile)
    return {
        "template": "foresight/partials/_delay_profile.html",
        "context": {
            "profile": profile,
            "sentences": sentences,
            "words": ("" if (get_language() or "").startswith("zh") else " ").join(sentences),
            "history_sentence": history_sentence(profile),
            "chart": delay_profile_svg(profile, sentences),
            "on_time_pct": _pct(profile.on_time_share),
            "weight_pct": _pct(profile.weight),
            "is_supplier": profile.kind == "supplier",
        },
        "order": 50,
    }


def supplier_delay_section(request: HttpRequest, supplier: Any) -> dict[str, Any] | None:
    """The supplier page's learned delay profile, for those who may see the supplier."""
    if not request.user.has_perm("partners.view_supplier"):
        return None
    return _profile_section(delay_profile("supplier", supplier.pk))


def work_centre_delay_section(request: HttpRequest, centre: Any) -> dict[str, Any] | None:
    """The work-centre page's learned delay profile, for those who may see the work centre."""
    if not request.user.has_perm("catalog.view_workcentre"):
        return None
    return _profile_section(delay_profile("work_centre", centre.pk))
