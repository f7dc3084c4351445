"""Production services: the capacity check (能否按期交货?) and the measures it proposes.

`capacity_check` schedules a quantity of a product on finite capacity against everything already planned that
comes first — with earliest-due-date priority the released notices due on or before its date, with rush priority
nothing — and answers the earliest finish, whether the due date is met, the load it adds per work centre and
day, and, when the date is not met, the measures with figures: overtime per work centre and day (the least
uniform share of each work centre's allowed overtime that meets the date), the quantity that can be made by the
date (a split shipment, the rest by when), that rest outsourced to the subcontract factory that can make it
soonest, and the earliest date to negotiate.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gendan.catalog.choices import CapacityUnit, WorkCentreKind
from gendan.catalog.models import CapacityException, Product, RoutingStep, WorkCentre
from gendan.catalog.selectors import day_capacity
from gendan.core import audit, clock
from gendan.core.choices import AuditAction
from gendan.core.exceptions import TransitionNotAllowed, ValidationError
from gendan.core.numbering import next_number
from gendan.production.choices import MeasureKind, NoticeStatus, Priority
from gendan.production.models import Anomaly, AnomalyAction, DailyReport, PlanLoad, ProductionNotice
from gendan.production.scheduler import Op, Schedule, schedule
from gendan.production.selectors import (
    RUN_RATE_DAYS,
    first_day_reaching,
    forecast_completion,
    is_behind,
    output_by_day,
    pct,
    planned_load,
    sum_by_day,
    tolerance,
)

ZERO = Decimal(0)
HOURS = Decimal("0.01")
HORIZON_DAYS = 366  # how far ahead a check looks before it says "not within a year"
OVERTIME_STEPS = 8  # binary search steps for the share of allowed overtime


@dataclass
class Job:
    """A quantity of a product to schedule: its operations and its work centres."""

    product: Product
    quantity: Decimal
    steps: list[RoutingStep]
    centres: dict[int, WorkCentre]
    outsourced: dict[int, Decimal] = field(default_factory=dict)  # quantity sent out, per operation

    def quantities(self, quantity: Decimal | None = None) -> dict[int, Decimal]:
        """The quantity each operation makes in-house: the job's, less what subcontract orders took."""
        quantity = self.quantity if quantity is None else quantity
        return {s.position: max(quantity - self.outsourced.get(s.position, ZERO), ZERO) for s in self.steps}

    def ops(self, quantity: Decimal | None = None) -> list[Op]:
        quantities = self.quantities(quantity)
        result = []
        for step in self.steps:
            centre = self.centres[step.work_centre_id]
            made = quantities[step.position]
            if centre.capacity_unit == CapacityUnit.UNITS:
                amount = made
            else:
                minutes = step.setup_minutes + made * step.minutes_per_unit if made > 0 else ZERO
                amount = (minutes / 60).quantize(HOURS)
            result.append(Op(step.position, step.work_centre_id, amount))
        return result

    @property
    def minutes_per_unit(self) -> Decimal:
        return sum((s.minutes_per_unit for s in self.steps), ZERO)


@dataclass
class CheckResult:
    feasible: bool
    earliest_finish: dt.date | None
    due_date: dt.date
    start: dt.date | None
    load: list[dict[str, Any]]
    measures: list[dict[str, Any]] = field(default_factory=list)
    schedule: Schedule | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "feasible": self.feasible,
            "earliest_finish": self.earliest_finish,
            "due_date": self.due_date,
            "start": self.start,
            "load": self.load,
            "measures": self.measures,
        }


def job_for(product: Product, quantity: Decimal, *, outsourced: dict[int, Decimal] | None = None) -> Job:
    steps = list(RoutingStep.objects.filter(product=product).order_by("position"))
    if not steps:
        raise ValidationError(
            {"product_id": _("Product %(code)s has no routing: give it its operations first.") % {"code": product.code}}
        )
    centres = {wc.pk: wc for wc in WorkCentre.objects.filter(pk__in={s.work_centre_id for s in steps})}
    inactive = [wc.code for wc in centres.values() if not wc.is_active]
    if inactive:
        raise ValidationError(
            {"product_id": _("Work centre %(codes)s is inactive.") % {"codes": ", ".join(sorted(inactive))}}
        )
    return Job(product=product, quantity=quantity, steps=steps, centres=centres, outsourced=outsourced or {})


def outsourced_quantities(notice_id: int) -> dict[int, Decimal]:
    """How much of each of a notice's operations subcontract orders sent out (and did not cancel)."""
    from gendan.production.choices import SUBCONTRACT_COMMITTED
    from gendan.production.models import SubcontractOrder

    result: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for first, last, quantity in SubcontractOrder.objects.filter(
        notice_id=notice_id, status__in=SUBCONTRACT_COMMITTED
    ).values_list("first_position", "last_position", "quantity"):
        for position in range(first, last + 1):
            result[position] += quantity
    return dict(result)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _load_rows(result: Schedule, centres: dict[int, WorkCentre]) -> list[dict[str, Any]]:
    rows = []
    for (wc, day), amount in sorted(result.load().items(), key=lambda item: (item[0][1], item[0][0])):
        unit = centres[wc].capacity_unit
        rows.append(
            {
                "work_centre_id": wc,
                "work_centre": centres[wc].code,
                "date": day,
                "hours": amount if unit == CapacityUnit.HOURS else None,
                "units": amount if unit == CapacityUnit.UNITS else None,
            }
        )
    return rows


