"""The planner's hand on the plan (生产计划调整): the daily quantities of a released notice's operations, set by hand.

The scheduler proposes each operation's daily quantities; the planner may move them — pull work forward, spread
it over a slack week, keep a day free for a sample run. `edit_plan` takes the new quantities of some operations from
today on (the days before today are history and stay as planned), checks that each operation still plans exactly
its in-house quantity, only on days its work centre has capacity, never ahead of the operation before it, and
re-checks the capacity of every work centre and day the edit adds load to, against what already comes first there
(the notices due on or before this one and every plan adjusted by hand). A day over capacity but within the work
centre's allowed overtime is saved only when the planner accepts the overload (the overtime is then planned on that
day); beyond it the edit is refused. A plan adjusted by hand stays where it is: re-planning after a release leaves
it, and it comes first for every notice planned after it. `reset_plan` hands the notice back to the scheduler.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from gendan.catalog.choices import CapacityUnit
from gendan.catalog.models import WorkCentre
from gendan.catalog.selectors import day_capacity
from gendan.core import audit, clock
from gendan.core.choices import AuditAction
from gendan.core.editing import check_version
from gendan.core.exceptions import InsufficientQuantity, TransitionNotAllowed, ValidationError
from gendan.production.choices import NoticeStatus
from gendan.production.models import PlanLoad, ProductionNotice
from gendan.production.selectors import planned_load
from gendan.production.services import Job, feed_plan, job_for, outsourced_quantities, replan_after

ZERO = Decimal(0)
HOURS = Decimal("0.01")
QTY = Decimal("0.001")
GRID_DAYS_BEFORE = 7  # days the grid shows before a planned start still to come
GRID_DAYS_AFTER = 10  # days the grid shows past the later of the planned finish and the due date
GRID_MAX_DAYS = 120

__all__ = ["Overloaded", "PlanGrid", "edit_plan", "notice_plan", "plan_grid", "reset_plan"]


class Overloaded(InsufficientQuantity):
    """The edit loads work centres over their capacity (within their allowed overtime) on some days."""

    def __init__(self, overloads: list[dict[str, Any]]) -> None:
        self.overloads = overloads
        super().__init__(
            {
                "rows": [
                    _("%(wc)s on %(day)s: %(planned)s planned of %(capacity)s; accept the overload to plan overtime.")
                    % _overload_figures(o)
                    for o in overloads
                ]
            }
        )
        self.extra = {"overloads": overloads}


def _overload_figures(o: dict[str, Any]) -> dict[str, str]:
    return {
        "wc": o["work_centre"],
        "day": o["date"].isoformat(),
        "planned": f"{o['planned'].normalize():f}",
        "capacity": f"{o['capacity'].normalize():f}",
        "limit": f"{o['limit'].normalize():f}",
    }


def _limit(wc: WorkCentre, capacity: Decimal) -> Decimal:
    """The most a work centre can take on a day it works: its capacity, plus its allowed overtime (hours only)."""
    if capacity <= 0:
        return ZERO
    if wc.capacity_unit == CapacityUnit.HOURS and wc.max_overtime_hours:
        return max(capacity, wc.daily_capacity + wc.max_overtime_hours)
    return capacity


def _quantity(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value if value not in (None, "") else 0).strip())
    except (InvalidOperation, ArithmeticError):
        raise ValidationError({"rows": _("%(where)s: enter a number.") % {"where": where}}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({"rows": _("%(where)s: enter zero or more.") % {"where": where}})
    if number != number.quantize(QTY):
        raise ValidationError({"rows": _("%(where)s: at most three decimals.") % {"where": where}})
    return number


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({"rows": _("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}}) from None


def _loads(job: Job, plan: dict[int, dict[dt.date, Decimal]]) -> dict[tuple[int, dt.date], Decimal]:
    """The load of each operation and day of a plan: its quantity in units, or in hours at the standard minutes,
    with the setup on the operation's first day of work."""
    loads: dict[tuple[int, dt.date], Decimal] = {}
    for step in job.steps:
        centre = job.centres[step.work_centre_id]
        days = sorted(d for d, q in plan.get(step.position, {}).items() if q > 0)
        for index, day in enumerate(days):
            quantity = plan[step.position][day]
            if centre.capacity_unit == CapacityUnit.UNITS:
                loads[(step.position, day)] = quantity
            else:
                minutes = quantity * step.minutes_per_unit + (step.setup_minutes if index == 0 else ZERO)
                loads[(step.position, day)] = (minutes / 60).quantize(HOURS)
    return loads


