"""The learned forecast of open orders: the history it learns from, the probability and flags it stores nightly, and
how the risk board, the chase list and the order API show it."""

import datetime as dt
from dataclasses import replace

import pytest

from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.followup import engine, services
from gendan.followup.learning import DelayModel
from gendan.followup.models import RiskFlag
from gendan.followup.selectors import chase_list, risk_board, risk_rows
from gendan.followup.services import ROW_FIELDS, Row
from gendan.foresight import history
from gendan.foresight.services import Source, learn_forecasts, outlook
from gendan.foresight.tasks import nightly_learned_forecast
from gendan.sales.choices import OrderStatus, Risk
from gendan.sales.models import Order
from tests.followup.conftest import plan
from tests.foresight.conftest import ready, ship

LEARN_DAY = dt.date(2027, 1, 27)


def rows_of(order: Order) -> list[Row]:
    return [Row(**v) for v in order.milestones.order_by("position").values(*ROW_FIELDS)]


def late_materials(order: Order, by, working_days: int) -> None:
    """Record the order's materials in house `working_days` after their plan, everything before it on plan."""
    calendar = company_calendar()
    milestones = plan(order)
    for code in ("MO", "PPS"):
        m = milestones[code]
        with clock.frozen(m.planned_date):
            services.update_milestone(milestone=m, by=by, data={"actual_date": m.planned_date})
    mih = plan(order)["MIH"]
    day = calendar.add(mih.planned_date, working_days)
    with clock.frozen(day):
        services.update_milestone(milestone=mih, by=by, data={"actual_date": day})


@pytest.fixture
def learned_history(confirmed_order, merchandiser):
    """Three orders whose materials came in 10 working days late, all recorded by LEARN_DAY."""
    done = [confirmed_order(ex_factory_date=dt.date(2027, 2, 15)) for _ in range(3)]
    for order in done:
        late_materials(order, merchandiser, 10)
    return done


# ---- what history says -------------------------------------------------------------------------------------------


def test_a_milestone_is_late_by_its_own_days_not_again_by_its_predecessors(learned_history, merchandiser) -> None:
    order = learned_history[0]
    calendar = company_calendar()
    mih = plan(order)["MIH"]
    ps = plan(order)["PS"]
    # production starts the day the materials allow (MIH + 2 working days), a week after its plan: not late itself
    start = calendar.add(mih.actual_date, 2)
    with clock.frozen(start):
        services.update_milestone(milestone=ps, by=merchandiser, data={"actual_date": start})
    samples = history.delay_samples(until=LEARN_DAY + dt.timedelta(days=30))
    assert samples["milestone:MIH"] == [10, 10, 10]
    assert samples["milestone:MO"] == [0, 0, 0]
    assert samples["milestone:PS"] == [0]
    assert calendar.between(ps.planned_date, start) > 0  # late against its plan, but not by its own doing


def test_history_stops_at_the_day_asked_for(learned_history) -> None:
    mih = plan(learned_history[0])["MIH"]
    assert "milestone:MIH" not in history.delay_samples(until=mih.actual_date - dt.timedelta(days=1))
    assert history.delay_samples(until=mih.actual_date)["milestone:MIH"] == [10, 10, 10]


# ---- one order's outlook (pure) ------------------------------------------------------------------------------------


