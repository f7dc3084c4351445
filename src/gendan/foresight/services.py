"""The learned forecast of every open order (the nightly job after the re-forecast).

For each planned order that has not left the factory, `learn_forecasts` fits the delays history shows
(`gendan.foresight.history`) and stores on the order:

- `on_time_probability`: the share of `DRAWS` simulated futures in which it leaves the factory by its committed
  date — each remaining milestone drawn from the delays of its source (`gendan.followup.learning.simulate`);
- `learned_ex_factory_date`: the forward pass with each remaining milestone's expected delay;
- `learned_driver`: the milestone that pushes that date past the committed one, or else the one with the largest
  expected delay.

**Whose delays.** Materials in house with purchase lines still open takes the delays of their suppliers (one draw a
supplier, from its earliest open promise; the latest of them decides); the production milestones (50 % output,
production complete) take those of the work centre the order is made on; every other milestone those of its code. **What
is already known counts.** History measures a milestone's own lateness (against its plan pushed by its predecessors; a
supplier's against its first promise) and the forward pass applies a drawn delay the same way
(`gendan.followup.learning`), never before what is already known of the milestone — its promise, the date another domain
feeds, today once its plan has passed. A source already late is drawn from the delays history shows of sources *at least
that late*: a supplier 5 working days past its promise has its delay drawn among the deliveries that were 5 days late or
more, and one never seen that late is expected now.

The order is at risk by the learned method (its "learned" risk flag is open) when its committed date has passed
without it leaving, or its probability is below `GENDAN_RISK_PROBABILITY_THRESHOLD`. Without enough history (fewer
than `GENDAN_LEARNING_MIN_HISTORY` finished observations) no probability is given and the learned method flags what
the deterministic forecast flags: with nothing learned, the two forecasts are the same.
"""

import datetime as dt
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection

from gendan.core import clock
from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.followup import engine, learning
from gendan.followup.models import RiskFlag
from gendan.followup.selectors import risk_threshold
from gendan.followup.services import (
    FLAGGED_RISKS,
    PLANNED_STATUSES,
    Row,
    locked_batches,
    materials_milestone_code,
    record_flags,
)
from gendan.foresight import history
from gendan.procurement.choices import PoStatus
from gendan.procurement.models import PurchaseOrderLine
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order

__all__ = ["DRAWS", "Outlook", "learn_forecasts", "min_history", "outlook", "risk_threshold"]

DRAWS = 300
OPEN_PO_STATUSES = (PoStatus.APPROVED, PoStatus.SENT, PoStatus.CONFIRMED, PoStatus.PARTIALLY_RECEIVED)


def min_history() -> int:
    """GENDAN_LEARNING_MIN_HISTORY: finished observations needed before a probability is given (30)."""
    return max(1, int(getattr(settings, "GENDAN_LEARNING_MIN_HISTORY", 30)))


@dataclass(frozen=True)
class Source:
    """Where a milestone's delay comes from, and the date its history measured lateness against (None: the
    milestone's base — its plan, pushed by its predecessors — as history measures a milestone's own lateness)."""

    key: str
    since: dt.date | None = None


@dataclass(frozen=True)
class Outlook:
    probability: float | None
    ex_factory_date: dt.date | None
    driver: str
    flagged: bool


def outlook(
    rows: Sequence[Row],
    *,
    status: str,
    committed: dt.date,
    plan_risk: str,
    today: dt.date,
    calendar: WorkingCalendar,
    model: learning.DelayModel | None,
    sources: Mapping[str, Sequence[Source]],
    threshold: float,
    seed: int,
    draws: int = DRAWS,
) -> Outlook:
    """The learned outlook of one order (see the module's docstring); `model` None when history is too short.

    `sources[code]` names the sources of a milestone not done yet (absent: its code, against its plan)."""
    exf = next((r for r in rows if r.is_ex_factory), None)
    gone = status in (OrderStatus.SHIPPED, OrderStatus.CLOSED, OrderStatus.CANCELLED)
    if exf is None or exf.actual_date is not None or gone:
        return Outlook(None, None, "", False)
    late = today > committed
    if model is None:
        return Outlook(None, None, "", late or plan_risk in FLAGGED_RISKS)
    specs = [engine.Spec(r.code, 0, tuple((d["code"], int(d.get("lag", 0))) for d in r.depends_on)) for r in rows]
    states = {r.code: engine.State(r.planned_date, r.actual_date, r.promised_date, r.fed_date) for r in rows}
    plain = engine.forecast(specs, states, today, calendar).dates
    rng = np.random.default_rng(seed)
    drawn: dict[str, np.ndarray] = {}
    for spec in specs:
        state = states[spec.code]
        if state.actual is not None:
            continue
        # where history's delay counts from (the plan, pushed by the predecessors as now forecast), and what is known
        base = max([state.planned, *(calendar.add(plain[pred], lag) for pred, lag in spec.depends_on)])
        floor = learning.known_floor(state, today, calendar)
        delay = None
        for source in sources.get(spec.code) or (Source(f"milestone:{spec.code}"),):
            since = source.since or base
            late = calendar.between(since, floor) if floor is not None and floor > since else 0
            more = model.sample(source.key, rng, draws, at_least=late or None) + calendar.between(base, since)
            delay = more if delay is None else np.maximum(delay, more)
        drawn[spec.code] = delay
    simulation = learning.simulate(specs, states, today, calendar, committed, drawn, ex_factory=exf.code)
    expected = {code: float(values.mean()) for code, values in drawn.items()}
    result = learning.learned_forecast(specs, states, today, calendar, expected)
    forecast = result.dates[exf.code]
    driver = ""
    if forecast > committed:
        chain = engine.driving_chain(result, states, exf.code)
        driver = chain[0] if chain else exf.code
    elif expected and max(expected.values()) > 0:
        driver = max(sorted(expected), key=lambda code: expected[code])
    probability = round(simulation.probability, 4)
    return Outlook(probability, forecast, driver, late or probability < threshold)