@dataclass
class Proposal:
    """An edit checked against the routing, the calendar and the capacity: the notice's whole new in-house plan
    per operation and day, its loads, and the days it overloads."""

    job: Job
    plan: dict[int, dict[dt.date, Decimal]]
    loads: dict[tuple[int, dt.date], Decimal]
    overloads: list[dict[str, Any]] = field(default_factory=list)
    changes: dict[str, list[Any]] = field(default_factory=dict)


def _propose(notice: ProductionNotice, items: list[dict[str, Any]]) -> Proposal:
    today = clock.today()
    job = job_for(notice.product, notice.quantity, outsourced=outsourced_quantities(notice.pk))
    steps = {s.position: s for s in job.steps}
    required = job.quantities()
    current: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for position, day, quantity in PlanLoad.objects.filter(notice=notice, subcontract__isnull=True).values_list(
        "position", "date", "quantity"
    ):
        current[position][day] = current[position].get(day, ZERO) + quantity
    given: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for item in items:
        try:
            position = int(item.get("position"))
        except (TypeError, ValueError):
            position = None
        if position not in steps:
            raise ValidationError(
                {
                    "rows": _("%(number)s has no operation %(position)s.")
                    % {"number": notice.number, "position": item.get("position")}
                }
            )
        day = _date(item.get("date"))
        where = f"{steps[position].name} {day.isoformat()}"
        if day < today:
            raise ValidationError(
                {"rows": _("%(where)s: days before today are history and cannot be planned again.") % {"where": where}}
            )
        if day in given[position]:
            raise ValidationError({"rows": _("%(where)s is given twice.") % {"where": where}})
        given[position][day] = _quantity(item.get("quantity"), where)
    if not given:
        raise ValidationError({"rows": _("Give the daily quantities of at least one operation.")})
    plan: dict[int, dict[dt.date, Decimal]] = {}
    for position in steps:
        if position in given:  # the days before today stay; from today the given days are the whole plan
            kept = {d: q for d, q in current.get(position, {}).items() if d < today}
            plan[position] = {**kept, **{d: q for d, q in given[position].items() if q > 0}}
        else:
            plan[position] = dict(current.get(position, {}))
    # each operation plans exactly its in-house quantity
    for position in given:
        total = sum(plan[position].values(), ZERO)
        if total != required[position]:
            raise ValidationError(
                {
                    "rows": _("%(op)s plans %(total)s but makes %(required)s in-house: the days must add up to it.")
                    % {
                        "op": steps[position].name,
                        "total": f"{total.normalize():f}",
                        "required": f"{required[position].normalize():f}",
                    }
                }
            )
    days = sorted({d for p in plan.values() for d in p} | {today})
    capacity = day_capacity(list(job.centres), days[0], days[-1])
    # only on days the work centre works
    for position in given:
        wc = job.centres[steps[position].work_centre_id]
        for day, quantity in sorted(plan[position].items()):
            if quantity > 0 and day >= today and capacity.get((wc.pk, day), ZERO) <= 0:
                raise ValidationError(
                    {
                        "rows": _("%(wc)s does not work on %(day)s (no capacity that day): %(op)s cannot be planned.")
                        % {"wc": wc.code, "day": day.isoformat(), "op": steps[position].name}
                    }
                )
    # never ahead of the operation before it (both made in full in-house: what a factory made is not counted here)
    positions = [s.position for s in job.steps]
    for before, after in zip(positions, positions[1:], strict=False):
        if after not in given and before not in given:
            continue
        if job.outsourced.get(before) or job.outsourced.get(after):
            continue
        made_before = made_after = ZERO
        for day in days:
            made_before += plan[before].get(day, ZERO)
            made_after += plan[after].get(day, ZERO)
            if made_after > made_before:
                raise ValidationError(
                    {
                        "rows": _(
                            "%(after)s would have made %(made_after)s by %(day)s but %(before)s only %(made_before)s: "
                            "an operation cannot run ahead of the one before it."
                        )
                        % {
                            "after": steps[after].name,
                            "before": steps[before].name,
                            "day": day.isoformat(),
                            "made_after": f"{made_after.normalize():f}",
                            "made_before": f"{made_before.normalize():f}",
                        }
                    }
                )
    loads = _loads(job, plan)
    old_loads = _loads(job, current)
    proposal = Proposal(job=job, plan=plan, loads=loads)
    # the capacity re-check: each work centre and day the edit adds load to, against what comes first there
    by_centre: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    old_by_centre: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    for (position, day), load in loads.items():
        by_centre[(steps[position].work_centre_id, day)] += load
    for (position, day), load in old_loads.items():
        old_by_centre[(steps[position].work_centre_id, day)] += load
    used = planned_load(list(job.centres), today, days[-1], due_date=notice.due_date, exclude_notice=notice.pk)
    beyond = []
    for (wc_id, day), load in sorted(by_centre.items(), key=lambda item: (item[0][1], item[0][0])):
        if day < today or load <= old_by_centre[(wc_id, day)]:
            continue
        wc = job.centres[wc_id]
        cap = capacity.get((wc_id, day), ZERO)
        total = used.get((wc_id, day), ZERO) + load
        if total <= cap:
            continue
        row = {
            "work_centre_id": wc_id,
            "work_centre": wc.code,
            "date": day,
            "capacity": cap,
            "limit": _limit(wc, cap),
            "planned": total,
            "over": total - cap,
            "unit": wc.capacity_unit,
        }
        (beyond if total > row["limit"] else proposal.overloads).append(row)
    if beyond:
        raise ValidationError(
            {
                "rows": [
                    _("%(wc)s on %(day)s: %(planned)s planned, more than it can do with overtime (%(limit)s).")
                    % _overload_figures(o)
                    for o in beyond
                ]
            }
        )
    for position in given:
        name = f"#{position} {steps[position].name}"
        for day in sorted(set(plan[position]) | set(current.get(position, {}))):
            old, new = current.get(position, {}).get(day, ZERO), plan[position].get(day, ZERO)
            if old != new:
                proposal.changes[f"{name} {day.isoformat()}"] = [old, new]
    return proposal


