"""Read side of production: the Pareto of variance reasons, the plan's load, finished output per day
(`output_by_day`: the one place that says what output is) and the plan-progress tracking table of every order."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.db.models import Case, Count, DateField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, QuerySet, Sum, When
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.catalog.models import WorkCentre
from gendan.core.calendar import WorkingCalendar
from gendan.followup.selectors import ChaseQuery, ChaseRow, register_chase_source
from gendan.production.choices import NoticeStatus, VarianceReason
from gendan.production.models import Anomaly, DailyReport, PlanLoad, ProductionNotice
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order


def variance_pareto(date_from: dt.date, date_to: dt.date, *, work_centre_id: int | None = None) -> dict[str, Any]:
    """Why output fell behind plan (reports that gave a variance reason), most frequent first, with the cumulative
    share, and the split by work centre (line, workshop or factory)."""
    qs = DailyReport.objects.filter(date__gte=date_from, date__lte=date_to).exclude(variance_reason="")
    if work_centre_id:
        qs = qs.filter(work_centre_id=work_centre_id)
    counts = dict(qs.order_by().values_list("variance_reason").annotate(n=Count("pk")))
    total = sum(counts.values())
    order = list(VarianceReason.values)
    rows, running = [], 0
    for reason, n in sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0]))):
        running += n
        rows.append(
            {
                "cause": reason,
                "cause_label": str(VarianceReason(reason).label),
                "lines": n,
                "pct": (Decimal(n * 100) / total).quantize(Decimal("0.1")),
                "cumulative_pct": (Decimal(running * 100) / total).quantize(Decimal("0.1")),
            }
        )
    by_centre: dict[str, dict[str, int]] = defaultdict(dict)
    for code, reason, n in qs.order_by().values_list("work_centre__code", "variance_reason").annotate(n=Count("pk")):
        by_centre[code][reason] = n
    return {
        "rows": rows,
        "total": total,
        "reasons": [(value, str(label)) for value, label in VarianceReason.choices],
        "by_centre": [
            {"work_centre": code, "counts": [reasons.get(r, 0) for r in order], "total": sum(reasons.values())}
            for code, reasons in sorted(by_centre.items())
        ],
    }


ANOMALY = "anomaly"  # the chase-list kind (API.md)
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


@register_chase_source
def anomalies_to_chase(q: ChaseQuery) -> list[ChaseRow]:
    """The user's open production anomalies due by the horizon's end (overdue ones every day)."""
    rows = []
    for a in (
        Anomaly.objects.filter(owner=q.user, closed_at__isnull=True, due_date__lte=q.until)
        .select_related("order__customer", "work_centre")
        .order_by("due_date", "pk")
    ):
        late = q.calendar.between(a.due_date, q.day)
        rows.append(
            ChaseRow(
                kind=ANOMALY,
                kind_label=_("Anomaly"),
                document=a.get_severity_display(),
                order_id=a.order_id,
                order_number=a.order.number,
                milestone_id=None,
                milestone_code=None,
                milestone_name=f"{a.get_kind_display()}{' · ' + a.work_centre.code if a.work_centre_id else ''}",
                due_date=a.due_date,
                days_late=late,
                reason=_("%(severity)s anomaly (%(kind)s): %(what)s")
                % {"severity": a.get_severity_display(), "kind": a.get_kind_display(), "what": a.description[:120]},
                object_id=a.pk,
                url=reverse("production:anomaly", args=[a.pk]),
                customer=a.order.customer.code,
                tier=a.order.customer.tier,
                amount=a.order.total_amount,
                currency=a.order.currency,
            )
        )
    return rows


def planned_load(
    work_centre_ids: Iterable[int],
    start: dt.date,
    end: dt.date,
    *,
    due_date: dt.date | None,
    exclude_notice: int | None = None,
    exclude_order: int | None = None,
) -> dict[tuple[int, dt.date], Decimal]:
    """What released notices already take per (work centre, day): those due on or before `due_date` (every notice
    when it is None) and those whose plan the planner adjusted by hand (it stays where it is)."""
    rows = PlanLoad.objects.filter(work_centre_id__in=list(work_centre_ids), date__gte=start, date__lte=end)
    if due_date is not None:
        rows = rows.filter(Q(due_date__lte=due_date) | Q(notice__plan_edited=True))
    if exclude_notice is not None:
        rows = rows.exclude(notice_id=exclude_notice)
    if exclude_order is not None:
        rows = rows.exclude(notice__order_id=exclude_order)
    return {
        (wc, day): total
        for wc, day, total in rows.order_by().values_list("work_centre_id", "date").annotate(total=Sum("load"))
    }


GRID_DAYS_BACK = 14


def report_grid_rows(work_centre: WorkCentre, day: dt.date) -> list[dict[str, Any]]:
    """The rows of a work centre's daily report: each released notice at work there around `day`, with its planned
    and actual cumulative output there up to `day` and the report already entered that day (four queries)."""
    # the notices at work here around the day: planned here within the last two weeks up to the day after, or
    # reported here in that window (a line sees its running orders, not the whole register)
    window = (day - dt.timedelta(days=GRID_DAYS_BACK), day + dt.timedelta(days=1))
    active = Q(loads__work_centre=work_centre, loads__date__range=window) | Q(
        reports__work_centre=work_centre, reports__date__range=window
    )
    notices = list(
        ProductionNotice.objects.filter(active, status=NoticeStatus.RELEASED)
        .select_related("order", "product")
        .distinct()
        .order_by("due_date", "pk")
    )
    ids = [n.pk for n in notices]
    planned = dict(
        PlanLoad.objects.filter(notice_id__in=ids, work_centre=work_centre, date__lte=day)
        .order_by()
        .values("notice_id")
        .annotate(total=Sum("quantity"))
        .values_list("notice_id", "total")
    )
    reports = DailyReport.objects.filter(notice_id__in=ids, work_centre=work_centre, date__lte=day)
    actual = dict(
        reports.order_by().values("notice_id").annotate(total=Sum("good_qty")).values_list("notice_id", "total")
    )
    today = {r.notice_id: r for r in reports.filter(date=day)}
    zero = Decimal(0)
    return [
        {
            "notice": n,
            "report": today.get(n.pk),
            "planned_cum": planned.get(n.pk, zero),
            "actual_cum": actual.get(n.pk, zero),
        }
        for n in notices
    ]


def notice_list(*, q: str = "", status: str = "") -> QuerySet[ProductionNotice]:
    """The production register, newest first, by number, order or product and by status."""
    qs = ProductionNotice.objects.select_related("order__customer", "product").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if q.strip():
        q = q.strip()
        qs = qs.filter(Q(number__icontains=q) | Q(order__number__icontains=q) | Q(product__code__icontains=q))
    return qs


def anomaly_list(*, show: str = "open", user: Any = None) -> QuerySet[Anomaly]:
    """Anomalies: the open ones (default), the user's open ones ("mine"), or all; open first, by resolve-by date."""
    qs = Anomaly.objects.select_related("order__customer", "owner", "work_centre")
    if show == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif show == "mine":
        qs = qs.filter(closed_at__isnull=True, owner=user)
    return qs


