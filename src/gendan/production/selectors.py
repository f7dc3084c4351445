"""Read side of production: the Pareto of variance reasons."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.catalog.models import WorkCentre
from gendan.followup.selectors import ChaseQuery, ChaseRow, register_chase_source
from gendan.production.choices import NoticeStatus, VarianceReason
from gendan.production.models import Anomaly, DailyReport, PlanLoad, ProductionNotice


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
    when it is None)."""
    rows = PlanLoad.objects.filter(work_centre_id__in=list(work_centre_ids), date__gte=start, date__lte=end)
    if due_date is not None:
        rows = rows.filter(due_date__lte=due_date)
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
