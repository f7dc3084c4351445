"""Purchasing reports: the supplier scorecards (供应商评分), one supplier's scorecard, and the delay causes
(交期延误原因). Pure reads of `reports`; each page is a bounded number of queries whatever the number of suppliers.

A period is `?date_from=&date_to=` (both included), by default the last 12 months up to today; a bad period (a date
that does not parse, a start after the end) is shown as an error on the form and the default period is used.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gendan.core import charts, clock
from gendan.core.excel import xlsx_download
from gendan.core.pages import perm_required, querystring_without
from gendan.core.templatetags.gendan_tags import qty
from gendan.partners.models import Supplier
from gendan.procurement import exports, reports
from gendan.procurement.choices import CAUSE_FAMILY, DelayCause, DelayFamily
from gendan.procurement.forms import PeriodForm

GOOD_SCORE = Decimal(85)  # a score at or above it is green
FAIR_SCORE = Decimal(70)  # at or above it amber, below it red
TREND_MONTHS = 12


def score_color(score: Decimal | None) -> str:
    """The badge colour of a score: green ≥ 85, amber ≥ 70, red below, grey without a score."""
    if score is None:
        return "grey"
    if score >= GOOD_SCORE:
        return "green"
    if score >= FAIR_SCORE:
        return "amber"
    return "red"


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 12 months up to today: from the day after the same date a year ago, to today."""
    today = today or clock.today()
    return _year_before(today) + dt.timedelta(days=1), today


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass
class Period:
    form: PeriodForm
    date_from: dt.date
    date_to: dt.date
    supplier: Supplier | None
    has_errors: bool  # what was asked is wrong: the default period is shown

    @property
    def errors(self) -> list[tuple[str, str]]:
        """(field label, message) of every error of the form, labels as the page shows them."""
        labels = {
            "date_from": pgettext("period", "From"),
            "date_to": pgettext("period", "To"),
            "supplier": _("Supplier"),
        }
        return [
            (labels.get(name, ""), str(message)) for name, messages in self.form.errors.items() for message in messages
        ]


def _period(request: HttpRequest) -> Period:
    """The period and supplier asked for, or the default period with the errors on the form."""
    today = clock.today()
    start, end = default_period(today)
    params = request.GET.copy()
    params.pop("format", None)
    if not any(params.get(name) for name in ("date_from", "date_to", "supplier")):
        form = PeriodForm(initial={"date_from": start, "date_to": end})
        return Period(form, start, end, None, has_errors=False)
    form = PeriodForm(params)
    if form.is_valid():
        data = form.cleaned_data
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or _year_before(date_to) + dt.timedelta(days=1)
        if date_from <= date_to:
            return Period(form, date_from, date_to, data.get("supplier"), has_errors=False)
        form.add_error("date_to", _("The end of the period must not be before its start."))
    return Period(form, start, end, form.cleaned_data.get("supplier"), has_errors=True)


def _context(request: HttpRequest, period: Period, tab: str) -> dict[str, Any]:
    return {
        "tab": tab,
        "filter_form": period.form,
        "period": period,
        "date_from": period.date_from,
        "date_to": period.date_to,
        "export_qs": querystring_without(request, "format", "page"),
    }


def _wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


# ---- supplier scorecards -------------------------------------------------------------------------------------


def _weights() -> list[dict[str, Any]]:
    """The weights of the score, in the order of the five measures, as {name, label, weight} (labels translated)."""
    labels = {
        "time": _("On time"),
        "quality": _("Quality"),
        "quantity": _("Quantity"),
        "price": _("Price"),
        "place": _("Place"),
    }
    weights = reports.scorecard_weights()
    return [{"name": name, "label": labels[name], "weight": weights[name]} for name in reports.MEASURES]


@perm_required("procurement.view_purchaseorder")
def scorecards(request: HttpRequest) -> HttpResponse:
    """Every supplier with deliveries in the period, ranked by its weighted score (五适: time, quality, quantity,
    price, place)."""
    period = _period(request)
    supplier_ids = [period.supplier.pk] if period.supplier else None
    cards = reports.scorecards(period.date_from, period.date_to, supplier_ids=supplier_ids)
    if _wants_xlsx(request):
        return xlsx_download(
            exports.SCORECARD_COLUMNS,
            cards,
            title=_("Supplier scorecards"),
            stem=f"supplier-scorecards-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}",
        )
    rows = [
        {"card": card, "color": score_color(card.score), "variance": _signed(card.price_variance_pct)} for card in cards
    ]
    context = _context(request, period, "scorecards") | {"rows": rows, "weights": _weights()}
    return render(request, "procurement/scorecards.html", context)