def load_chart_data(start: dt.date, days: int) -> dict[str, Any]:
    """The plan's load against capacity for every active work centre (lines and workshops first, factories last)
    over `days` days from `start`, and how many (work centre, day) are over capacity."""
    from gendan.catalog.selectors import day_capacity

    span = [start + dt.timedelta(days=i) for i in range(days)]
    kind_rank = {"line": 0, "workshop": 1, "factory": 2}
    centres = sorted(
        WorkCentre.objects.filter(is_active=True).values_list("pk", "code", "name", "kind"),
        key=lambda c: (kind_rank.get(c[3], 9), c[1]),
    )
    ids = [c[0] for c in centres]
    load = planned_load(ids, span[0], span[-1], due_date=None)
    capacity = day_capacity(ids, span[0], span[-1])
    return {
        "centres": [(pk, f"{code} {name}"[:22]) for pk, code, name, _kind in centres],
        "days": span,
        "load": load,
        "capacity": capacity,
        "over": sum(1 for key, amount in load.items() if amount > capacity.get(key, 0)),
    }


# ---- finished output and the plan-progress tracking table (生产计划进度跟踪表) ------------------------------------

RUN_RATE_DAYS = 5  # working days of output the run rate averages
ZERO = Decimal(0)
QTY = Decimal("0.001")  # quantities have three decimals
ONE_DAY = dt.timedelta(days=1)


