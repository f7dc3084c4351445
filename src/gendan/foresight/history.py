"""What history says of how late each source runs: the samples the learned forecast is fitted on.

Three kinds of source (keys as `gendan.followup.learning` reads them), each observation a whole number of working
days late on the company calendar (negative: early):

- **`supplier:<id>`** — every purchase line all in (of an order not cancelled): the day its last delivery came
  against the supplier's *first* promise for the line, or the required date when it never promised (the scorecard's
  on-time reference). Short deliveries and rejected quantities delivered again make the line late: materials are in
  house when the whole line is.
- **`work_centre:<id>`** — the production milestones (50 % output and production complete) of orders made on that
  line or at that subcontract factory (`work_centres_of`).
- **`milestone:<code>`** — every finished milestone of a T&A plan, whatever its code (the production ones and
  materials in house included: a source without history of its own falls back to its milestone's).

A milestone's days late are its *own*: counted from the later of its planned date and the day its predecessors let
it start (each predecessor's actual date plus the lag), so a milestone pushed by a late predecessor is not counted
late a second time — the forward pass adds the predecessor's delay and then this one, as history had them.

Observations are those finished in the last `GENDAN_LEARNING_DAYS` days up to the day asked for (nothing later, so
a replay's night learns only from its past).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Max, Q, Sum
from django.db.models.functions import Coalesce

from gendan.catalog.choices import WorkCentreKind
from gendan.core import clock
from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.followup.learning import DelayModel
from gendan.followup.models import Milestone
from gendan.procurement.choices import PoStatus
from gendan.procurement.models import PurchaseOrderLine
from gendan.production.choices import NoticeStatus
from gendan.production.models import PlanLoad, ProductionNotice
from gendan.production.services import COMPLETE_CODE, HALF_CODE

__all__ = ["PRODUCTION_CODES", "delay_model", "delay_samples", "work_centres_of"]

PRODUCTION_CODES = (HALF_CODE, COMPLETE_CODE)
MAKING_KINDS = (WorkCentreKind.LINE, WorkCentreKind.FACTORY)


def learning_days() -> int:
    return max(1, int(getattr(settings, "GENDAN_LEARNING_DAYS", 365)))


def work_centres_of(order_ids: Iterable[int]) -> dict[int, int]:
    """The work centre each order is made on: of the work centres planned for its production notice (the latest-due
    one when it has several), the production line or subcontract factory with the most load — cutting, ironing and
    packing workshops only when it passes no line or factory."""
    notice_order = dict(
        ProductionNotice.objects.filter(order_id__in=list(order_ids))
        .exclude(status__in=[NoticeStatus.DRAFT, NoticeStatus.CANCELLED])
        .order_by("order_id", "due_date", "pk")
        .values_list("pk", "order_id")
    )
    if not notice_order:
        return {}
    best: dict[int, tuple[bool, Decimal, int]] = {}
    for notice_id, work_centre_id, kind, load in (
        PlanLoad.objects.filter(notice_id__in=list(notice_order))
        .values("notice_id", "work_centre_id", "work_centre__kind")
        .annotate(total=Sum("load"))
        .order_by("notice_id", "work_centre_id")
        .values_list("notice_id", "work_centre_id", "work_centre__kind", "total")
    ):
        rank = (kind in MAKING_KINDS, load or Decimal(0), -work_centre_id)
        if notice_id not in best or rank > best[notice_id]:
            best[notice_id] = rank
    result: dict[int, int] = {}
    for notice_id, order_id in notice_order.items():  # by due date: the latest-due notice of an order wins
        if notice_id in best:
            result[order_id] = -best[notice_id][2]
    return result


def _supplier_samples(since: dt.date, until: dt.date, calendar: WorkingCalendar, out: dict[str, list[int]]) -> None:
    """Each purchase line all in (its accepted quantity reaches what the supplier is to deliver, or its order was
    received or closed): the day of its last delivery against its first promise. Short deliveries and rejected
    quantities delivered again count in the line's lateness: the materials are in house when the whole line is."""
    done = Q(accepted_qty__gte=Coalesce(F("confirmed_qty"), F("quantity"))) | Q(
        purchase_order__status__in=[PoStatus.RECEIVED, PoStatus.CLOSED]
    )
    rows = (
        PurchaseOrderLine.objects.filter(done)
        .exclude(purchase_order__status=PoStatus.CANCELLED)
        .annotate(last=Max("receipt_lines__receipt__received_date"))
        .filter(last__gte=since, last__lte=until)
        .annotate(due=Coalesce(F("first_promised_date"), F("required_date")))
        .order_by("last", "pk")
        .values_list("purchase_order__supplier_id", "due", "last")
    )
    for supplier_id, due, last in rows:
        out[f"supplier:{supplier_id}"].append(calendar.between(due, last))


def _milestone_samples(since: dt.date, until: dt.date, calendar: WorkingCalendar, out: dict[str, list[int]]) -> None:
    done = Milestone.objects.filter(actual_date__gte=since, actual_date__lte=until).values_list("order_id", flat=True)
    order_ids = sorted(set(done))
    if not order_ids:
        return
    by_order: dict[int, dict[str, tuple[dt.date, dt.date | None, list]]] = defaultdict(dict)
    for order_id, code, planned, actual, depends_on in (
        Milestone.objects.filter(order_id__in=order_ids)
        .order_by("order_id", "position", "pk")
        .values_list("order_id", "code", "planned_date", "actual_date", "depends_on")
    ):
        by_order[order_id][code] = (planned, actual, depends_on or [])
    made_on = work_centres_of(order_ids)
    for order_id in order_ids:
        plan = by_order[order_id]
        for code, (planned, actual, depends_on) in plan.items():
            if actual is None or not since <= actual <= until:
                continue
            expected = planned
            for dep in depends_on:
                pred = plan.get(dep.get("code"))
                if pred is not None and pred[1] is not None:
                    expected = max(expected, calendar.add(pred[1], int(dep.get("lag", 0))))
            late = calendar.between(expected, actual)
            out[f"milestone:{code}"].append(late)
            if code in PRODUCTION_CODES and order_id in made_on:
                out[f"work_centre:{made_on[order_id]}"].append(late)


def delay_samples(*, until: dt.date | None = None, calendar: WorkingCalendar | None = None) -> dict[str, list[int]]:
    """Each source's days late (see the module's docstring), over the learning window ending `until` (today)."""
    until = until or clock.today()
    calendar = calendar or company_calendar()
    since = until - dt.timedelta(days=learning_days())
    out: dict[str, list[int]] = defaultdict(list)
    _supplier_samples(since, until, calendar, out)
    _milestone_samples(since, until, calendar, out)
    return dict(out)


def delay_model(*, until: dt.date | None = None, calendar: WorkingCalendar | None = None) -> DelayModel:
    """The learned delays fitted on `delay_samples`."""
    return DelayModel.fit(delay_samples(until=until, calendar=calendar))