@perm_required("procurement.view_purchaseorder")
def scorecard(request: HttpRequest, supplier_id: int) -> HttpResponse:
    """One supplier's five measures over the period with their counts, its score month by month, its late lines by
    delay cause, and links to its purchase orders."""
    supplier = get_object_or_404(Supplier, pk=supplier_id)
    period = _period(request)
    card = reports.scorecard(supplier.pk, period.date_from, period.date_to)
    trend = reports.scorecard_trend(supplier.pk, TREND_MONTHS, until=period.date_to)
    points = [(month, month_card.score if month_card else None) for month, month_card in trend]
    delays = reports.delay_pareto(period.date_from, period.date_to, supplier_id=supplier.pk)
    weights = {w["name"]: w["weight"] for w in _weights()}
    measures = []
    if card is not None:
        measures = [
            {
                "name": "time",
                "label": _("On time"),
                "value": card.on_time_pct,
                "detail": _("%(on_time)s of %(lines)s receipt lines on or before the first promised date")
                % {"on_time": card.on_time_lines, "lines": card.lines_due},
            },
            {
                "name": "quality",
                "label": _("Quality"),
                "value": card.quality_pct,
                "detail": _("accepted (concessions not counted) of %(qty)s inspected")
                % {"qty": qty(card.inspected_qty)}
                if card.quality_pct is not None
                else _("no inspection done yet"),
            },
            {
                "name": "quantity",
                "label": _("Quantity"),
                "value": card.quantity_pct,
                "detail": _("average accuracy of %(lines)s PO lines fully received or closed")
                % {"lines": card.quantity_lines}
                if card.quantity_pct is not None
                else _("no PO line fully received yet"),
            },
            {
                "name": "price",
                "label": _("Price"),
                "value": card.price_score,
                "detail": _("invoiced %(variance)s%% against the agreed prices")
                % {"variance": _signed(card.price_variance_pct)}
                if card.price_variance_pct is not None
                else _("no price to compare"),
            },
            {
                "name": "place",
                "label": _("Place"),
                "value": card.place_pct,
                "detail": _("%(errors)s of %(receipts)s receipts at the wrong warehouse")
                % {"errors": card.place_errors, "receipts": card.receipts},
            },
        ]
        for m in measures:
            m["weight"] = weights[m["name"]]
            m["color"] = score_color(m["value"])
    context = _context(request, period, "scorecards") | {
        "supplier": supplier,
        "card": card,
        "score_color": score_color(card.score if card else None),
        "measures": measures,
        "trend_svg": charts.trend_svg(points),
        "trend_scored": sum(1 for _m, score in points if score is not None),
        "delays": delays,
        "pareto_svg": charts.pareto_svg(delays["rows"]),
    }
    return render(request, "procurement/scorecard.html", context)


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else str(value)


# ---- delay causes --------------------------------------------------------------------------------------------


@perm_required("procurement.view_purchaseorder")
def delays(request: HttpRequest) -> HttpResponse:
    """The Pareto of the delay causes of the PO lines due in the period: per cause, per family, per supplier, and
    the late lines that have no cause yet."""
    period = _period(request)
    supplier_id = period.supplier.pk if period.supplier else None
    report = reports.delay_pareto(period.date_from, period.date_to, supplier_id=supplier_id)
    if _wants_xlsx(request):
        return xlsx_download(
            exports.DELAY_CAUSE_COLUMNS,
            report["rows"],
            title=_("Delay causes"),
            stem=f"delay-causes-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}",
        )
    families = [
        {
            "value": value,
            "label": label,
            "causes": [cause.label for cause in DelayCause if CAUSE_FAMILY.get(cause) == value],
        }
        for value, label in DelayFamily.choices
    ]
    suppliers = [
        entry | {"families": [entry["by_family"].get(f["value"], 0) for f in families]}
        for entry in report["by_supplier"]
    ]
    late_qs = "late=on" + (f"&supplier={supplier_id}" if supplier_id else "")
    context = _context(request, period, "delays") | {
        "report": report,
        "pareto_svg": charts.pareto_svg(report["rows"]),
        "families": families,
        "suppliers": suppliers,
        "late_qs": late_qs,
    }
    return render(request, "procurement/delays.html", context)