def tolerance() -> Decimal:
    """How far (% of the plan) cumulative output may fall behind plan: GENDAN_PRODUCTION_TOLERANCE, default 5."""
    from django.conf import settings

    return Decimal(str(getattr(settings, "GENDAN_PRODUCTION_TOLERANCE", "5")))


def is_behind(planned: Decimal, actual: Decimal, tolerance_pct: Decimal) -> bool:
    """Actual cumulative output short of the planned by more than `tolerance_pct` % of the plan."""
    return planned > 0 and (planned - actual) * 100 > planned * tolerance_pct


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a % of `whole` to one decimal (None without a whole)."""
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else None


@dataclass
class Output:
    """What notices planned and made, as `output_by_day` counts it (each mapping keyed by notice id)."""

    planned: dict[int, dict[dt.date, Decimal]] = field(default_factory=dict)  # finished output planned per day
    actual: dict[int, dict[dt.date, Decimal]] = field(default_factory=dict)  # good finished output made per day
    defects: dict[int, Decimal] = field(default_factory=dict)  # reported at every work centre
    scrap: dict[int, Decimal] = field(default_factory=dict)
    made: dict[int, Decimal] = field(default_factory=dict)  # good + defects + scrap at every work centre
    started: dict[int, dt.date] = field(default_factory=dict)  # the first day anything was reported
    planned_before: dict[int, Decimal] = field(default_factory=dict)  # with `since`: the days before it, summed
    actual_before: dict[int, Decimal] = field(default_factory=dict)


def output_by_day(
    notice_ids: Iterable[int] | QuerySet, *, since: dt.date | None = None, until: dt.date | None = None
) -> Output:
    """Each notice's planned and actual finished output per day: what leaves its last routing operation, i.e. the
    plan's quantities (PlanLoad) of that operation and the good output of the daily reports at its work centre or
    of the subcontract factories doing it. With them the defects, scrap and everything made at every work centre
    (the base of the defect and scrap rates) and the first day anything was reported. This is the one place that
    says what "output" is: the order's tracking table, the tracking table of every order and the T&A feed all read
    it. Three queries whatever the number of notices; `notice_ids` may be a queryset of ids (then a subquery). With
    `since`, the planned and actual output of the days before it come summed per notice (`planned_before`,
    `actual_before`) instead of day by day, and with `until` the days after it are left out: the tracking table of
    every order reads only the run rate's days."""
    ids = notice_ids if isinstance(notice_ids, QuerySet) else list(notice_ids)
    last: dict[int, tuple[int, int]] = {}  # each notice's last routing operation: (position, work centre)
    for notice_id, position, work_centre_id in (
        ProductionNotice.objects.filter(pk__in=ids)
        .order_by("pk", "product__routing__position")
        .values_list("pk", "product__routing__position", "product__routing__work_centre_id")
    ):
        if position is not None:  # a product without a routing has no output
            last[notice_id] = (position, work_centre_id)  # the highest position comes last

    def planned_output(notice_id: int, position: int) -> bool:
        # the last operation's plan, in-house or at a subcontract factory (its share is planned at that position)
        return position == last[notice_id][0]

    def made_output(notice_id: int, work_centre_id: int, subcontract_last_position: int | None) -> bool:
        # the good output reported at its work centre in-house, or by the subcontract factories doing it
        if notice_id not in last:
            return False
        position, centre = last[notice_id]
        if subcontract_last_position is not None:
            return subcontract_last_position == position
        return work_centre_id == centre

    def add(
        target: dict[int, dict[dt.date, Decimal]], before: dict[int, Decimal], notice_id: int, day: Any, qty: Any
    ) -> None:
        qty = qty.quantize(QTY)  # a sum on SQLite comes back through a float
        if day is None:
            before[notice_id] = before.get(notice_id, ZERO) + qty
        else:
            by_day = target.setdefault(notice_id, {})
            by_day[day] = by_day.get(day, ZERO) + qty

    # The rule is applied here rather than in SQL: SQLite reads the reports of 2,000 notices by one IN list of ids
    # about 2.5 times faster than through an OR of (operation, work centre, notices) terms (bench/capacity.py). With
    # `since`, the rows come grouped per notice and day, the days before it as one group (day None).
    day = F("date") if since is None else Case(When(date__lt=since, then=None), default=F("date"))
    day = ExpressionWrapper(day, output_field=DateField())
    plans = PlanLoad.objects.filter(notice_id__in=list(last), position__in={p for p, _wc in last.values()})
    reports = DailyReport.objects.filter(notice_id__in=ids)
    if until is not None:
        plans, reports = plans.filter(date__lte=until), reports.filter(date__lte=until)
    result = Output()
    if last:
        for notice_id, position, when, qty in (
            plans.order_by()
            .values("notice_id", "position", day=day)
            .annotate(qty=Sum("quantity"))
            .values_list("notice_id", "position", "day", "qty")
        ):
            if planned_output(notice_id, position):
                add(result.planned, result.planned_before, notice_id, when, qty)
    for notice_id, work_centre_id, subcontract_last, when, good, defects, scrap, first in (
        reports.order_by()
        .values("notice_id", "work_centre_id", "subcontract__last_position", day=day)
        .annotate(good=Sum("good_qty"), defects=Sum("defect_qty"), scrap=Sum("scrap_qty"), first=Min("date"))
        .values_list(
            "notice_id", "work_centre_id", "subcontract__last_position", "day", "good", "defects", "scrap", "first"
        )
    ):
        if made_output(notice_id, work_centre_id, subcontract_last):
            add(result.actual, result.actual_before, notice_id, when, good)
        defects, scrap = defects.quantize(QTY), scrap.quantize(QTY)
        result.defects[notice_id] = result.defects.get(notice_id, ZERO) + defects
        result.scrap[notice_id] = result.scrap.get(notice_id, ZERO) + scrap
        result.made[notice_id] = result.made.get(notice_id, ZERO) + good.quantize(QTY) + defects + scrap
        if notice_id not in result.started or first < result.started[notice_id]:
            result.started[notice_id] = first
    return result