def _sources(order_ids: Sequence[int]) -> dict[int, dict[str, list[Source]]]:
    """The sources of the milestones of `order_ids` that history knows better than by their code: the suppliers of
    the purchase lines still open for materials in house, the work centre for production."""
    found: dict[int, dict[str, list[Source]]] = defaultdict(lambda: defaultdict(list))
    materials = materials_milestone_code()
    for order_id, supplier_id, first, required, quantity, confirmed, accepted in (
        PurchaseOrderLine.objects.filter(order_id__in=list(order_ids), purchase_order__status__in=OPEN_PO_STATUSES)
        .order_by("order_id", "pk")
        .values_list(
            "order_id",
            "purchase_order__supplier_id",
            "first_promised_date",
            "required_date",
            "quantity",
            "confirmed_qty",
            "accepted_qty",
        )
    ):
        if (confirmed if confirmed is not None else quantity) > accepted:
            due = first or required
            sources = found[order_id][materials]
            key = f"supplier:{supplier_id}"
            # one draw a supplier (its lines come together), from its earliest open promise
            same = next((i for i, s in enumerate(sources) if s.key == key), None)
            if same is None:
                sources.append(Source(key, due))
            elif due < sources[same].since:
                sources[same] = Source(key, due)
    made_on = history.work_centres_of(order_ids)
    for order_id, work_centre_id in made_on.items():
        for code in history.PRODUCTION_CODES:
            found[order_id][code].append(Source(f"work_centre:{work_centre_id}"))
    return found


def learn_forecasts(
    *,
    order_ids: Iterable[int] | None = None,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Learn the delays from history and store the learned outlook of the planned orders (all by default) and their
    "learned" risk flags. Returns counts: orders, outlooks changed, flags opened and cleared, observations."""
    threshold = risk_threshold()  # a bad setting stops the job before it changes anything
    today, calendar = clock.today(), company_calendar()
    samples = history.delay_samples(until=today, calendar=calendar)
    observations = sum(len(values) for values in samples.values())
    model = learning.DelayModel.fit(samples) if observations >= min_history() else None
    if order_ids is None:
        planned = Order.objects.filter(status__in=PLANNED_STATUSES, milestones__isnull=False)
        planned = planned.values_list("pk", flat=True)
        flagged = RiskFlag.objects.filter(method=RiskFlag.Method.LEARNED, cleared_on__isnull=True).values_list(
            "order_id", flat=True
        )
        order_ids = set(planned) | set(flagged)
    ids = sorted(set(order_ids))
    totals = {"orders": 0, "changed": 0, "flagged": 0, "cleared": 0, "observations": observations}
    order_table = connection.ops.quote_name(Order._meta.db_table)
    fields = (
        "number",
        "status",
        "ex_factory_date",
        "risk",
        "on_time_probability",
        "learned_ex_factory_date",
        "learned_driver",
    )
    for chunk, orders, grouped in locked_batches(ids, order_fields=fields, batch_size=batch_size):
        sources = _sources(chunk) if model is not None else {}
        open_flags = set(
            RiskFlag.objects.filter(
                order_id__in=chunk, method=RiskFlag.Method.LEARNED, cleared_on__isnull=True
            ).values_list("order_id", flat=True)
        )
        updates, flags = [], {}
        for order_id, (number, status, committed, plan_risk, *before) in orders.items():
            result = outlook(
                grouped.get(order_id, []),
                status=status,
                committed=committed,
                plan_risk=plan_risk,
                today=today,
                calendar=calendar,
                model=model,
                sources=sources.get(order_id, {}),
                threshold=threshold,
                seed=zlib.crc32(number.encode()),  # the same draws for the same order in any database
            )
            after = [result.probability, result.ex_factory_date, result.driver]
            if after != before:
                updates.append((*after, order_id))
            if result.flagged != (order_id in open_flags):
                flags[order_id] = (result.flagged, result.driver, result.ex_factory_date, committed)
                totals["flagged" if result.flagged else "cleared"] += 1
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {order_table} SET on_time_probability = %s, learned_ex_factory_date = %s, "
                    "learned_driver = %s WHERE id = %s",
                    updates,
                )
        record_flags(method=RiskFlag.Method.LEARNED, day=today, outcomes=flags)
        totals["orders"] += len(orders)
        totals["changed"] += len(updates)
        if progress is not None:
            progress(len(chunk))
    return totals
