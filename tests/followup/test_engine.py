"""The T&A scheduling engine: backward planning on the working calendar and the forward forecast."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gendan.core.calendar import WorkingCalendar
from gendan.followup.engine import Spec, State, backward_schedule, driving_chain, forecast, order_of

CAL = WorkingCalendar.of([6, 7], holidays=[dt.date(2026, 10, d) for d in range(1, 8)])
EX_FACTORY = dt.date(2026, 12, 18)  # a Friday

PLAN = [
    Spec("confirmed", -40),
    Spec("materials_ordered", -35, (("confirmed", 2),)),
    Spec("materials_in", -20, (("materials_ordered", 10),)),
    Spec("production_start", -15, (("materials_in", 1),)),
    Spec("production_done", -3, (("production_start", 10),)),
    Spec("ex_factory", 0, (("production_done", 2),)),
]


def states_for(planned: dict[str, dt.date], **changes: State) -> dict[str, State]:
    return {code: changes.get(code, State(planned=day)) for code, day in planned.items()}


def test_backward_schedule_counts_working_days_before_ex_factory() -> None:
    planned = backward_schedule(PLAN, EX_FACTORY, CAL)
    assert planned["ex_factory"] == EX_FACTORY
    assert planned["production_done"] == dt.date(2026, 12, 15)  # 3 working days before
    assert CAL.between(planned["confirmed"], EX_FACTORY) == 40


def test_a_predecessor_is_pulled_earlier_when_its_lag_needs_it() -> None:
    specs = [Spec("a", -2), Spec("b", -1, (("a", 5),))]
    planned = backward_schedule(specs, EX_FACTORY, CAL)
    assert CAL.between(planned["a"], planned["b"]) == 5


def test_a_cycle_is_refused() -> None:
    with pytest.raises(ValueError, match="circle"):
        order_of([Spec("a", -1, (("b", 1),)), Spec("b", -1, (("a", 1),))])


def test_on_plan_nothing_moves_and_nothing_drives() -> None:
    planned = backward_schedule(PLAN, EX_FACTORY, CAL)
    today = planned["confirmed"]
    result = forecast(PLAN, states_for(planned), today, CAL)
    assert result.dates == planned
    assert driving_chain(result, states_for(planned), "ex_factory") == []


def test_a_late_supplier_promise_moves_ex_factory_and_drives_the_slip() -> None:
    planned = backward_schedule(PLAN, EX_FACTORY, CAL)
    # materials promised 10 working days late: production starts 6 late (4 days of slack), finishes 4 late,
    # and the goods leave 3 working days late (production_done had 1 day of slack before ex-factory)
    late = CAL.add(planned["materials_in"], 10)
    states = states_for(planned, materials_in=State(planned=planned["materials_in"], promised=late))
    result = forecast(PLAN, states, planned["confirmed"], CAL)
    assert result.dates["production_start"] == CAL.add(planned["production_start"], 6)
    assert result.dates["ex_factory"] == CAL.add(EX_FACTORY, 3)
    assert driving_chain(result, states, "ex_factory") == [
        "materials_in",
        "production_start",
        "production_done",
        "ex_factory",
    ]


def test_a_passed_plan_without_an_actual_is_forecast_today_at_the_earliest() -> None:
    planned = backward_schedule(PLAN, EX_FACTORY, CAL)
    states = states_for(planned, confirmed=State(planned=planned["confirmed"], actual=planned["confirmed"]))
    # 3 working days overdue: forecast today, and the 5 days of slack before materials_in absorb it
    today = CAL.add(planned["materials_ordered"], 3)
    result = forecast(PLAN, states, today, CAL)
    assert result.dates["materials_ordered"] == today
    assert result.dates["ex_factory"] == EX_FACTORY
    # 20 working days overdue: the slip goes through to ex-factory (8 working days late)
    result = forecast(PLAN, states, CAL.add(planned["materials_ordered"], 20), CAL)
    assert result.dates["ex_factory"] == CAL.add(EX_FACTORY, 8)
    assert driving_chain(result, states, "ex_factory")[0] == "materials_ordered"


@st.composite
def plans(draw: st.DrawFn) -> tuple[list[Spec], dict[str, State], dt.date]:
    n = draw(st.integers(2, 8))
    specs = []
    for i in range(n):
        preds = draw(st.sets(st.integers(0, i - 1), max_size=2)) if i else set()
        deps = tuple((f"m{p}", draw(st.integers(0, 5))) for p in sorted(preds))
        specs.append(Spec(f"m{i}", draw(st.integers(-60, 10)), deps))
    ex_factory = draw(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)))
    planned = backward_schedule(specs, ex_factory, CAL)
    states = {}
    for s in specs:
        actual = draw(st.none() | st.integers(-10, 10).map(lambda d, p=planned[s.code]: CAL.add(p, d)))
        promised = draw(st.none() | st.integers(-10, 15).map(lambda d, p=planned[s.code]: CAL.add(p, d)))
        states[s.code] = State(planned=planned[s.code], actual=actual, promised=promised)
    today = draw(st.dates(ex_factory - dt.timedelta(days=120), ex_factory + dt.timedelta(days=30)))
    return specs, states, today


@settings(max_examples=200)
@given(st.integers(-60, 10), st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)))
def test_backward_scheduling_lands_on_working_days_only(offset: int, ex_factory: dt.date) -> None:
    planned = backward_schedule([Spec("m", offset)], ex_factory, CAL)
    assert CAL.is_working_day(planned["m"])


@settings(max_examples=200)
@given(plans())
def test_a_forecast_is_never_before_its_plan_nor_before_a_predecessor_plus_lag(plan) -> None:  # noqa: ANN001
    specs, states, today = plan
    result = forecast(specs, states, today, CAL)
    for s in specs:
        if states[s.code].actual is not None:
            continue
        assert result.dates[s.code] >= states[s.code].planned
        for pred, lag in s.depends_on:
            assert result.dates[s.code] >= CAL.add(result.dates[pred], lag)


@settings(max_examples=100)
@given(plans(), st.randoms())
def test_recording_actuals_in_any_order_gives_the_same_forecast(plan, rnd) -> None:  # noqa: ANN001
    specs, states, today = plan
    # record the same actuals one at a time, in a shuffled order, re-forecasting after each
    codes = [c for c, s in states.items() if s.actual is not None]
    rnd.shuffle(codes)
    current = {c: State(planned=s.planned, promised=s.promised) for c, s in states.items()}
    for code in codes:
        current[code] = states[code]
        forecast(specs, current, today, CAL)
    assert forecast(specs, current, today, CAL).dates == forecast(specs, states, today, CAL).dates