def sum_by_day(series: Iterable[Mapping[dt.date, Decimal]]) -> dict[dt.date, Decimal]:
    """Several notices' output per day added up (an order's)."""
    total: dict[dt.date, Decimal] = {}
    for by_day in series:
        for day, quantity in by_day.items():
            total[day] = total.get(day, ZERO) + quantity
    return total


def first_day_reaching(by_day: Mapping[dt.date, Decimal], target: Decimal) -> dt.date | None:
    """The first day the cumulative output reaches `target` (None while it has not)."""
    made = ZERO
    for day in sorted(by_day):
        made += by_day[day]
        if made >= target:
            return day
    return None


def forecast_completion(
    *,
    total: Decimal,
    made: Decimal,
    actual_by_day: Mapping[dt.date, Decimal],
    started: dt.date | None,
    completed: dt.date | None,
    planned_finish: dt.date | None,
    today: dt.date,
    calendar: WorkingCalendar,
) -> tuple[Decimal | None, dt.date | None]:
    """(run rate, forecast completion date) of an order's output. Before any report: no rate, the planned finish.
    Once all is made: no rate, the day it was. Otherwise the run rate is the average daily output of the last
    RUN_RATE_DAYS working days up to today (fewer when output started since), and the forecast is today plus what
    remains ÷ the run rate in working days, rounded up; None when nothing was made in those days (stalled)."""
    if started is None:
        return None, planned_finish
    if completed is not None:
        return None, completed
    window: list[dt.date] = []
    day = today
    while len(window) < RUN_RATE_DAYS and day >= started:
        if calendar.is_working_day(day):
            window.append(day)
        day -= ONE_DAY
    rate = (sum((actual_by_day.get(d, ZERO) for d in window), ZERO) / len(window)) if window else ZERO
    rate = rate.quantize(Decimal("0.01"))
    if rate <= 0:
        return rate, None
    days = int(((total - made) / rate).to_integral_value(rounding=ROUND_CEILING))
    return rate, calendar.add(today, days)