def _clean(product: Any, quantity: Any, due_date: Any, priority: str) -> tuple[Product, Decimal, dt.date]:
    errors: dict[str, str] = {}
    if not isinstance(product, Product):
        found = Product.objects.filter(pk=product).first() if str(product or "").isdigit() else None
        if found is None:
            errors["product_id"] = _("There is no product %(id)s.") % {"id": product}
        product = found
    try:
        quantity = Decimal(str(quantity))
        if not quantity.is_finite() or quantity <= 0:
            raise ValueError
    except (ValueError, ArithmeticError):
        errors["quantity"] = _("Enter a quantity greater than zero.")
    if isinstance(due_date, str):
        try:
            due_date = dt.date.fromisoformat(due_date)
        except ValueError:
            errors["due_date"] = _("Give a date as YYYY-MM-DD.")
    if due_date in (None, ""):
        errors["due_date"] = _("This field is required.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose edd or rush.")
    if errors:
        raise ValidationError(errors)
    return product, quantity, due_date


@dataclass
class Frame:
    """What a job is scheduled against: the days from today to a year past its due date, each work centre's
    capacity on them, and what the plan already takes that comes first."""

    days: list[dt.date]
    capacity: dict[tuple[int, dt.date], Decimal]
    used: dict[tuple[int, dt.date], Decimal]


def _frame(
    job: Job,
    due_date: dt.date,
    *,
    priority: str = Priority.EDD,
    exclude_notice: int | None = None,
    exclude_order: int | None = None,
) -> Frame:
    start = clock.today()
    end = max(due_date, start) + dt.timedelta(days=HORIZON_DAYS)
    ids = list(job.centres)
    used = (
        {}
        if priority == Priority.RUSH
        else planned_load(
            ids, start, end, due_date=due_date, exclude_notice=exclude_notice, exclude_order=exclude_order
        )
    )
    return Frame(days=_days(start, end), capacity=day_capacity(ids, start, end), used=used)


def capacity_check(
    *,
    product: Any,
    quantity: Any,
    due_date: Any,
    priority: str = Priority.EDD,
    exclude_notice: int | None = None,
    with_measures: bool = True,
    outsourced: dict[int, Decimal] | None = None,
) -> CheckResult:
    """Can `quantity` of `product` be made by `due_date` (less what is `outsourced` per operation)? See the
    module's docstring."""
    product, quantity, due_date = _clean(product, quantity, due_date, priority)
    job = job_for(product, quantity, outsourced=outsourced)
    frame = _frame(job, due_date, priority=priority, exclude_notice=exclude_notice)
    full = schedule(job.ops(), days=frame.days, capacity=frame.capacity, used=frame.used)
    feasible = full.finish is not None and full.finish <= due_date
    result = CheckResult(
        feasible=feasible,
        earliest_finish=full.finish,
        due_date=due_date,
        start=full.start,
        load=_load_rows(full, job.centres),
        schedule=full,
    )
    if not feasible and with_measures:
        result.measures = _measures(job, frame, due_date=due_date, full=full)
    return result


def order_capacity_check(*, order: Any, priority: str = Priority.EDD) -> dict[str, Any]:
    """The check of an existing order: its lines one after the other against what is planned (and what the lines
    before took), each due by the line's ex-factory date, else the order's committed one."""
    from gendan.sales.models import OrderLine

    lines = list(OrderLine.objects.filter(order=order).select_related("product").order_by("position", "id"))
    if not lines:
        raise ValidationError(_("Order %(number)s has no lines.") % {"number": order.number})
    results = []
    taken: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        due = line.ex_factory_date or order.ex_factory_date
        product, quantity, due = _clean(line.product, line.quantity, due, priority)
        job = job_for(product, quantity)
        frame = _frame(job, due, priority=priority, exclude_order=order.pk)
        for key, amount in taken.items():  # the order's earlier lines come first
            if key[0] in job.centres:
                frame.used[key] = frame.used.get(key, ZERO) + amount
        full = schedule(job.ops(), days=frame.days, capacity=frame.capacity, used=frame.used)
        feasible = full.finish is not None and full.finish <= due
        measures = [] if feasible else _measures(job, frame, due_date=due, full=full)
        for key, amount in full.load().items():
            taken[key] += amount
        results.append(
            {
                "order_line_id": line.pk,
                "product_id": product.pk,
                "product_code": product.code,
                "quantity": quantity,
                "feasible": feasible,
                "earliest_finish": full.finish,
                "due_date": due,
                "load": _load_rows(full, job.centres),
                "measures": measures,
            }
        )
    finishes = [r["earliest_finish"] for r in results]
    return {
        "order_id": order.pk,
        "feasible": all(r["feasible"] for r in results),
        "earliest_finish": None if None in finishes else max(finishes),
        "due_date": order.ex_factory_date,
        "load": [row for r in results for row in r["load"]],
        "measures": [{**m, "order_line_id": r["order_line_id"]} for r in results for m in r["measures"]],
        "lines": results,
    }


def _overtime_allowance(job: Job, capacity: dict, days: list[dt.date], due_date: dt.date, share: Decimal) -> dict:
    allowance = {}
    for wc in job.centres.values():
        if wc.capacity_unit != CapacityUnit.HOURS or not wc.max_overtime_hours:
            continue
        extra = (wc.max_overtime_hours * share).quantize(HOURS)
        for day in days:
            if day > due_date:
                break
            today_capacity = capacity.get((wc.pk, day), ZERO)
            if today_capacity > 0:
                # overtime already granted that day counts against the limit
                room = wc.daily_capacity + wc.max_overtime_hours - today_capacity
                allowed = min(extra, room)
                if allowed > 0:
                    allowance[(wc.pk, day)] = allowed
    return allowance


