"""Read side of production: the Pareto of variance reasons."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.followup.selectors import ChaseQuery, ChaseRow, register_chase_source
from gendan.production.choices import VarianceReason
from gendan.production.models import Anomaly, DailyReport


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