@dataclass
class TrackingRow:
    """One order of the tracking table: its finished output to date against the plan, and its forecast."""

    order_id: int
    order_number: str
    customer_id: int
    customer_code: str
    customer_name: str
    merchandiser: str
    products: list[str]
    quantity: Decimal
    planned_cum: Decimal  # planned finished output up to today
    actual_cum: Decimal  # good finished output reported
    variance: Decimal  # actual − planned
    pct_complete: Decimal | None
    defect_rate: Decimal | None
    scrap_rate: Decimal | None
    run_rate: Decimal | None
    started: dt.date | None
    planned_finish: dt.date | None
    forecast_completion_date: dt.date | None
    ex_factory_date: dt.date
    is_forecast_late: bool  # the forecast completion is after the ex-factory date
    late_days: int | None  # working days from the ex-factory date to the forecast (negative: ahead)
    is_behind: bool  # behind plan by more than the tolerance
    is_stalled: bool  # finished output planned by now, none made in the last RUN_RATE_DAYS working days

    @property
    def products_text(self) -> str:
        return ", ".join(self.products)


STALLED = 10**6  # a stalled order sorts as the latest of all


def _lateness(row: TrackingRow) -> int:
    if row.is_stalled:
        return STALLED
    return row.late_days if row.late_days is not None else -STALLED


TRACKING_SORTS: dict[str, Any] = {
    "lateness": _lateness,
    "number": lambda r: r.order_number,
    "customer": lambda r: r.customer_code,
    "ex_factory": lambda r: r.ex_factory_date,
    "forecast": lambda r: r.forecast_completion_date or dt.date.max,
    "variance": lambda r: r.variance,
    "complete": lambda r: r.pct_complete if r.pct_complete is not None else Decimal(-1),
}
DEFAULT_TRACKING_SORT = "-lateness"  # the latest forecast first