def _measures(job: Job, frame: Frame, *, due_date: dt.date, full: Schedule) -> list[dict[str, Any]]:
    measures: list[dict[str, Any]] = []
    ops = job.ops()
    days, capacity, used = frame.days, frame.capacity, frame.used

    def meets(result: Schedule) -> bool:
        return result.finish is not None and result.finish <= due_date

    # overtime: the least share of each work centre's allowed overtime that meets the date
    most = _overtime_allowance(job, capacity, days, due_date, Decimal(1))
    if most and meets(schedule(ops, days=days, capacity=capacity, used=used, overtime=most)):
        low, high = Decimal(0), Decimal(1)
        for _step in range(OVERTIME_STEPS):
            mid = (low + high) / 2
            trial = schedule(
                ops,
                days=days,
                capacity=capacity,
                used=used,
                overtime=_overtime_allowance(job, capacity, days, due_date, mid),
            )
            if meets(trial):
                high = mid
            else:
                low = mid
        best = schedule(
            ops,
            days=days,
            capacity=capacity,
            used=used,
            overtime=_overtime_allowance(job, capacity, days, due_date, high),
        )
        per_day = [
            {"work_centre_id": wc, "work_centre": job.centres[wc].code, "date": day, "hours": hours}
            for (wc, day), hours in sorted(best.overtime().items(), key=lambda item: (item[0][1], item[0][0]))
        ]
        measures.append(
            {
                "kind": MeasureKind.OVERTIME.value,
                "total_hours": sum((row["hours"] for row in per_day), ZERO),
                "days": per_day,
                "finish": best.finish,
            }
        )
    # split: the most that can be made by the date in-house; the rest by the full schedule's finish
    step = Decimal(1) if job.quantity == job.quantity.to_integral_value() else Decimal("0.001")
    low, high = ZERO, job.quantity
    while high - low > step:
        mid = ((low + high) / 2).quantize(step, rounding=ROUND_FLOOR)
        if mid <= low:
            break
        if meets(schedule(job.ops(mid), days=days, capacity=capacity, used=used)):
            low = mid
        else:
            high = mid
    by_due = low
    rest = job.quantity - by_due
    if by_due > 0:
        measures.append(
            {
                "kind": MeasureKind.SPLIT.value,
                "by_due_qty": by_due,
                "by_due_date": due_date,
                "rest_qty": rest,
                "rest_date": full.finish,
            }
        )
    # outsource the rest to the subcontract factory that makes it soonest
    outsourced = _outsource(job, rest, days=days, due_date=due_date)
    if outsourced is not None:
        measures.append(outsourced)
    measures.append({"kind": MeasureKind.NEW_DATE.value, "date": full.finish})
    return measures


def _outsource(job: Job, quantity: Decimal, *, days: list[dt.date], due_date: dt.date) -> dict[str, Any] | None:
    factories = list(
        WorkCentre.objects.filter(kind=WorkCentreKind.FACTORY, is_active=True)
        .select_related("supplier")
        .order_by("code")
    )
    family = job.product.category
    factories = [
        f
        for f in factories
        if f.capacity_unit == CapacityUnit.HOURS or not f.product_family or f.product_family == family
    ]
    if not factories or quantity <= 0:
        return None
    ids = [f.pk for f in factories]
    capacity = day_capacity(ids, days[0], days[-1])
    used = planned_load(ids, days[0], days[-1], due_date=None)
    best: dict[str, Any] | None = None
    for factory in factories:
        if factory.capacity_unit == CapacityUnit.UNITS:
            amount = quantity
        else:
            amount = (quantity * job.minutes_per_unit / 60).quantize(HOURS)
        result = schedule([Op(1, factory.pk, amount)], days=days, capacity=capacity, used=used)
        if result.finish is None or result.finish > due_date:
            continue
        if best is None or result.finish < best["finish"]:
            best = {
                "kind": MeasureKind.OUTSOURCE.value,
                "work_centre_id": factory.pk,
                "work_centre": factory.code,
                "supplier_id": factory.supplier_id,
                "supplier": factory.supplier.code if factory.supplier_id else "",
                "quantity": quantity,
                "finish": result.finish,
            }
    return best


