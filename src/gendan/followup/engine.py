"""The scheduling engine of the T&A plan: pure functions over dates, with no database.

- `backward_schedule` gives each milestone its planned date from the committed ex-factory date: its offset in
  working days on the company calendar, then pulled earlier where a successor needs it `lag` working days before.
- `forecast` runs the forward pass: a milestone's forecast is its actual date when it has one, else the latest of
  its plan, its recorded forecast (a promise), the date another domain feeds it (purchase orders feed "materials in
  house"), today when its plan has passed, and each predecessor's
  actual-or-forecast plus the lag.
- `driving_chain` names the milestones that push the ex-factory forecast: the critical path of the slip, from
  the milestone that drives it.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from graphlib import CycleError, TopologicalSorter

from gendan.core.calendar import WorkingCalendar


@dataclass(frozen=True)
class Spec:
    """One milestone of a plan: its code, offset in working days from the ex-factory date (negative before it),
    and its predecessors as (code, lag in working days)."""

    code: str
    offset: int
    depends_on: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class State:
    """What is known of one milestone now."""

    planned: dt.date
    actual: dt.date | None = None
    promised: dt.date | None = None  # a recorded forecast, e.g. what a colleague promised
    fed: dt.date | None = None  # a date another domain feeds, e.g. the latest promised delivery of its materials


@dataclass(frozen=True)
class Forecast:
    dates: dict[str, dt.date]
    # for each milestone, the predecessor that set its forecast (None when its own plan, promise or today did)
    driven_by: dict[str, str | None] = field(default_factory=dict)


def order_of(specs: Iterable[Spec]) -> list[str]:
    """The codes in dependency order (predecessors first); ValueError on an unknown code or a cycle."""
    return list(_order_of(tuple((s.code, tuple(p for p, _lag in s.depends_on)) for s in specs)))


@lru_cache(maxsize=1024)
def _order_of(graph_items: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, ...]:
    """Cached: the orders of one template share their graph, and the nightly run sorts it once."""
    known = {code for code, _preds in graph_items}
    graph: dict[str, set[str]] = {}
    for code, preds in graph_items:
        for pred in preds:
            if pred not in known:
                raise ValueError(f"{code} depends on unknown milestone {pred}")
        graph[code] = set(preds)
    try:
        return tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise ValueError(f"the milestones depend on each other in a circle: {exc.args[1]}") from exc


def backward_schedule(specs: Iterable[Spec], ex_factory: dt.date, calendar: WorkingCalendar) -> dict[str, dt.date]:
    """Planned dates on working days, each predecessor at least `lag` working days before its successors."""
    specs = list(specs)
    by_code = {s.code: s for s in specs}
    planned = {s.code: calendar.add(ex_factory, s.offset) for s in specs}
    for code in reversed(order_of(specs)):
        for pred, lag in by_code[code].depends_on:
            latest = calendar.add(planned[code], -lag)
            if latest < planned[pred]:
                planned[pred] = latest
    return planned


def forecast(specs: Iterable[Spec], states: Mapping[str, State], today: dt.date, calendar: WorkingCalendar) -> Forecast:
    """The forward pass over the plan (see the module's docstring)."""
    specs = list(specs)
    by_code = {s.code: s for s in specs}
    dates: dict[str, dt.date] = {}
    driven_by: dict[str, str | None] = {}
    for code in order_of(specs):
        state = states[code]
        if state.actual is not None:
            dates[code], driven_by[code] = state.actual, None
            continue
        own = max(state.planned, state.promised or state.planned, state.fed or state.planned)
        if state.planned < today:
            own = max(own, calendar.next_working_day(today))
        best, by = own, None
        for pred, lag in by_code[code].depends_on:
            candidate = calendar.add(dates[pred], lag)
            if candidate > best:
                best, by = candidate, pred
        dates[code], driven_by[code] = best, by
    return Forecast(dates=dates, driven_by=driven_by)


def driving_chain(result: Forecast, states: Mapping[str, State], target: str) -> list[str]:
    """The milestones behind `target`'s slip, from the one that drives it to `target`; [] when on plan.

    Walk back from `target` through the predecessor that set each forecast, to a milestone whose forecast is its
    own (a late actual, a promise, a plan that has passed, or a plan later than its successors need). The chain
    starts at the first milestone on it that is not done on time: one done on or before its plan cannot be the
    cause, the one it pushes can (a compressed plan: confirmed today pushes materials ordered).
    """
    if result.dates[target] <= states[target].planned:
        return []
    chain = [target]
    code = target
    while (pred := result.driven_by.get(code)) is not None:
        chain.append(pred)
        code = pred
    chain.reverse()
    for index, c in enumerate(chain):
        state = states[c]
        if state.actual is None or state.actual > state.planned:
            return chain[index:]
    return chain[-1:]