def tracking_table(
    today: dt.date | None = None,
    *,
    merchandiser: str = "",
    customer_id: int | None = None,
    work_centre_id: int | None = None,
    behind_only: bool = False,
    sort: str = DEFAULT_TRACKING_SORT,
) -> list[TrackingRow]:
    """The plan-progress tracking table (生产计划进度跟踪表) of every order with a released notice: per order its
    quantity, planned and actual cumulative finished output to today, variance, % complete, defect and scrap
    rates, run rate, planned finish, forecast completion (the same rules as `services.progress`) against the
    ex-factory date. Filters: the merchandiser (username), the customer, a work centre the order's released notices
    pass through, behind plan beyond the tolerance only. `sort` is a key of TRACKING_SORTS, "-" first for the
    reverse. Six queries whatever the number of orders (two of them the company calendar's), three more when an
    order was all made before the run rate's days."""
    from gendan.core import clock
    from gendan.core.calendar import company_calendar

    today = today or clock.today()
    calendar = company_calendar()
    released = ProductionNotice.objects.filter(order=OuterRef("pk"), status=NoticeStatus.RELEASED)
    # an order all made (its notices done) stays on the table until it leaves the factory
    made = ProductionNotice.objects.filter(order=OuterRef("pk"), status=NoticeStatus.DONE)
    if work_centre_id:
        released = released.filter(product__routing__work_centre_id=work_centre_id)
        made = made.filter(product__routing__work_centre_id=work_centre_id)
    waiting = Exists(made) & ~Q(status__in=(OrderStatus.SHIPPED, OrderStatus.CLOSED, OrderStatus.CANCELLED))
    orders = Order.objects.filter(Exists(released) | waiting)
    if merchandiser:
        orders = orders.filter(merchandiser__username=merchandiser)
    if customer_id:
        orders = orders.filter(customer_id=customer_id)
    notices = (  # plain values: 2,000 orders' notices as model instances would cost more than their figures
        ProductionNotice.objects.filter(
            order__in=orders.values("pk"), status__in=(NoticeStatus.RELEASED, NoticeStatus.DONE)
        )
        .order_by("order_id", "pk")
        .values(
            "pk",
            "order_id",
            "quantity",
            "planned_finish",
            "product__code",
            "order__number",
            "order__customer_id",
            "order__customer__code",
            "order__customer__name",
            "order__merchandiser__username",
            "order__ex_factory_date",
        )
    )
    by_order: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for notice in notices:
        by_order[notice["order_id"]].append(notice)
    # day by day only the days the run rate averages; the days before them come summed per notice
    since = calendar.add(today, -(RUN_RATE_DAYS - 1))
    output = output_by_day([n["pk"] for items in by_order.values() for n in items], since=since, until=today)

    def total_of(items: list[dict[str, Any]]) -> Decimal:
        return sum((n["quantity"] for n in items), ZERO)

    def made_before(ids: list[int]) -> Decimal:
        return sum((output.actual_before.get(i, ZERO) for i in ids), ZERO)

    # an order all made before those days: the day it was needs its output day by day (three queries, when any)
    done_before = [
        n["pk"]
        for items in by_order.values()
        if 0 < total_of(items) <= made_before([n["pk"] for n in items])
        for n in items
    ]
    early = output_by_day(done_before, until=today) if done_before else Output()
    limit = tolerance()
    rows = []
    for items in by_order.values():
        order = items[0]
        ids = [n["pk"] for n in items]
        total = total_of(items)
        actual_by_day = sum_by_day(output.actual[i] for i in ids if i in output.actual)
        before = made_before(ids)
        planned_cum = sum((output.planned_before.get(i, ZERO) for i in ids), ZERO) + sum(
            (q for i in ids for q in output.planned.get(i, {}).values()), ZERO
        )
        actual_cum = before + sum(actual_by_day.values(), ZERO)
        starts = [output.started[i] for i in ids if i in output.started]
        started = min(starts) if starts else None
        completed = None
        if total and before >= total:
            completed = first_day_reaching(sum_by_day(early.actual[i] for i in ids if i in early.actual), total)
        elif total and actual_cum >= total:
            completed = first_day_reaching(actual_by_day, total - before)
        planned_finish = max((n["planned_finish"] for n in items if n["planned_finish"]), default=None)
        rate, forecast = forecast_completion(
            total=total,
            made=actual_cum,
            actual_by_day=actual_by_day,
            started=started,
            completed=completed,
            planned_finish=planned_finish,
            today=today,
            calendar=calendar,
        )
        made = sum((output.made.get(i, ZERO) for i in ids), ZERO)
        ex_factory = order["order__ex_factory_date"]
        late = calendar.between(ex_factory, forecast) if forecast else None
        row = TrackingRow(
            order_id=order["order_id"],
            order_number=order["order__number"],
            customer_id=order["order__customer_id"],
            customer_code=order["order__customer__code"],
            customer_name=order["order__customer__name"],
            merchandiser=order["order__merchandiser__username"],
            products=list(dict.fromkeys(n["product__code"] for n in items)),
            quantity=total,
            planned_cum=planned_cum,
            actual_cum=actual_cum,
            variance=actual_cum - planned_cum,
            pct_complete=pct(actual_cum, total),
            defect_rate=pct(sum((output.defects.get(i, ZERO) for i in ids), ZERO), made),
            scrap_rate=pct(sum((output.scrap.get(i, ZERO) for i in ids), ZERO), made),
            run_rate=rate,
            started=started,
            planned_finish=planned_finish,
            forecast_completion_date=forecast,
            ex_factory_date=ex_factory,
            is_forecast_late=forecast is not None and forecast > ex_factory,
            late_days=late,
            is_behind=is_behind(planned_cum, actual_cum, limit),
            # no finished output in the run rate's days although some was planned by now (an order whose first
            # operations report while its last one has not started has no forecast yet, but is not stalled)
            is_stalled=started is not None and completed is None and forecast is None and planned_cum > 0,
        )
        if behind_only and not row.is_behind:
            continue
        rows.append(row)
    key = TRACKING_SORTS.get(sort.lstrip("-"), _lateness)
    rows.sort(key=lambda r: (r.ex_factory_date, r.order_number))  # ties: the earliest ex-factory date first
    rows.sort(key=key, reverse=sort.startswith("-"))
    return rows