def test_with_a_source_always_n_late_the_learned_forecast_is_the_plan_moved_n_days(confirmed_order) -> None:
    order = confirmed_order()
    rows = rows_of(order)
    calendar = company_calendar()
    # every other milestone always on time; no shrinkage, so each is exactly its own history
    model = DelayModel.fit({f"milestone:{r.code}": [12 if r.code == "MIH" else 0] for r in rows}, prior_weight=0)
    kw = dict(status=order.status, committed=order.ex_factory_date, plan_risk=order.risk, calendar=calendar, seed=1)
    result = outlook(rows, today=clock.today(), model=model, sources={}, threshold=0.7, **kw)
    # the deterministic pass with materials in house promised 12 working days after plan
    states = {r.code: engine.State(r.planned_date, r.actual_date, r.promised_date, r.fed_date) for r in rows}
    mih = states["MIH"]
    states["MIH"] = replace(mih, promised=calendar.add(mih.planned, 12))
    specs = [engine.Spec(r.code, 0, tuple((d["code"], d.get("lag", 0)) for d in r.depends_on)) for r in rows]
    expected = engine.forecast(specs, states, clock.today(), calendar).dates["EXF"]
    assert result.ex_factory_date == expected > order.ex_factory_date
    assert result.probability == 0.0
    assert result.flagged
    assert result.driver == "MIH"
    # no history at all: no probability, and the flag is the plan's
    none = outlook(rows, today=clock.today(), model=None, sources={}, threshold=0.7, **kw)
    assert (none.probability, none.ex_factory_date, none.flagged) == (None, None, False)
    # an empty model: the plan's own forecast, certain to be on time
    empty = outlook(rows, today=clock.today(), model=DelayModel.fit({}), sources={}, threshold=0.7, **kw)
    assert (empty.probability, empty.ex_factory_date, empty.flagged) == (1.0, order.forecast_ex_factory_date, False)


def test_the_probability_falls_as_a_supplier_runs_past_its_promise(confirmed_order) -> None:
    """A supplier late 0–9 days against its first promise; the further past the promise the line still is, the less
    likely the order, and what is known already is not counted twice."""
    order = confirmed_order()
    # materials ordered and the sample approved on plan; everything else on time as history has it
    rows = [replace(r, actual_date=r.planned_date) if r.code in ("MO", "PPS") else r for r in rows_of(order)]
    calendar = company_calendar()
    mih_plan = next(r for r in rows if r.code == "MIH").planned_date
    model = DelayModel.fit({"supplier:1": list(range(10)) * 5, "milestone:OC": [0] * 20}, prior_weight=0)
    sources = {"MIH": [Source("supplier:1", mih_plan)]}
    kw = dict(status=order.status, committed=order.ex_factory_date, plan_risk="", calendar=calendar, seed=3)
    seen = []
    for days_past in (0, 3, 6):
        today = calendar.add(mih_plan, days_past) if days_past else clock.today()
        seen.append(outlook(rows, today=today, model=model, sources=sources, threshold=0.7, **kw).probability)
    assert all(0 <= p <= 1 for p in seen)
    assert seen[0] > seen[1] > seen[2]
    # a promise 9 days late already known: history's worst is 9 days, so the learned forecast is the plan's
    promised = [replace(r, fed_date=calendar.add(mih_plan, 9)) if r.code == "MIH" else r for r in rows]
    known = outlook(promised, today=clock.today(), model=model, sources=sources, threshold=0.7, **kw)
    states = {r.code: engine.State(r.planned_date, r.actual_date, r.promised_date, r.fed_date) for r in promised}
    specs = [engine.Spec(r.code, 0, tuple((d["code"], d.get("lag", 0)) for d in r.depends_on)) for r in rows]
    assert known.ex_factory_date == engine.forecast(specs, states, clock.today(), calendar).dates["EXF"]
    assert known.probability == 0.0


# ---- the nightly job -----------------------------------------------------------------------------------------------


def test_without_enough_history_no_probability_and_the_learned_flag_follows_the_plan(
    confirmed_order, merchandiser
) -> None:
    order = confirmed_order()
    mih = plan(order)["MIH"]
    with clock.frozen(dt.date(2026, 12, 1)):
        services.update_milestone(
            milestone=mih, by=merchandiser, data={"forecast_date": mih.planned_date + dt.timedelta(days=21)}
        )
        counts = learn_forecasts()
    order.refresh_from_db()
    assert order.risk == Risk.AT_RISK
    assert (order.on_time_probability, order.learned_ex_factory_date) == (None, None)
    assert counts["flagged"] == 1
    assert counts["observations"] < 30
    flag = RiskFlag.objects.get(method=RiskFlag.Method.LEARNED)
    assert (flag.order_id, flag.flagged_on) == (order.pk, dt.date(2026, 12, 1))


