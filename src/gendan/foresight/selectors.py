"""The foresight report (预见性报告): did the risk flags warn of the orders that shipped late, how far ahead, and how
often did they warn of orders that shipped on time?

The product promise is that no order ships late by surprise. Every night the follow-up engine forecasts each order's
ex-factory date and flags the orders whose forecast passes their committed ex-factory date; each stretch of days an
order was flagged is kept as a `followup.RiskFlag`, per forecasting method. This report measures those flags against
what happened.

Definitions. For a period [from, to] and a method (plan | learned; default plan), the population is the orders whose
committed ex-factory date falls in [from, to], that have a T&A plan, and that are not cancelled:

- **shipped date** = the ex-factory milestone's actual date (none yet → unshipped).
- **late order**: shipped after its committed date, or unshipped and its committed date before today (core clock:
  `gendan.core.clock.today()`).
- **on-time order**: shipped on or before its committed date. (Unshipped orders whose date has not come are "open"
  and neither late nor on time; they are excluded from both.)
- **first flag date** = the earliest `flagged_on` of the order's RiskFlags of that method; **lead days** = working
  days from the first flag date to the committed date (`calendar.between(first_flag, committed)`; negative when
  first flagged after it; null when never flagged). **driver** = that first flag's driver milestone code (+ its
  name from the order's milestone, bilingual like the rest of followup).
- **flagged ahead ≥ N** (N = 5, 10, 20): late orders with lead days ≥ N; **recall at N** = that ÷ late orders.
- **false alarm**: an on-time order that was flagged (any flag of the method with flagged_on ≤ its shipped date);
  its **days flagged** = working days the flags were open (from flagged_on to cleared_on or the shipped date).
  **false-alarm rate** = false alarms ÷ (false alarms + late orders flagged before their committed date), i.e. the
  share of "this order will be late" warnings given ahead that were wrong. Print also false alarms ÷ on-time orders.
- **median lead days**: median of lead days over the late orders that were flagged (null when none).
- **lead-time distribution** buckets: never flagged, flagged after the committed date (<0 … 0), 1–4, 5–9, 10–19,
  ≥ 20 working days.
- **drivers**: the count of first flags per driver milestone code among late orders.

At the edges: "flagged before the committed date" means lead days ≥ 1 (at least one working day of warning), the
same line the distribution draws between "after" (≤ 0) and 1–4. A flag still open on the shipped date, or cleared
after it, counts its days up to the shipped date; a flag opened and cleared on the same day counts 0 days.
Percentages are percent numbers with one decimal (50.0 means half), null when there is nothing to divide by.

Cost: two queries (the orders with their ex-factory milestone; the flags with their driver's names) and the working
calendar's two, whatever the number of orders.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gendan.core import clock
from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.core.cleaning import clean_date
from gendan.core.exceptions import ValidationError
from gendan.followup.models import Milestone, RiskFlag, bilingual
from gendan.sales.choices import OrderStatus

__all__ = [
    "AHEAD",
    "BUCKETS",
    "METHODS",
    "FalseAlarmRow",
    "LateRow",
    "Report",
    "compare",
    "comparison_rows",
    "default_period",
    "foresight_report",
    "learned_has_flags",
    "parse_params",
]

METHODS = (RiskFlag.Method.PLAN.value, RiskFlag.Method.LEARNED.value)
AHEAD = (5, 10, 20)  # the "flagged ahead ≥ N working days" thresholds
DEFAULT_MONTHS = 6

# the lead-time distribution in working days: (key, label, lowest lead days, highest lead days); "never" has none
BUCKETS: tuple[tuple[str, Any, int | None, int | None], ...] = (
    ("never", gettext_lazy("Never flagged"), None, None),
    ("after", gettext_lazy("After the date (≤ 0)"), None, 0),
    ("1-4", "1–4", 1, 4),
    ("5-9", "5–9", 5, 9),
    ("10-19", "10–19", 10, 19),
    ("20+", "≥ 20", 20, None),
)


@dataclass(frozen=True)
class LateRow:
    """A late order: when it was first flagged, how many working days ahead of its committed date, by what."""

    order_id: int
    order_number: str
    customer_code: str
    customer_name: str
    committed_date: dt.date
    shipped_date: dt.date | None
    first_flag_date: dt.date | None
    lead_days: int | None
    driver: str | None
    driver_name: str

    @property
    def bucket(self) -> str:
        return bucket_of(self.lead_days)


@dataclass(frozen=True)
class FalseAlarmRow:
    """An order that shipped on time although it was flagged: when first, and for how many working days."""

    order_id: int
    order_number: str
    customer_code: str
    customer_name: str
    committed_date: dt.date
    shipped_date: dt.date
    first_flag_date: dt.date
    days_flagged: int
    driver: str | None
    driver_name: str


@dataclass
class Report:
    """The foresight of one method over one period (see the module's definitions)."""

    start: dt.date
    end: dt.date
    method: str
    today: dt.date
    orders: int = 0  # the population
    late_orders: int = 0
    on_time_orders: int = 0
    open_orders: int = 0
    flagged_ahead: dict[int, int] = field(default_factory=dict)  # {5: n, 10: n, 20: n}
    late_flagged: int = 0  # late orders flagged at all (any lead days)
    late_flagged_before: int = 0  # late orders flagged before their committed date (lead days ≥ 1)
    false_alarms: int = 0
    median_lead_days: Decimal | None = None
    distribution: dict[str, int] = field(default_factory=dict)  # bucket key → late orders
    drivers: list[dict[str, Any]] = field(default_factory=list)  # [{code, name, count}], most first
    rows: list[LateRow] = field(default_factory=list)
    false_alarm_rows: list[FalseAlarmRow] = field(default_factory=list)

    @property
    def method_label(self) -> str:
        return str(RiskFlag.Method(self.method).label)

    @property
    def recall(self) -> dict[int, Decimal | None]:
        """Recall at N, in percent: flagged ahead ≥ N ÷ late orders."""
        return {n: percent(count, self.late_orders) for n, count in self.flagged_ahead.items()}

    @property
    def false_alarm_rate(self) -> Decimal | None:
        """False alarms ÷ (false alarms + late orders flagged before their committed date), in percent."""
        return percent(self.false_alarms, self.false_alarms + self.late_flagged_before)

    @property
    def false_alarms_per_on_time(self) -> Decimal | None:
        """False alarms ÷ on-time orders, in percent."""
        return percent(self.false_alarms, self.on_time_orders)

    @property
    def buckets(self) -> list[dict[str, Any]]:
        """The lead-time distribution in bucket order: [{key, label, count}]."""
        return [
            {"key": key, "label": str(label), "count": self.distribution.get(key, 0)} for key, label, *_r in BUCKETS
        ]

    def as_dict(self) -> dict[str, Any]:
        """The API's shape (`GET /api/v1/foresight`)."""
        return {
            "late_orders": self.late_orders,
            "flagged_ahead": {str(n): count for n, count in self.flagged_ahead.items()},
            "false_alarms": self.false_alarms,
            "false_alarm_rate": self.false_alarm_rate,
            "median_lead_days": self.median_lead_days,
            "rows": [
                {
                    "order_id": r.order_id,
                    "order_number": r.order_number,
                    "committed_date": r.committed_date,
                    "shipped_date": r.shipped_date,
                    "first_flag_date": r.first_flag_date,
                    "lead_days": r.lead_days,
                    "driver": r.driver,
                }
                for r in self.rows
            ],
            "false_alarm_rows": [
                {
                    "order_id": r.order_id,
                    "order_number": r.order_number,
                    "committed_date": r.committed_date,
                    "shipped_date": r.shipped_date,
                    "first_flag_date": r.first_flag_date,
                    "days_flagged": r.days_flagged,
                    "driver": r.driver,
                }
                for r in self.false_alarm_rows
            ],
        }


# ---- parameters ---------------------------------------------------------------------------------------------------


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last six months to today: (the same day six months back, today); the 31st of a short month is its last."""
    end = today or clock.today()
    month = end.month - DEFAULT_MONTHS
    year = end.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in (end.day, 30, 29, 28):
        try:
            return dt.date(year, month, day), end
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def parse_params(*, start: Any = None, end: Any = None, method: Any = None) -> tuple[dt.date, dt.date, str]:
    """The period and method of a request (texts or dates; empty means the default: the last six months to today,
    the plan). Raises ValidationError naming `from`, `to` or `method`; nothing is half-read."""
    errors: dict[str, str] = {}
    dates = {name: clean_date(value, name, errors) for name, value in (("from", start), ("to", end))}
    chosen = str(method or RiskFlag.Method.PLAN).strip()
    if chosen not in METHODS:
        errors["method"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(METHODS)}
    if errors:
        raise ValidationError(errors)
    to = dates["to"] or clock.today()
    since = dates["from"] or default_period(to)[0]
    if since > to:
        raise ValidationError({"to": _("The end of the period must not be before its start.")})
    return since, to, chosen


# ---- the computation ----------------------------------------------------------------------------------------------


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole in percent with one decimal (half up); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def median(values: Sequence[int]) -> Decimal | None:
    """The median of whole numbers as a Decimal (a half when the count is even); None of nothing."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[mid])
    total = Decimal(ordered[mid - 1] + ordered[mid]) / 2
    return total.quantize(Decimal("1")) if total == total.to_integral_value() else total


def bucket_of(lead_days: int | None) -> str:
    """The lead-time bucket of a late order's lead days (None: never flagged)."""
    if lead_days is None:
        return "never"
    for key, _label, low, high in BUCKETS[1:]:
        if (low is None or lead_days >= low) and (high is None or lead_days <= high):
            return key
    raise AssertionError(lead_days)  # pragma: no cover


def _population(start: dt.date, end: dt.date) -> Q:
    return Q(order__ex_factory_date__gte=start, order__ex_factory_date__lte=end) & ~Q(
        order__status=OrderStatus.CANCELLED
    )


def _orders(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The population with its shipped dates: one row per order, from its ex-factory milestone (one query)."""
    rows = (
        Milestone.objects.filter(_population(start, end), is_ex_factory=True)
        .order_by("order__ex_factory_date", "order__number", "pk")
        .values(
            "order_id",
            "actual_date",
            "order__number",
            "order__ex_factory_date",
            "order__customer__code",
            "order__customer__name",
            "order__customer__name_en",
        )
    )
    seen: set[int] = set()
    result = []
    for row in rows:
        if row["order_id"] in seen:  # a plan has one ex-factory milestone; never count an order twice
            continue
        seen.add(row["order_id"])
        result.append(row)
    return result


def _flags(start: dt.date, end: dt.date, methods: Iterable[str]) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """The population's flags of `methods` with their driver's names, by (method, order), earliest first (one
    query)."""
    driver = Milestone.objects.filter(order_id=OuterRef("order_id"), code=OuterRef("driver")).order_by("pk")
    rows = (
        RiskFlag.objects.filter(_population(start, end), method__in=list(methods))
        .annotate(
            driver_name_zh=Subquery(driver.values("name_zh")[:1]),
            driver_name_en=Subquery(driver.values("name_en")[:1]),
        )
        .order_by("order_id", "method", "flagged_on", "pk")
        .values("order_id", "method", "flagged_on", "cleared_on", "driver", "driver_name_zh", "driver_name_en")
    )
    grouped: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault((row["method"], row["order_id"]), []).append(row)
    return grouped


def _driver_name(flag: dict[str, Any]) -> str:
    return bilingual(flag.get("driver_name_zh") or "", flag.get("driver_name_en") or "")


def _build(
    *,
    start: dt.date,
    end: dt.date,
    method: str,
    today: dt.date,
    calendar: WorkingCalendar,
    orders: list[dict[str, Any]],
    flags: dict[tuple[str, int], list[dict[str, Any]]],
) -> Report:
    report = Report(start=start, end=end, method=method, today=today, orders=len(orders))
    report.flagged_ahead = dict.fromkeys(AHEAD, 0)
    distribution: Counter[str] = Counter()
    drivers: Counter[str] = Counter()
    driver_names: dict[str, str] = {}
    leads: list[int] = []
    for order in orders:
        committed: dt.date = order["order__ex_factory_date"]
        shipped: dt.date | None = order["actual_date"]
        own = flags.get((method, order["order_id"]), [])
        common = {
            "order_id": order["order_id"],
            "order_number": order["order__number"],
            "customer_code": order["order__customer__code"],
            "customer_name": bilingual(order["order__customer__name"], order["order__customer__name_en"]),
            "committed_date": committed,
        }
        if (shipped is not None and shipped > committed) or (shipped is None and committed < today):
            report.late_orders += 1
            first = own[0] if own else None
            lead = calendar.between(first["flagged_on"], committed) if first else None
            code = (first["driver"] or None) if first else None
            name = _driver_name(first) if first else ""
            report.rows.append(
                LateRow(
                    **common,
                    shipped_date=shipped,
                    first_flag_date=first["flagged_on"] if first else None,
                    lead_days=lead,
                    driver=code,
                    driver_name=name,
                )
            )
            distribution[bucket_of(lead)] += 1
            if lead is not None:
                leads.append(lead)
                report.late_flagged += 1
                report.late_flagged_before += lead >= 1
                for n in AHEAD:
                    report.flagged_ahead[n] += lead >= n
                drivers[code or ""] += 1
                driver_names.setdefault(code or "", name)
        elif shipped is not None:
            report.on_time_orders += 1
            before = [f for f in own if f["flagged_on"] <= shipped]
            if before:
                report.false_alarms += 1
                days = sum(calendar.between(f["flagged_on"], min(f["cleared_on"] or shipped, shipped)) for f in before)
                report.false_alarm_rows.append(
                    FalseAlarmRow(
                        **common,
                        shipped_date=shipped,
                        first_flag_date=before[0]["flagged_on"],
                        days_flagged=days,
                        driver=before[0]["driver"] or None,
                        driver_name=_driver_name(before[0]),
                    )
                )
        else:
            report.open_orders += 1
    report.median_lead_days = median(leads)
    report.distribution = {key: distribution.get(key, 0) for key, *_r in BUCKETS}
    report.drivers = [
        {"code": code, "name": driver_names.get(code, ""), "count": count}
        for code, count in sorted(drivers.items(), key=lambda item: (-item[1], item[0]))
    ]
    # the surprises first: never flagged, then the least warning; the longest-flagged false alarms first
    report.rows.sort(key=lambda r: (r.lead_days is not None, r.lead_days or 0, r.committed_date, r.order_number))
    report.false_alarm_rows.sort(key=lambda r: (-r.days_flagged, r.committed_date, r.order_number))
    return report


def _reports(start: dt.date, end: dt.date, methods: Sequence[str]) -> dict[str, Report]:
    if start > end:
        raise ValidationError({"to": _("The end of the period must not be before its start.")})
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValidationError({"method": _("Choose one of: %(choices)s.") % {"choices": ", ".join(METHODS)}})
    today, calendar = clock.today(), company_calendar()
    orders = _orders(start, end)
    flags = _flags(start, end, methods)
    return {
        m: _build(start=start, end=end, method=m, today=today, calendar=calendar, orders=orders, flags=flags)
        for m in methods
    }


def foresight_report(*, start: dt.date, end: dt.date, method: str = RiskFlag.Method.PLAN) -> Report:
    """The foresight of `method` over the orders committed to leave the factory from `start` to `end` (see the
    module's definitions). Four queries at most, whatever the number of orders."""
    return _reports(start, end, [str(method)])[str(method)]


def compare(start: dt.date, end: dt.date) -> dict[str, Report]:
    """Both methods over the same orders, side by side: {"plan": Report, "learned": Report} (four queries)."""
    return _reports(start, end, list(METHODS))


def comparison_rows(reports: dict[str, Report]) -> list[dict[str, Any]]:
    """The figures compared between the methods: [{key, label, kind, plan, learned}], kind "count", "pct" (percent)
    or "days"; a value is None when there is nothing to divide by."""
    labels: list[tuple[str, str, str]] = [("late_orders", _("Late orders"), "count")]
    for n in AHEAD:
        labels.append((f"recall_{n}", _("Recall at %(n)s working days") % {"n": n}, "pct"))
        labels.append((f"flagged_ahead_{n}", _("Flagged ahead ≥ %(n)s working days") % {"n": n}, "count"))
    labels += [
        ("false_alarms", _("False alarms"), "count"),
        ("false_alarm_rate", _("False-alarm rate"), "pct"),
        ("false_alarms_per_on_time", _("False alarms ÷ on-time orders"), "pct"),
        ("median_lead_days", _("Median lead (working days)"), "days"),
    ]
    values = {method: _figures(report) for method, report in reports.items()}
    return [
        {"key": key, "label": label, "kind": kind, **{m: values[m][key] for m in values}} for key, label, kind in labels
    ]


def _figures(r: Report) -> dict[str, Any]:
    values: dict[str, Any] = {"late_orders": r.late_orders}
    for n in AHEAD:
        values[f"flagged_ahead_{n}"] = r.flagged_ahead[n]
        values[f"recall_{n}"] = r.recall[n]
    values.update(
        false_alarms=r.false_alarms,
        false_alarm_rate=r.false_alarm_rate,
        false_alarms_per_on_time=r.false_alarms_per_on_time,
        median_lead_days=r.median_lead_days,
    )
    return values


def learned_has_flags() -> bool:
    """Whether the learned method has flagged anything yet (the page compares the methods only then)."""
    return RiskFlag.objects.filter(method=RiskFlag.Method.LEARNED).exists()