def _save(notice: ProductionNotice, proposal: Proposal) -> None:
    steps = {s.position: s for s in proposal.job.steps}
    over_left = {(o["work_centre_id"], o["date"]): o["over"] for o in proposal.overloads}
    rows = []
    for (position, day), load in sorted(proposal.loads.items()):
        wc_id = steps[position].work_centre_id
        overtime = min(load, over_left.get((wc_id, day), ZERO))
        if overtime:
            over_left[(wc_id, day)] -= overtime
        rows.append(
            PlanLoad(
                notice=notice,
                position=position,
                work_centre_id=wc_id,
                date=day,
                load=load,
                overtime=overtime,
                quantity=proposal.plan[position][day],
                due_date=notice.due_date,
            )
        )
    PlanLoad.objects.filter(notice=notice, subcontract__isnull=True).delete()
    PlanLoad.objects.bulk_create(rows, batch_size=1000)
    span = PlanLoad.objects.filter(notice=notice).aggregate(start=models.Min("date"), finish=models.Max("date"))
    notice.planned_start, notice.planned_finish = span["start"], span["finish"]


def _locked(notice: ProductionNotice, version: int | None) -> ProductionNotice:
    locked = (
        ProductionNotice.objects.select_for_update(of=("self",)).select_related("product", "order").get(pk=notice.pk)
    )
    check_version(locked, version)
    if locked.status != NoticeStatus.RELEASED:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: only a released notice has a plan to adjust.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def edit_plan(
    *,
    notice: ProductionNotice,
    by: Any,
    items: list[dict[str, Any]],
    version: int | None = None,
    accept_overload: bool = False,
    check_only: bool = False,
) -> Proposal:
    """Set the daily quantities of some of a released notice's operations from today on (see the module's
    docstring). `items` are `{position, date, quantity}`; an operation given is planned on exactly the days given
    from today. Raises `Overloaded` when the edit loads a work centre over its capacity and the overload is not
    accepted; `check_only` answers the check and saves nothing. Notices due later are planned again behind it."""
    from gendan.core.services import ensure_can

    ensure_can(by, "production.edit_plan", _("Only production planning adjusts the plan."))
    locked = _locked(notice, version)
    # plan changes at the same work centres are made one at a time
    list(
        WorkCentre.objects.select_for_update()
        .filter(pk__in=list(locked.product.routing.values_list("work_centre_id", flat=True)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    proposal = _propose(locked, items)
    if check_only:
        return proposal
    if not proposal.changes:
        raise ValidationError({"rows": _("Nothing changed.")})
    if proposal.overloads and not accept_overload:
        raise Overloaded(proposal.overloads)
    before = (locked.planned_start, locked.planned_finish)
    _save(locked, proposal)
    locked.plan_edited = True
    locked.version += 1
    locked.save(update_fields=["planned_start", "planned_finish", "plan_edited", "version", "updated_at"])
    message = _("Plan adjusted by hand")
    if proposal.overloads:
        message += "; " + _("overload accepted: %(days)s") % {
            "days": ", ".join(
                f"{o['work_centre']} {o['date'].isoformat()} +{o['over'].normalize():f}" for o in proposal.overloads
            )
        }
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={
            **proposal.changes,
            **({"planned_start": [before[0], locked.planned_start]} if before[0] != locked.planned_start else {}),
            **({"planned_finish": [before[1], locked.planned_finish]} if before[1] != locked.planned_finish else {}),
        },
        message=message,
        related=locked.order,
    )
    moved = replan_after(locked.due_date, exclude=locked.pk)
    feed_plan([locked.order_id, *moved], by=by)
    return proposal


@transaction.atomic
def reset_plan(*, notice: ProductionNotice, by: Any, version: int | None = None) -> ProductionNotice:
    """Hand a plan adjusted by hand back to the scheduler: plan it afresh (earliest due date first), and the
    notices due after it."""
    from gendan.core.services import ensure_can
    from gendan.production.services import _plan

    ensure_can(by, "production.edit_plan", _("Only production planning adjusts the plan."))
    locked = _locked(notice, version)
    if not locked.plan_edited:
        raise TransitionNotAllowed(_("%(number)s is already planned by the scheduler.") % {"number": locked.number})
    before = (locked.planned_start, locked.planned_finish)
    _plan(locked)
    locked.version += 1
    locked.save(update_fields=["planned_start", "planned_finish", "plan_edited", "version", "updated_at"])
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={
            "plan_edited": [True, False],
            "planned_start": [before[0], locked.planned_start],
            "planned_finish": [before[1], locked.planned_finish],
        },
        message=_("Planned again by the scheduler"),
        related=locked.order,
    )
    moved = replan_after(locked.due_date, exclude=locked.pk)
    feed_plan([locked.order_id, *moved], by=by)
    return locked


def notice_plan(notice: ProductionNotice) -> dict[str, Any]:
    """A released notice's in-house plan per operation: each day's quantity, load and overtime (three queries)."""
    from gendan.catalog.models import RoutingStep

    steps = list(RoutingStep.objects.filter(product_id=notice.product_id).select_related("work_centre"))
    outsourced = outsourced_quantities(notice.pk)
    days: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in PlanLoad.objects.filter(notice=notice, subcontract__isnull=True).order_by("position", "date"):
        days[row.position].append(
            {"date": row.date, "quantity": row.quantity, "load": row.load, "overtime": row.overtime}
        )
    return {
        "notice_id": notice.pk,
        "number": notice.number,
        "version": notice.version,
        "plan_edited": notice.plan_edited,
        "due_date": notice.due_date,
        "planned_start": notice.planned_start,
        "planned_finish": notice.planned_finish,
        "operations": [
            {
                "position": s.position,
                "operation": s.name,
                "work_centre_id": s.work_centre_id,
                "work_centre": s.work_centre.code,
                "unit": s.work_centre.capacity_unit,
                "quantity": max(notice.quantity - outsourced.get(s.position, ZERO), ZERO),
                "days": days.get(s.position, []),
            }
            for s in steps
        ],
    }


# ---- the grid the planner edits ---------------------------------------------------------------------------------


@dataclass
class PlanGrid:
    """A notice's in-house plan as a grid: one row per operation, one column per day; each cell its planned
    quantity, whether the work centre works that day, and the capacity left there for this notice (its capacity
    less what comes first); the days before today are read-only."""

    notice: ProductionNotice
    days: list[dt.date]
    rows: list[dict[str, Any]]
    today: dt.date
    earliest: dt.date  # the first day the grid could show (today, or the plan's first day when that is past)


def plan_grid(notice: ProductionNotice, *, since: dt.date | None = None, until: dt.date | None = None) -> PlanGrid:
    """The grid of a released notice: from its planned start when that is past, else from a week before it (not
    before today), or from `since`; to ten days past the later of its planned finish and due date, or `until`; at
    most 120 days. Five queries."""
    today = clock.today()
    job = job_for(notice.product, notice.quantity, outsourced=outsourced_quantities(notice.pk))
    required = job.quantities()
    planned_start = notice.planned_start or today
    first = min(planned_start, today)  # the grid never starts after the plan's history
    start = first if planned_start < today else max(today, planned_start - dt.timedelta(days=GRID_DAYS_BEFORE))
    if since is not None:
        start = max(first, min(since, start))
    end = max(notice.planned_finish or today, notice.due_date, today) + dt.timedelta(days=GRID_DAYS_AFTER)
    if until is not None and until > end:
        end = until
    end = min(end, start + dt.timedelta(days=GRID_MAX_DAYS - 1))
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    capacity = day_capacity(list(job.centres), start, end)
    used = planned_load(list(job.centres), start, end, due_date=notice.due_date, exclude_notice=notice.pk)
    cells: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    loads: dict[tuple[int, dt.date], Decimal] = defaultdict(lambda: ZERO)
    for position, work_centre_id, day, quantity, load in PlanLoad.objects.filter(
        notice=notice, subcontract__isnull=True, date__gte=start, date__lte=end
    ).values_list("position", "work_centre_id", "date", "quantity", "load"):
        cells[(position, day)] += quantity
        loads[(work_centre_id, day)] += load
    rows = []
    for step in job.steps:
        wc = job.centres[step.work_centre_id]
        row_cells = []
        for day in days:
            cap = capacity.get((wc.pk, day), ZERO)
            free = cap - used.get((wc.pk, day), ZERO)
            row_cells.append(
                {
                    "date": day,
                    "quantity": cells.get((step.position, day), ZERO),
                    "works": cap > 0,
                    "editable": day >= today and cap > 0,
                    "free": free,
                    "over": loads.get((wc.pk, day), ZERO) > max(free, ZERO) and cap > 0,
                }
            )
        rows.append(
            {
                "position": step.position,
                "operation": step.name,
                "work_centre": wc,
                "required": required[step.position],
                "planned": sum((c["quantity"] for c in row_cells), ZERO),
                "cells": row_cells,
            }
        )
    return PlanGrid(notice=notice, days=days, rows=rows, today=today, earliest=first)