def group_load(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The load rows of a check per work centre code (for pages)."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["work_centre"]].append(row)
    return dict(grouped)


# ---- production notices (生产通知书) and the plan ------------------------------------------------------------

NOTICE_PREFIX = "PN"
NOTICE_STATUSES_OPEN = ("draft", "released")


@transaction.atomic
def create_notice(*, order_line: Any, by: Any, data: dict[str, Any] | None = None) -> ProductionNotice:
    """A production notice for a confirmed order line: product, spec, quantity, packaging, delivery date (the
    line's ex-factory date, else the order's), numbered in the production register."""
    from gendan.core.services import ensure_can
    from gendan.sales.choices import OrderStatus

    ensure_can(by, "production.add_productionnotice", _("You may not register production notices."))
    data = data or {}
    order = order_line.order
    if order.status not in (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION):
        raise ValidationError(
            _("Order %(number)s is %(status)s: only a confirmed order goes to production.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    quantity = data.get("quantity", order_line.quantity)
    due = data.get("due_date") or order_line.ex_factory_date or order.ex_factory_date
    product, quantity, due = _clean(order_line.product, quantity, due, Priority.EDD)
    notice = ProductionNotice.objects.create(
        number=next_number(NOTICE_PREFIX),
        order=order,
        order_line=order_line,
        product=product,
        spec=str(data.get("spec") or product.spec or "")[:200],
        quantity=quantity,
        packaging=str(data.get("packaging") or order_line.packaging_note or ""),
        due_date=due,
        notes=str(data.get("notes") or ""),
    )
    audit.record_create(instance=notice, by=by, fields=["product", "quantity", "due_date", "packaging"], related=order)
    return notice


def spread(quantity: Decimal, amounts: list[Decimal]) -> list[Decimal]:
    """`quantity` shared in proportion to `amounts` (the days of one operation), rounded on the running total so
    the parts add up to it exactly — in whole units when the quantity is whole."""
    step = Decimal(1) if quantity == quantity.to_integral_value() else Decimal("0.001")
    total = sum(amounts, ZERO)
    if not total:
        return [ZERO for _ in amounts]
    parts, running, given = [], ZERO, ZERO
    for amount in amounts:
        running += amount
        upto = (quantity * running / total).quantize(step)
        parts.append(upto - given)
        given = upto
    return parts


def _save_loads(notice: ProductionNotice, result: Schedule, job: Job) -> None:
    """Store a notice's in-house plan; its planned start and finish span the factories' share too."""
    quantities = job.quantities()
    by_position: dict[int, list[Any]] = defaultdict(list)
    for s in result.slots:
        by_position[s.position].append(s)
    rows = []
    for position, slots in by_position.items():
        for s, quantity in zip(slots, spread(quantities[position], [s.amount for s in slots]), strict=True):
            rows.append(
                PlanLoad(
                    notice=notice,
                    position=s.position,
                    work_centre_id=s.work_centre,
                    date=s.day,
                    load=s.amount,
                    overtime=s.overtime,
                    quantity=quantity,
                    due_date=notice.due_date,
                )
            )
    PlanLoad.objects.filter(notice=notice, subcontract__isnull=True).delete()
    PlanLoad.objects.bulk_create(rows, batch_size=1000)
    outside = PlanLoad.objects.filter(notice=notice, subcontract__isnull=False).aggregate(
        start=models.Min("date"), finish=models.Max("date")
    )
    starts = [d for d in (result.start, outside["start"]) if d]
    finishes = [d for d in (result.finish, outside["finish"]) if d]
    notice.planned_start = min(starts, default=None)
    notice.planned_finish = max(finishes, default=None)
    notice.plan_edited = False


def _plan(notice: ProductionNotice) -> Schedule:
    """Schedule a released notice against the loads of the notices due on or before it (they come first); what
    subcontract orders sent out is not made in-house."""
    job = job_for(notice.product, notice.quantity, outsourced=outsourced_quantities(notice.pk))
    frame = _frame(job, notice.due_date, exclude_notice=notice.pk)
    result = schedule(job.ops(), days=frame.days, capacity=frame.capacity, used=frame.used)
    if result.finish is None:
        raise ValidationError(_("%(number)s does not fit within a year.") % {"number": notice.number})
    _save_loads(notice, result, job)
    return result


def accept_overtime(*, measure: dict[str, Any], by: Any, reason: str = "") -> int:
    """Make an overtime measure real: each of its days becomes a capacity exception of the work centre (its
    capacity that day plus the overtime hours). Returns how many days were set."""
    centres = {wc.pk: wc for wc in WorkCentre.objects.filter(pk__in={d["work_centre_id"] for d in measure["days"]})}
    existing = {
        (e.work_centre_id, e.date): e
        for e in CapacityException.objects.filter(
            work_centre_id__in=list(centres), date__in=[d["date"] for d in measure["days"]]
        )
    }
    for d in measure["days"]:
        key = (d["work_centre_id"], d["date"])
        hours = Decimal(str(d["hours"]))
        found = existing.get(key)
        base = found.capacity if found else centres[d["work_centre_id"]].daily_capacity
        if found is not None:
            found.capacity = base + hours
            if found.kind != "overtime":  # a reduced day keeps its kind; the overtime is noted beside its reason
                found.reason = f"{found.reason}; +{hours.normalize():f} h {reason}".strip("; ")[:200]
            found.save(update_fields=["capacity", "reason"])
        else:
            CapacityException.objects.create(
                work_centre_id=d["work_centre_id"],
                date=d["date"],
                capacity=base + hours,
                kind="overtime",
                reason=reason[:200],
            )
        audit.record(
            instance=centres[d["work_centre_id"]],
            action=AuditAction.UPDATE,
            by=by,
            changes={"capacity": [base, base + hours]},
            message=f"{d['date'].isoformat()}: {reason}",
        )
    return len(measure["days"])


@transaction.atomic
def release_notice(*, notice: ProductionNotice, by: Any, accept: str = "") -> ProductionNotice:
    """Release a notice to the plan after its capacity check. When the date cannot be met the release is refused
    with the measures, unless `accept="overtime"` makes the overtime measure real first. Notices due later are
    planned again behind it (earliest due date first)."""
    from gendan.core.services import ensure_can

    ensure_can(by, "production.release_productionnotice", _("Only production planning releases notices."))
    locked = ProductionNotice.objects.select_for_update().select_related("product", "order").get(pk=notice.pk)
    if locked.status != NoticeStatus.DRAFT:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: only a draft is released.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    check = capacity_check(
        product=locked.product,
        quantity=locked.quantity,
        due_date=locked.due_date,
        exclude_notice=locked.pk,
        outsourced=outsourced_quantities(locked.pk),
    )
    note = ""
    if not check.feasible:
        overtime = next((m for m in check.measures if m["kind"] == MeasureKind.OVERTIME), None)
        if accept == MeasureKind.OVERTIME and overtime is not None:
            accept_overtime(measure=overtime, by=by, reason=_("Overtime for %(number)s") % {"number": locked.number})
            note = _("Overtime accepted: %(hours)s hours") % {"hours": f"{overtime['total_hours'].normalize():f}"}
        elif accept == "late":
            note = _("Released late: the earliest finish is %(finish)s, due %(due)s") % {
                "finish": check.earliest_finish.isoformat() if check.earliest_finish else "—",
                "due": locked.due_date.isoformat(),
            }
        else:
            raise ValidationError(
                {
                    "accept": _(
                        "%(number)s cannot be made by %(due)s: the earliest finish is %(finish)s. Accept a measure "
                        "(overtime) or release it late."
                    )
                    % {
                        "number": locked.number,
                        "due": locked.due_date.isoformat(),
                        "finish": check.earliest_finish.isoformat() if check.earliest_finish else "—",
                    }
                }
            )
    result = _plan(locked)
    locked.status = NoticeStatus.RELEASED
    locked.released_at = clock.now()
    locked.released_by = by
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.TRANSITION,
        by=by,
        changes={"status": [NoticeStatus.DRAFT, NoticeStatus.RELEASED], "planned_finish": [None, result.finish]},
        message=note,
        related=locked.order,
    )
    moved = replan_after(locked.due_date, exclude=locked.pk)
    feed_plan([locked.order_id, *moved], by=by)
    return locked


def replan_after(due_date: dt.date, *, exclude: int | None = None) -> list[int]:
    """Plan again, earliest due first, the released notices due after `due_date` (a notice due earlier took their
    capacity) — not those the planner adjusted by hand. Returns the orders of the notices planned again."""
    later = list(
        ProductionNotice.objects.filter(status=NoticeStatus.RELEASED, due_date__gt=due_date, plan_edited=False)
        .exclude(pk=exclude)
        .select_related("product")
        .order_by("due_date", "pk")
    )
    if not later:
        return []
    PlanLoad.objects.filter(notice__in=later, subcontract__isnull=True).delete()
    for notice in later:
        _plan(notice)
        ProductionNotice.objects.filter(pk=notice.pk).update(
            planned_start=notice.planned_start, planned_finish=notice.planned_finish
        )
    return sorted({n.order_id for n in later})


# ---- the plan feeds the order's T&A milestones ------------------------------------------------------------------

START_CODE, HALF_CODE, COMPLETE_CODE = "PS", "P50", "PC"  # production start, 50% output, production complete


def plan_dates(order_ids: Iterable[int]) -> dict[int, dict[str, tuple[dt.date, str]]]:
    """For each order with released notices: when its production starts, reaches half its quantity and completes
    by the plan (the last operation of each notice carries the output)."""
    notices = list(
        ProductionNotice.objects.filter(order_id__in=list(order_ids), status=NoticeStatus.RELEASED).values(
            "pk", "order_id", "number", "quantity", "planned_start", "planned_finish"
        )
    )
    if not notices:
        return {}
    last_op = dict(
        PlanLoad.objects.filter(notice_id__in=[n["pk"] for n in notices])
        .order_by()
        .values("notice_id")
        .annotate(last=models.Max("position"))
        .values_list("notice_id", "last")
    )
    output: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for notice_id, position, day, quantity in (
        PlanLoad.objects.filter(notice_id__in=list(last_op))
        .order_by("date")
        .values_list("notice_id", "position", "date", "quantity")
    ):
        if position == last_op[notice_id]:
            output[notice_id].append((day, quantity))
    result: dict[int, dict[str, tuple[dt.date, str]]] = {}
    by_order: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for n in notices:
        by_order[n["order_id"]].append(n)
    for order_id, items in by_order.items():
        starts = [n["planned_start"] for n in items if n["planned_start"]]
        finishes = [n["planned_finish"] for n in items if n["planned_finish"]]
        if not starts or not finishes:
            continue
        numbers = ", ".join(n["number"] for n in items)
        dates = {
            START_CODE: (min(starts), _("Planned start of %(notices)s") % {"notices": numbers}),
            COMPLETE_CODE: (max(finishes), _("Planned finish of %(notices)s") % {"notices": numbers}),
        }
        total = sum((n["quantity"] for n in items), ZERO)
        made, half = ZERO, None
        for day, quantity in sorted(d for n in items for d in output.get(n["pk"], [])):
            made += quantity
            if made * 2 >= total:
                half = day
                break
        if half is not None:
            dates[HALF_CODE] = (half, _("Half of %(notices)s planned by then") % {"notices": numbers})
        result[order_id] = dates
    return result


def feed_plan(order_ids: Iterable[int], *, by: Any = None) -> int:
    """Feed the production milestones of the orders from the plan and, once output is reported, from progress:
    production start is done the day output first appears; 50 % output and production complete are done the day
    they are reached, else forecast at the run rate (a slow line moves the forecast the day it slows, so the order
    shows on the risk board), else planned. Returns how many milestones changed."""
    from gendan.core.calendar import company_calendar
    from gendan.followup.services import complete_milestone, feed_dates
    from gendan.sales.models import Order

    ids = list(set(order_ids))
    dates = plan_dates(ids)
    reported = set(DailyReport.objects.filter(order_id__in=ids).values_list("order_id", flat=True))
    done: list[tuple[int, str, dt.date, str]] = []
    calendar = company_calendar()
    today = clock.today()
    for order in Order.objects.filter(pk__in=reported):
        p = progress(order, today=today)
        plan = dates.setdefault(order.pk, {})
        rate = f"{p.run_rate.normalize():f}" if p.run_rate is not None else "0"
        done.append((order.pk, START_CODE, p.started, _("Output reported from %(day)s") % {"day": p.started}))
        plan.pop(START_CODE, None)
        if p.half_reached:
            done.append((order.pk, HALF_CODE, p.half_reached, _("Half the quantity made")))
            plan.pop(HALF_CODE, None)
        elif p.run_rate:
            days = int(((p.total / 2 - p.actual) / p.run_rate).to_integral_value(rounding="ROUND_CEILING"))
            plan[HALF_CODE] = (calendar.add(today, days), _("At the run rate of %(rate)s a day") % {"rate": rate})
        if p.completed:
            done.append((order.pk, COMPLETE_CODE, p.completed, _("All the quantity made")))
            plan.pop(COMPLETE_CODE, None)
        elif p.forecast_completion_date:
            plan[COMPLETE_CODE] = (
                p.forecast_completion_date,
                _("%(actual)s of %(total)s made; at the run rate of %(rate)s a day")
                % {"actual": f"{p.actual.normalize():f}", "total": f"{p.total.normalize():f}", "rate": rate},
            )
        else:
            stalled = max(p.planned_finish or today, calendar.add(today, 1))
            plan[COMPLETE_CODE] = (stalled, _("No output in the last %(n)s working days") % {"n": RUN_RATE_DAYS})
    changed = 0
    for code in (START_CODE, HALF_CODE, COMPLETE_CODE):
        feed = {pk: dates.get(pk, {}).get(code, (None, "")) for pk in ids}
        changed += feed_dates(code=code, dates=feed, by=by)
    for order_id, code, day, note in done:
        changed += complete_milestone(order_id=order_id, code=code, day=day, note=note, by=by)
    return changed


# ---- daily production reports (生产日报表), progress and its forecast --------------------------------------------

# RUN_RATE_DAYS and tolerance() live in selectors beside the output they measure (imported above).


def _report_qty(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0).strip())
    except ArithmeticError:
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({field: _("Enter zero or more.")})
    if number != number.quantize(Decimal("0.001")):
        raise ValidationError({field: _("Use at most 3 decimal places.")})
    return number


def _notice_for(order_id: int, work_centre_id: int) -> ProductionNotice | None:
    """The order's released notice whose routing passes the work centre (the one due first)."""
    return (
        ProductionNotice.objects.filter(
            order_id=order_id,
            status=NoticeStatus.RELEASED,
            product__routing__work_centre_id=work_centre_id,
        )
        .order_by("due_date", "pk")
        .first()
    )


def _subcontract_for(factory: WorkCentre, item: dict[str, Any]) -> Any:
    """The subcontract order a factory's report is on: the one named, else the order's (or notice's) out at the
    factory — the one still out first."""
    from gendan.production.choices import SUBCONTRACT_COMMITTED
    from gendan.production.models import SubcontractOrder

    qs = SubcontractOrder.objects.filter(factory=factory, status__in=SUBCONTRACT_COMMITTED).select_related("notice")
    if item.get("subcontract_id"):
        return qs.filter(pk=item["subcontract_id"]).first()
    if item.get("notice_id"):
        qs = qs.filter(notice_id=item["notice_id"])
    elif str(item.get("order_id") or "").isdigit():
        qs = qs.filter(order_id=int(item["order_id"]))
    else:
        return None
    return qs.order_by(models.Case(models.When(status="sent", then=0), default=1), "due_date", "pk").first()


def _cumulative(notice_id: int, work_centre_id: int, day: dt.date) -> tuple[Decimal, Decimal]:
    """(planned, actual) cumulative output of a notice at a work centre up to `day`."""
    planned = (
        PlanLoad.objects.filter(notice_id=notice_id, work_centre_id=work_centre_id, date__lte=day).aggregate(
            total=Sum("quantity")
        )["total"]
        or ZERO
    )
    actual = (
        DailyReport.objects.filter(notice_id=notice_id, work_centre_id=work_centre_id, date__lte=day).aggregate(
            total=Sum("good_qty")
        )["total"]
        or ZERO
    )
    return planned, actual


@transaction.atomic
def record_reports(*, by: Any, items: list[dict[str, Any]], reporter: str = "") -> list[DailyReport]:
    """Record daily production reports, a whole line's grid at once (all or nothing): per day, work centre and
    order (its released notice through that work centre unless `notice_id` names one), good output, defects, scrap,
    hours and headcount. A day that leaves the cumulative output behind plan by more than GENDAN_PRODUCTION_TOLERANCE
    % needs a variance reason. Reporting the same day again replaces it. The orders' production milestones follow."""
    from gendan.core.services import ensure_can
    from gendan.production.choices import VarianceReason

    if by is not None:
        ensure_can(by, "production.add_dailyreport", _("You may not record production reports."))
    if not items:
        raise ValidationError({"items": _("Give at least one report.")})
    today = clock.today()
    errors: dict[str, str] = {}
    saved: list[DailyReport] = []
    orders: set[int] = set()
    for index, item in enumerate(items, start=1):
        where = f"items.{index}" if len(items) > 1 else ""

        def err(field: str, message: str, where: str = where) -> None:
            errors[f"{where}.{field}" if where else field] = message

        try:
            day = item.get("date")
            day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        except ValueError:
            day = None
        if not isinstance(day, dt.date):
            err("date", _("Give a date as YYYY-MM-DD."))
            continue
        if day > today:
            err("date", _("A report cannot be for a day to come."))
            continue
        centre = WorkCentre.objects.filter(pk=item.get("work_centre_id")).first()
        if centre is None:
            err("work_centre_id", _("There is no work centre %(id)s.") % {"id": item.get("work_centre_id")})
            continue
        notice = None
        subcontract = _subcontract_for(centre, item) if centre.kind == WorkCentreKind.FACTORY else None
        if subcontract is not None:
            notice = subcontract.notice
        elif item.get("notice_id"):
            notice = ProductionNotice.objects.filter(pk=item["notice_id"], status=NoticeStatus.RELEASED).first()
        elif item.get("order_id"):
            notice = _notice_for(int(item["order_id"]), centre.pk)
        if notice is None and centre.kind == WorkCentreKind.FACTORY:
            err("order_id", _("No subcontract order of this order is out at %(centre)s.") % {"centre": centre.code})
            continue
        if notice is None:
            err(
                "order_id",
                _("No released production notice of this order passes %(centre)s.") % {"centre": centre.code},
            )
            continue
        try:
            values = {f: _report_qty(item.get(f), f) for f in ("good_qty", "defect_qty", "scrap_qty", "hours")}
        except ValidationError as exc:
            for field, messages in exc.errors.items():
                err(field, messages[0])
            continue
        headcount = item.get("headcount") or 0
        if not str(headcount).isdigit():
            err("headcount", _("Enter a whole number."))
            continue
        reason = str(item.get("variance_reason") or "")
        if reason and reason not in VarianceReason.values:
            err("variance_reason", _("Choose a valid variance reason."))
            continue
        report, _created = DailyReport.objects.update_or_create(
            date=day,
            work_centre=centre,
            notice=notice,
            defaults={
                "order_id": notice.order_id,
                "subcontract": subcontract,
                **values,
                "headcount": int(headcount),
                "variance_reason": reason,
                "note": str(item.get("note") or "")[:300],
                "reported_by": reporter or (by.username if by else ""),
                "created_at": clock.now(),
            },
        )
        planned, actual = _cumulative(notice.pk, centre.pk, day)
        behind = planned - actual
        if is_behind(planned, actual, tolerance()) and not reason:
            err(
                "variance_reason",
                _("%(centre)s is %(behind)s behind plan on %(order)s (%(actual)s of %(planned)s): say why.")
                % {
                    "centre": centre.code,
                    "behind": f"{behind.normalize():f}",
                    "order": notice.number,
                    "actual": f"{actual.normalize():f}",
                    "planned": f"{planned.normalize():f}",
                },
            )
            continue
        saved.append(report)
        orders.add(notice.order_id)
    if errors:
        raise ValidationError(errors)
    for report in saved:
        audit.record(
            instance=report.notice,
            action=AuditAction.UPDATE,
            by=by,
            actor=reporter,
            message=_("Daily report %(date)s %(centre)s: %(good)s good, %(defects)s defects, %(scrap)s scrap")
            % {
                "date": report.date.isoformat(),
                "centre": report.work_centre.code,
                "good": f"{report.good_qty.normalize():f}",
                "defects": f"{report.defect_qty.normalize():f}",
                "scrap": f"{report.scrap_qty.normalize():f}",
            },
            related=report.order,
        )
    _close_made(sorted({r.notice_id for r in saved}), by=by)
    feed_plan(orders, by=by)
    return saved


def _close_made(notice_ids: list[int], *, by: Any) -> None:
    """A released notice whose whole quantity has left its last operation is done (生产完成): its plan's days still
    to come are freed for the notices after it."""
    if not notice_ids:
        return
    output = output_by_day(notice_ids)
    for notice in ProductionNotice.objects.select_for_update().filter(pk__in=notice_ids, status=NoticeStatus.RELEASED):
        made = sum(output.actual.get(notice.pk, {}).values(), ZERO)
        if made < notice.quantity:
            continue
        last_day = max(output.actual[notice.pk])
        notice.status = NoticeStatus.DONE
        notice.version += 1
        notice.save(update_fields=["status", "version"])
        PlanLoad.objects.filter(notice=notice, subcontract__isnull=True, date__gt=last_day).delete()
        audit.record(
            instance=notice,
            action=AuditAction.TRANSITION,
            by=by,
            changes={"status": [NoticeStatus.RELEASED, NoticeStatus.DONE]},
            message=_("All %(quantity)s made by %(day)s") % {"quantity": f"{made.normalize():f}", "day": last_day},
            related=notice.order,
        )


@dataclass
class Progress:
    """The plan-progress tracking table (生产计划进度跟踪表) of an order: its finished output day by day."""

    rows: list[dict[str, Any]]
    total: Decimal
    actual: Decimal
    planned_finish: dt.date | None
    forecast_completion_date: dt.date | None
    run_rate: Decimal | None
    started: dt.date | None
    half_reached: dt.date | None
    completed: dt.date | None
    defect_rate: Decimal | None
    scrap_rate: Decimal | None


def progress(order: Any, *, today: dt.date | None = None) -> Progress:
    """Planned against actual cumulative output per day (as `selectors.output_by_day` counts output), % complete,
    defect and scrap rates, and the completion forecast from the run rate (`selectors.forecast_completion`): what
    remains ÷ the average daily output of the last RUN_RATE_DAYS working days, counted on the company calendar from
    today."""
    from gendan.core.calendar import company_calendar

    today = today or clock.today()
    calendar = company_calendar()
    notices = list(
        ProductionNotice.objects.filter(order=order, status__in=(NoticeStatus.RELEASED, NoticeStatus.DONE)).only(
            "pk", "quantity", "planned_finish"
        )
    )
    total = sum((n.quantity for n in notices), ZERO)
    output = output_by_day([n.pk for n in notices])
    planned_by_day = sum_by_day(output.planned.values())
    actual_by_day = sum_by_day(output.actual.values())
    starts = list(output.started.values())
    started = min(starts) if starts else None
    days = sorted(set(planned_by_day) | set(actual_by_day))
    rows, planned_cum, actual_cum = [], ZERO, ZERO
    if days:
        day = days[0]
        end = max(days[-1], today)
        while day <= end:
            planned_cum += planned_by_day.get(day, ZERO)
            actual_cum += actual_by_day.get(day, ZERO)
            if day in planned_by_day or day in actual_by_day or day == today:
                future = day > today  # days to come have a plan, not yet an actual
                rows.append(
                    {
                        "date": day,
                        "planned_cum": planned_cum,
                        "actual_cum": None if future else actual_cum,
                        "variance": None if future else actual_cum - planned_cum,
                        "pct_complete": None if future else pct(actual_cum, total),
                    }
                )
            day += dt.timedelta(days=1)
    half = first_day_reaching(actual_by_day, total / 2) if total else None
    completed = first_day_reaching(actual_by_day, total) if total else None
    planned_finish = max((n.planned_finish for n in notices if n.planned_finish), default=None)
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
    made = sum(output.made.values(), ZERO)
    return Progress(
        rows=rows,
        total=total,
        actual=actual_cum,
        planned_finish=planned_finish,
        forecast_completion_date=forecast,
        run_rate=rate,
        started=started,
        half_reached=half,
        completed=completed,
        defect_rate=pct(sum(output.defects.values(), ZERO), made),
        scrap_rate=pct(sum(output.scrap.values(), ZERO), made),
    )


# ---- production anomalies (生产异常) --------------------------------------------------------------------------------


@transaction.atomic
def raise_anomaly(*, by: Any, data: dict[str, Any]) -> Anomaly:
    """Raise an anomaly on an order: kind, severity, what happened, owner (default: whoever raises it), resolve-by
    date (default: the next working day). The owner hears of it and finds it in the chase list."""
    from gendan.core.calendar import company_calendar
    from gendan.core.models import User
    from gendan.core.notifications import notify_in_their_language
    from gendan.core.services import ensure_can
    from gendan.production.choices import AnomalyKind, Severity
    from gendan.sales.models import Order

    ensure_can(by, "production.add_anomaly", _("You may not raise production anomalies."))
    errors: dict[str, str] = {}
    order = Order.objects.filter(pk=data.get("order_id") or 0).first()
    if order is None:
        errors["order_id"] = _("There is no order %(id)s.") % {"id": data.get("order_id")}
    kind = data.get("kind")
    if kind not in AnomalyKind.values:
        errors["kind"] = _("Choose a kind of anomaly.")
    severity = data.get("severity") or Severity.MEDIUM
    if severity not in Severity.values:
        errors["severity"] = _("Choose a severity.")
    description = str(data.get("description") or "").strip()
    if not description:
        errors["description"] = _("Say what happened.")
    owner = by
    if data.get("owner"):
        owner = User.objects.filter(username=data["owner"], is_active=True).first()
        if owner is None:
            errors["owner"] = _("There is no active user %(name)s.") % {"name": data["owner"]}
    centre = None
    if data.get("work_centre_id"):
        centre = WorkCentre.objects.filter(pk=data["work_centre_id"]).first()
        if centre is None:
            errors["work_centre_id"] = _("There is no work centre %(id)s.") % {"id": data["work_centre_id"]}
    due = data.get("due_date") or company_calendar().add(clock.today(), 1)
    if isinstance(due, str):
        try:
            due = dt.date.fromisoformat(due)
        except ValueError:
            errors["due_date"] = _("Give a date as YYYY-MM-DD.")
    if errors:
        raise ValidationError(errors)
    anomaly = Anomaly.objects.create(
        order=order,
        work_centre=centre,
        kind=kind,
        severity=severity,
        description=description[:5000],
        owner=owner,
        due_date=due,
        raised_by=by,
    )
    audit.record_create(
        instance=anomaly, by=by, fields=["kind", "severity", "owner", "due_date", "description"], related=order
    )
    if owner != by:
        from django.urls import reverse

        notify_in_their_language(
            recipients=[owner],
            title=lambda: _("Production anomaly on %(order)s for you") % {"order": order.number},
            body=lambda: description[:500],
            url=reverse("production:anomaly", args=[anomaly.pk]),
            actor=by,
        )
    return anomaly


@transaction.atomic
def add_action(*, anomaly: Anomaly, by: Any, text: str) -> AnomalyAction:
    from gendan.core.services import ensure_can

    ensure_can(by, "production.change_anomaly", _("You may not follow production anomalies."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what was done.")})
    locked = Anomaly.objects.select_for_update().get(pk=anomaly.pk)
    if locked.closed_at is not None:
        raise TransitionNotAllowed(_("This anomaly is closed."))
    action = AnomalyAction.objects.create(anomaly=locked, text=text[:5000], by=by, at=clock.now())
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, message=text[:500], related=locked.order)
    return action


@transaction.atomic
def close_anomaly(*, anomaly: Anomaly, by: Any, resolution: str) -> Anomaly:
    from gendan.core.services import ensure_can

    ensure_can(by, "production.change_anomaly", _("You may not follow production anomalies."))
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say how it was resolved.")})
    locked = Anomaly.objects.select_for_update().get(pk=anomaly.pk)
    if locked.closed_at is not None:
        raise TransitionNotAllowed(_("This anomaly is closed."))
    locked.closed_at = clock.now()
    locked.resolution = resolution[:5000]
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.TRANSITION,
        by=by,
        changes={"closed_at": [None, locked.closed_at]},
        message=resolution[:500],
        related=locked.order,
    )
    return locked