def test_history_flags_an_order_the_plan_calls_on_track(
    learned_history, confirmed_order, merchandiser, settings, api_as
) -> None:
    settings.GENDAN_LEARNING_MIN_HISTORY = 5
    order = confirmed_order(ex_factory_date=dt.date(2027, 3, 19))
    with clock.frozen(LEARN_DAY):
        services.reforecast_orders()
        counts = learn_forecasts()
    order.refresh_from_db()
    assert order.risk == Risk.ON_TRACK  # the plan believes the materials will come on time
    assert order.on_time_probability is not None
    assert order.on_time_probability < 0.7
    assert order.learned_ex_factory_date > order.ex_factory_date
    assert order.learned_driver in plan(order)  # (EXF here: codes without history of their own take everyone's)
    assert counts["flagged"] == RiskFlag.objects.filter(method=RiskFlag.Method.LEARNED).count() >= 1
    flag = RiskFlag.objects.get(method=RiskFlag.Method.LEARNED, order=order)
    assert (flag.flagged_on, flag.cleared_on, flag.driver) == (LEARN_DAY, None, order.learned_driver)
    assert not RiskFlag.objects.filter(method=RiskFlag.Method.PLAN, order=order).exists()

    # the order API, the risk board (least likely first) and the merchandiser's chase list show it
    body = api_as(merchandiser).get(f"/api/v1/orders/{order.pk}").json()
    assert body["on_time_probability"] == pytest.approx(order.on_time_probability)
    assert body["learned_ex_factory_date"] == order.learned_ex_factory_date.isoformat()
    board = risk_rows(risk_board())
    assert order.number in [r["number"] for r in board]
    likely = [r["on_time_probability"] for r in board]
    assert likely == sorted(likely)  # the least likely first
    row = next(r for r in board if r["number"] == order.number)
    assert row["risk"] == Risk.ON_TRACK
    assert row["driving_milestone_name"]
    rows = [r for r in chase_list(merchandiser, LEARN_DAY) if r.order_id == order.pk and r.kind == "order"]
    assert len(rows) == 1
    assert "likely to leave by the committed" in rows[0].reason
    assert rows[0].probability == order.on_time_probability

    # a second night with nothing new changes nothing
    with clock.frozen(LEARN_DAY):
        again = learn_forecasts()
    assert (again["changed"], again["flagged"], again["cleared"]) == (0, 0, 0)
    # shipped: no probability any more, the learned flag cleared that day
    ready(order, merchandiser)
    ship(order, merchandiser, dt.date(2027, 2, 1))
    with clock.frozen(dt.date(2027, 2, 1)):
        learn_forecasts()
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.on_time_probability is None
    flag.refresh_from_db()
    assert flag.cleared_on == dt.date(2027, 2, 1)


def test_the_threshold_decides_which_orders_the_board_shows(learned_history, confirmed_order, settings) -> None:
    settings.GENDAN_LEARNING_MIN_HISTORY = 5
    order = confirmed_order(ex_factory_date=dt.date(2027, 4, 30))  # nothing due before LEARN_DAY
    with clock.frozen(LEARN_DAY):
        learn_forecasts()
    order.refresh_from_db()
    likely = order.on_time_probability
    assert 0 < likely < 1
    settings.GENDAN_RISK_PROBABILITY_THRESHOLD = likely  # not below it: not at risk
    assert not risk_board().filter(pk=order.pk).exists()
    settings.GENDAN_RISK_PROBABILITY_THRESHOLD = min(1.0, likely + 0.01)
    assert risk_board().filter(pk=order.pk).exists()


def test_a_threshold_out_of_range_is_refused(db, settings) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.GENDAN_RISK_PROBABILITY_THRESHOLD = 1.5
    with pytest.raises(ImproperlyConfigured, match="THRESHOLD"):
        learn_forecasts()


def test_the_nightly_task_runs_the_job(learned_history, settings) -> None:
    settings.GENDAN_LEARNING_MIN_HISTORY = 5
    with clock.frozen(LEARN_DAY):
        counts = nightly_learned_forecast.call()
    assert counts["observations"] >= 9
