"""The finite-capacity scheduler: pure functions over days and capacities, with no database.

`schedule` places a job's operations in sequence, forward from a start day: each operation takes the free capacity
of its work centre day by day (capacity less what is already used, less what earlier operations of the same job
took), and may start on the day the operation before it ends. Capacity is whatever the caller says a work centre
has on a day: the company's rest days have none unless an exception (overtime on a Saturday) gives some. Optional
overtime adds a second allowance per work centre and day, taken only when the normal capacity of that day is used
up. A job that does not fit within the given days has no finish date.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
Key = tuple[int, dt.date]  # (work centre id, day)


@dataclass(frozen=True)
class Op:
    """One operation of a job: its sequence number, its work centre, and the capacity it needs there (hours with
    the setup, or units on a work centre counted in units)."""

    position: int
    work_centre: int
    amount: Decimal


@dataclass(frozen=True)
class Slot:
    """What one operation takes at its work centre on one day, and how much of it is overtime."""

    position: int
    work_centre: int
    day: dt.date
    amount: Decimal
    overtime: Decimal = ZERO


@dataclass
class Schedule:
    slots: list[Slot] = field(default_factory=list)
    finish: dt.date | None = None  # None: the job does not fit in the days given
    start: dt.date | None = None

    def load(self) -> dict[Key, Decimal]:
        """The capacity the job takes per (work centre, day)."""
        result: dict[Key, Decimal] = {}
        for s in self.slots:
            result[(s.work_centre, s.day)] = result.get((s.work_centre, s.day), ZERO) + s.amount
        return result

    def overtime(self) -> dict[Key, Decimal]:
        result: dict[Key, Decimal] = {}
        for s in self.slots:
            if s.overtime:
                result[(s.work_centre, s.day)] = result.get((s.work_centre, s.day), ZERO) + s.overtime
        return result


def schedule(
    ops: Sequence[Op],
    *,
    days: Sequence[dt.date],
    capacity: Mapping[Key, Decimal],
    used: Mapping[Key, Decimal] | None = None,
    overtime: Mapping[Key, Decimal] | None = None,
) -> Schedule:
    """Place `ops` in sequence over `days` (consecutive calendar days, the first is the earliest start).

    `capacity` gives each (work centre, day) its capacity (missing: none), `used` what is already planned there,
    `overtime` the extra a day may take once its capacity is used up.
    """
    used = used or {}
    overtime = overtime or {}
    taken: dict[Key, Decimal] = {}
    taken_overtime: dict[Key, Decimal] = {}
    result = Schedule()
    index = 0
    last = len(days) - 1
    for op in ops:
        remaining = op.amount
        while True:
            day = days[index]
            key = (op.work_centre, day)
            if remaining > 0:
                free = capacity.get(key, ZERO) - used.get(key, ZERO) - taken.get(key, ZERO)
                normal = min(free, remaining) if free > 0 else ZERO
                extra = ZERO
                if remaining - normal > 0 and key in overtime:
                    spare = overtime[key] - taken_overtime.get(key, ZERO)
                    extra = min(spare, remaining - normal) if spare > 0 else ZERO
                if normal or extra:
                    amount = normal + extra
                    taken[key] = taken.get(key, ZERO) + normal
                    if extra:
                        taken_overtime[key] = taken_overtime.get(key, ZERO) + extra
                    remaining -= amount
                    result.slots.append(Slot(op.position, op.work_centre, day, amount, extra))
                    if result.start is None:
                        result.start = day
            if remaining <= 0:
                break  # the next operation may start this same day
            if index == last:
                return Schedule(slots=result.slots, finish=None, start=result.start)
            index += 1
    result.finish = days[index] if ops else days[0]
    if result.start is None:
        result.start = result.finish
    return result
