"""Learned delays: the shrunk delay distributions, the expected-delay forward pass and the Monte Carlo probability.

Pure code: no database."""

import datetime as dt
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gendan.core.calendar import WorkingCalendar
from gendan.followup.engine import Spec, State, backward_schedule, forecast
from gendan.followup.learning import (
    DelayModel,
    DelayProfile,
    learned_forecast,
    on_time_probability,
    simulate,
    simulate_order,
)

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
PLANNED = backward_schedule(PLAN, EX_FACTORY, CAL)
TODAY = PLANNED["confirmed"]


def on_plan(**changes: State) -> dict[str, State]:
    return {code: changes.get(code, State(planned=day)) for code, day in PLANNED.items()}


def zeros(n: int = 300) -> dict[str, np.ndarray]:
    return {code: np.zeros(n, dtype=np.int64) for code in PLANNED}


# --- the delay distributions --------------------------------------------------------------------------------


def test_a_source_always_n_days_late_with_plenty_of_history_is_learned_as_n() -> None:
    model = DelayModel.fit({"supplier:12": [6] * 400})
    assert model.size("supplier:12") == 400
    assert model.quantiles("supplier:12", (0.1, 0.5, 0.9)) == (6, 6, 6)
    assert model.expected("supplier:12") == 6.0
    draws = model.sample("supplier:12", np.random.default_rng(1), 300)
    assert draws.dtype == np.int64
    assert (draws == 6).all()


def test_among_other_sources_a_long_history_still_reads_as_its_own_delay() -> None:
    model = DelayModel.fit({"supplier:12": [6] * 400, "supplier:13": [0] * 100, "supplier:14": [-2] * 100})
    assert model.quantiles("supplier:12", (0.1, 0.5, 0.9)) == (6, 6, 6)
    assert model.expected("supplier:12") == pytest.approx(6, abs=0.1)
    draws = model.sample("supplier:12", np.random.default_rng(1), 3000)
    assert (draws == 6).mean() > 0.97


def test_with_little_history_the_pooled_distribution_pulls_by_n_over_n_plus_the_prior_weight() -> None:
    # 8 observations at 10 days late, against a prior weight of 8: half its own, half the pool of all 32
    model = DelayModel.fit({"supplier:1": [10] * 8, "supplier:2": [0] * 24})
    profile = model.profile("supplier:1")
    assert profile.weight == 0.5
    pooled_mean = (8 * 10 + 24 * 0) / 32
    assert model.expected("supplier:1") == pytest.approx(0.5 * 10 + 0.5 * pooled_mean)
    # the mixture's CDF: 0.5 * 0 + 0.5 * 24/32 = 0.375 at 0 days, 1 at 10 days
    assert model.quantiles("supplier:1", (0.1, 0.375, 0.376, 0.5, 0.9)) == (0, 0, 10, 10, 10)
    # two observations only: weight 2/10
    few = DelayModel.fit({"supplier:1": [10] * 2, "supplier:2": [0] * 8}, prior_weight=8)
    assert few.profile("supplier:1").weight == pytest.approx(2 / 10)
    assert few.expected("supplier:1") == pytest.approx(0.2 * 10 + 0.8 * 2)
    draws = few.sample("supplier:1", np.random.default_rng(7), 20_000)
    # 10 days late: its own share (0.2) plus the pool's share of 10s (0.8 * 2/10)
    assert (draws == 10).mean() == pytest.approx(0.2 + 0.8 * 0.2, abs=0.015)


@given(st.integers(0, 200), st.floats(0.5, 50))
def test_the_shrinkage_weight_is_n_over_n_plus_the_prior_weight(n: int, prior: float) -> None:
    model = DelayModel.fit({"supplier:1": [3] * n, "supplier:2": [0, 1]}, prior_weight=prior)
    assert model.size("supplier:1") == n
    assert model.profile("supplier:1").weight == pytest.approx(n / (n + prior))


def test_a_source_without_history_gets_its_kind_and_an_unknown_kind_is_always_on_time() -> None:
    model = DelayModel.fit({"supplier:1": [2, 4], "supplier:2": [6, 8], "work_centre:3": []})
    assert model.size("supplier:99") == 0
    assert model.quantiles("supplier:99", (0.0, 0.5, 1.0)) == (2, 4, 8)
    assert model.expected("supplier:99") == 5.0
    # a kind seen without any observation, and a kind never seen, are "always 0"
    for key in ("work_centre:3", "work_centre:4", "customer:1"):
        assert model.quantiles(key, (0.1, 0.5, 0.9)) == (0, 0, 0)
        assert model.expected(key) == 0.0
        assert (model.sample(key, np.random.default_rng(0), 50) == 0).all()
    empty = DelayModel.fit({})
    assert empty.quantiles("supplier:1") == (0, 0, 0)


def test_early_sources_have_negative_delays() -> None:
    model = DelayModel.fit({"supplier:1": [-3, -2, -2, -1] * 10}, prior_weight=0)
    assert model.quantiles("supplier:1", (0.0, 0.5, 1.0)) == (-3, -2, -1)
    assert model.expected("supplier:1") == -2.0


delay_samples = st.dictionaries(
    st.sampled_from(["supplier:1", "supplier:2", "supplier:3", "work_centre:1"]),
    st.lists(st.integers(-10, 30), max_size=30),
    max_size=4,
)
priors = st.sampled_from([0.0, 0.5, 1.0, 8.0]) | st.floats(0.01, 20)  # (a prior of 1e-308 is 0 in floating point)
keys = st.sampled_from(["supplier:1", "supplier:2", "supplier:9", "work_centre:1", "customer:1"])


@settings(max_examples=200)
@given(delay_samples, keys, st.lists(st.floats(0, 1), min_size=1, max_size=8), priors)
def test_quantiles_are_monotone_and_read_the_mixture_cdf_exactly(samples, key, levels, prior) -> None:  # noqa: ANN001
    model = DelayModel.fit(samples, prior_weight=prior)
    levels = sorted(levels)
    result = model.quantiles(key, levels)
    assert list(result) == sorted(result)
    # the brute-force inverse of the mixture's CDF, in exact fractions
    profile = model.profile(key)
    own, pooled = profile.sample.tolist(), profile.pooled.tolist()
    n = len(own)
    w = Fraction(n) / (n + Fraction(prior)) if n else Fraction(0)

    def cdf(x: int) -> Fraction:
        mass = (1 - w) * Fraction(sum(v <= x for v in pooled), len(pooled))
        return mass + (w * Fraction(sum(v <= x for v in own), n) if n else 0)

    support = sorted({v for v in own if w > 0} | {v for v in pooled if w < 1})
    for level, got in zip(levels, result, strict=True):
        expected = next((x for x in support if cdf(x) >= Fraction(level) - Fraction(1, 10**12)), support[-1])
        assert got == expected


@settings(max_examples=100)
@given(delay_samples, keys, priors)
def test_the_mean_and_the_draws_come_from_the_mixture(samples, key, prior) -> None:  # noqa: ANN001
    model = DelayModel.fit(samples, prior_weight=prior)
    profile = model.profile(key)
    values = set(profile.pooled.tolist()) | set(profile.sample.tolist())
    low, high = min(values), max(values)
    assert low - 1e-9 <= model.expected(key) <= high + 1e-9
    draws = model.sample(key, np.random.default_rng(3), 200)
    assert draws.shape == (200,)
    assert set(draws.tolist()) <= values


def test_bad_samples_are_refused_with_the_source_named() -> None:
    with pytest.raises(ValueError, match="supplier:1: days late must be whole"):
        DelayModel.fit({"supplier:1": [1.5]})
    with pytest.raises(ValueError, match="'supplier'"):
        DelayModel.fit({"supplier": [1]})
    with pytest.raises(ValueError, match="prior_weight"):
        DelayModel.fit({"supplier:1": [1]}, prior_weight=-1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        DelayModel.fit({"supplier:1": [1]}).quantiles("supplier:1", (0.5, 1.5))
    with pytest.raises(ValueError, match="at least one observation"):
        DelayProfile(np.array([1]), np.array([], dtype=np.int64))


def test_the_profile_keeps_its_samples_sorted_and_read_only() -> None:
    given_days = np.array([5, -1, 3])
    profile = DelayProfile(given_days, [0, 2])
    assert profile.sample.tolist() == [-1, 3, 5]
    given_days[0] = 100  # the caller's array is not the profile's
    assert profile.sample.tolist() == [-1, 3, 5]
    with pytest.raises(ValueError, match="read-only"):
        profile.sample[0] = 7


# --- the expected-delay forward pass ------------------------------------------------------------------------


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    rest = draw(st.sets(st.integers(1, 7), max_size=5))
    days = st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    return WorkingCalendar.of(rest, draw(st.sets(days, max_size=20)), draw(st.sets(days, max_size=5)))


@st.composite
def plans(draw: st.DrawFn) -> tuple[list[Spec], dict[str, State], dt.date, WorkingCalendar]:
    """Any plan on any calendar: plans, promises, fed dates and actuals on any day, rest days included."""
    calendar = draw(calendars())
    n = draw(st.integers(1, 7))
    specs = []
    for i in range(n):
        preds = draw(st.sets(st.integers(0, i - 1), max_size=2)) if i else set()
        deps = tuple((f"m{p}", draw(st.integers(-2, 8))) for p in sorted(preds))
        specs.append(Spec(f"m{i}", 0, deps))
    # one ex-factory milestone at the end, after every other milestone that nothing follows
    preceding = {p for s in specs for p, _lag in s.depends_on}
    specs.append(Spec("exf", 0, tuple((s.code, draw(st.integers(-2, 5))) for s in specs if s.code not in preceding)))
    days = st.dates(dt.date(2026, 3, 1), dt.date(2026, 11, 30))
    states = {}
    for s in specs:
        states[s.code] = State(
            planned=draw(days),
            actual=draw(st.none() | days),
            promised=draw(st.none() | days),
            fed=draw(st.none() | days),
        )
    today = draw(days)
    return specs, states, today, calendar


@settings(max_examples=300)
@given(plans())
def test_with_no_delays_the_learned_forecast_is_the_deterministic_one(plan) -> None:  # noqa: ANN001
    specs, states, today, calendar = plan
    expected = forecast(specs, states, today, calendar)
    for delays in ({}, dict.fromkeys(states, 0.0), dict.fromkeys(states, -0.4), dict.fromkeys(states, 0.4)):
        result = learned_forecast(specs, states, today, calendar, delays)
        assert result.dates == expected.dates
        assert result.driven_by == expected.driven_by


def test_with_an_empty_model_the_learned_forecast_is_the_deterministic_one() -> None:
    model = DelayModel.fit({})
    states = on_plan(materials_in=State(planned=PLANNED["materials_in"], promised=CAL.add(PLANNED["materials_in"], 4)))
    delays = {code: model.expected(f"milestone:{code}") for code in PLANNED}
    assert learned_forecast(PLAN, states, TODAY, CAL, delays) == forecast(PLAN, states, TODAY, CAL)


@settings(max_examples=300)
@given(plans(), st.data())
def test_late_running_sources_never_make_a_forecast_earlier(plan, data) -> None:  # noqa: ANN001
    specs, states, today, calendar = plan
    delays = {code: data.draw(st.floats(0, 30)) for code in states}
    expected = forecast(specs, states, today, calendar).dates
    result = learned_forecast(specs, states, today, calendar, delays).dates
    for code, day in result.items():
        assert day >= expected[code]
        if states[code].actual is not None:
            assert day == states[code].actual


def test_a_late_running_source_moves_its_milestone_and_what_follows() -> None:
    states = on_plan()
    # materials come in 7.4 → 7 working days late; with 4 days of slack, production starts 3 late (see test_engine)
    result = learned_forecast(PLAN, states, TODAY, CAL, {"materials_in": 7.4})
    assert result.dates["materials_in"] == CAL.add(PLANNED["materials_in"], 7)
    assert result.dates["production_start"] == CAL.add(PLANNED["materials_in"], 8)
    assert result.driven_by["production_start"] == "materials_in"
    assert result.driven_by["materials_in"] is None
    # a promise already later than the delay history expects stands; a later delay passes it
    promised = CAL.add(PLANNED["materials_in"], 5)
    states = on_plan(materials_in=State(planned=PLANNED["materials_in"], promised=promised))
    assert learned_forecast(PLAN, states, TODAY, CAL, {"materials_in": 3}).dates["materials_in"] == promised
    assert learned_forecast(PLAN, states, TODAY, CAL, {"materials_in": 8}).dates["materials_in"] == CAL.add(
        PLANNED["materials_in"], 8
    )
    # a plan that has passed is not done before today (its next working day), however early history runs
    today = CAL.add(PLANNED["materials_in"], 5)
    ordered = {c: State(planned=PLANNED[c], actual=PLANNED[c]) for c in ("confirmed", "materials_ordered")}
    for delay in (-3, 2, 5):
        result = learned_forecast(PLAN, on_plan(**ordered), today, CAL, {"materials_in": delay})
        assert result.dates["materials_in"] == CAL.next_working_day(today)
    result = learned_forecast(PLAN, on_plan(**ordered), today, CAL, {"materials_in": 9})
    assert result.dates["materials_in"] == CAL.add(PLANNED["materials_in"], 9)
    # a done milestone keeps its actual
    done = on_plan(materials_in=State(planned=PLANNED["materials_in"], actual=PLANNED["materials_in"]))
    assert (
        learned_forecast(PLAN, done, TODAY, CAL, {"materials_in": 9}).dates["materials_in"] == PLANNED["materials_in"]
    )


def test_early_running_sources_bring_a_milestone_forward_but_not_past_what_is_known() -> None:
    # materials in house two working days early, production start catching up a day on them
    result = learned_forecast(PLAN, on_plan(), TODAY, CAL, {"materials_in": -2})
    assert result.dates["materials_in"] == CAL.add(PLANNED["materials_in"], -2)
    assert result.dates["production_start"] == PLANNED["production_start"]  # its own plan holds it
    # … not before a promise on record
    promised = on_plan(materials_in=State(planned=PLANNED["materials_in"], promised=PLANNED["materials_in"]))
    assert (
        learned_forecast(PLAN, promised, TODAY, CAL, {"materials_in": -2}).dates["materials_in"]
        == (PLANNED["materials_in"])
    )


def test_bad_delays_are_refused() -> None:
    with pytest.raises(ValueError, match="not in the plan: sampling"):
        learned_forecast(PLAN, on_plan(), TODAY, CAL, {"sampling": 2})
    with pytest.raises(ValueError, match="materials_in: the delay must be a finite"):
        learned_forecast(PLAN, on_plan(), TODAY, CAL, {"materials_in": float("nan")})


# --- the Monte Carlo pass -----------------------------------------------------------------------------------


def test_with_all_zero_draws_the_probability_is_one_on_time_and_zero_late() -> None:
    assert on_time_probability(PLAN, on_plan(), TODAY, CAL, EX_FACTORY, zeros()) == 1.0
    assert on_time_probability(PLAN, on_plan(), TODAY, CAL, EX_FACTORY, {}) == 1.0
    # materials promised 10 working days late: the goods leave 3 working days late (see test_engine)
    late = on_plan(materials_in=State(planned=PLANNED["materials_in"], promised=CAL.add(PLANNED["materials_in"], 10)))
    assert on_time_probability(PLAN, late, TODAY, CAL, EX_FACTORY, zeros()) == 0.0
    result = simulate(PLAN, late, TODAY, CAL, EX_FACTORY, zeros())
    assert result.p50_ex_factory_date == result.p90_ex_factory_date == CAL.add(EX_FACTORY, 3)
    assert result.draws == 300
    # … and on time against a committed date 3 working days later
    assert on_time_probability(PLAN, late, TODAY, CAL, CAL.add(EX_FACTORY, 3), zeros()) == 1.0


@settings(max_examples=200)
@given(plans())
def test_with_an_empty_model_the_probability_says_whether_the_deterministic_forecast_is_on_time(plan) -> None:  # noqa: ANN001
    specs, states, today, calendar = plan
    exf = forecast(specs, states, today, calendar).dates["exf"]
    model = DelayModel.fit({})
    for committed in (exf, exf - dt.timedelta(days=1), exf + dt.timedelta(days=1)):
        result = simulate_order(
            specs, states, today, calendar, committed, model=model, source_of={}, rng=np.random.default_rng(0), n=50
        )
        assert result.probability == (1.0 if exf <= committed else 0.0)
        assert result.p50_ex_factory_date == result.p90_ex_factory_date == exf


@settings(max_examples=300)
@given(plans(), st.data())
def test_each_draw_gives_the_learned_forecast_of_its_delays(plan, data) -> None:  # noqa: ANN001
    specs, states, today, calendar = plan
    size = data.draw(st.integers(1, 6))
    delay = st.integers(-5, 40) | st.sampled_from([250, 900])  # far past the end of the positions' years too
    draws = {
        code: np.array(data.draw(st.lists(delay, min_size=size, max_size=size)), dtype=np.int64)
        for code in data.draw(st.sets(st.sampled_from(sorted(states))))
    }
    committed = data.draw(st.dates(dt.date(2026, 3, 1), dt.date(2027, 6, 30)))
    result = simulate(specs, states, today, calendar, committed, draws)
    one_by_one = sorted(
        learned_forecast(specs, states, today, calendar, {code: int(d[j]) for code, d in draws.items()}).dates["exf"]
        for j in range(size)
    )
    assert 0.0 <= result.probability <= 1.0
    assert result.probability == sum(day <= committed for day in one_by_one) / size
    assert result.p50_ex_factory_date == one_by_one[-(-size // 2) - 1]
    assert result.p90_ex_factory_date == one_by_one[-(-9 * size // 10) - 1]


@settings(max_examples=200)
@given(plans(), st.integers(1, 30), st.data())
def test_the_probability_falls_when_a_predecessor_slips(plan, slip, data) -> None:  # noqa: ANN001
    specs, states, today, calendar = plan
    predecessors = sorted({p for s in specs for p, _lag in s.depends_on})
    code = data.draw(st.sampled_from(predecessors))
    state = states[code]
    if state.actual is not None:
        slipped = replace(state, actual=state.actual + dt.timedelta(days=slip))
    else:
        slipped = replace(state, promised=(state.promised or state.planned) + dt.timedelta(days=slip))
    later = {**states, code: slipped}
    history = {"supplier:1": [0, 0, 1, 3, 8, -1], "supplier:2": [0, 2, 15]}
    model = DelayModel.fit(history, prior_weight=2)
    source_of = {s.code: data.draw(st.sampled_from(["supplier:1", "supplier:2", "supplier:3"])) for s in specs}
    committed = data.draw(st.dates(dt.date(2026, 3, 1), dt.date(2027, 3, 31)))
    before = simulate_order(
        specs, states, today, calendar, committed, model=model, source_of=source_of, rng=np.random.default_rng(5), n=60
    )
    after = simulate_order(
        specs, later, today, calendar, committed, model=model, source_of=source_of, rng=np.random.default_rng(5), n=60
    )
    assert 0.0 <= after.probability <= before.probability <= 1.0
    assert after.p50_ex_factory_date >= before.p50_ex_factory_date
    assert after.p90_ex_factory_date >= before.p90_ex_factory_date


def test_a_late_running_supplier_lowers_the_probability_and_the_same_seed_repeats_it() -> None:
    model = DelayModel.fit({"supplier:1": [0] * 20 + [2] * 10 + [12] * 10, "supplier:2": [0] * 40})
    committed = EX_FACTORY

    def run(supplier: str, seed: int) -> float:
        return simulate_order(
            PLAN,
            on_plan(),
            TODAY,
            CAL,
            committed,
            model=model,
            source_of={"materials_in": supplier},
            rng=np.random.default_rng(seed),
        ).probability

    reliable, unreliable = run("supplier:2", 11), run("supplier:1", 11)
    # 2 days late fit in the slack (4 before production start), 12 do not: supplier 1 is 12 days late in
    # 40/48 * 10/40 + 8/48 * 10/80 = 23 % of the draws; supplier 2 only through the pool, 8/48 * 10/80 = 2 %
    assert reliable == pytest.approx(0.98, abs=0.02)
    assert unreliable == pytest.approx(0.77, abs=0.06)
    assert run("supplier:1", 11) == unreliable
    assert run("supplier:1", 12) != unreliable or run("supplier:1", 13) != unreliable


def test_rest_days_and_negative_lags_count_as_the_calendar_does() -> None:
    # a predecessor done on a Saturday: 1 working day before it is Thursday (Friday is day 0), 1 after is Tuesday
    saturday, thursday, friday = dt.date(2026, 5, 16), dt.date(2026, 5, 14), dt.date(2026, 5, 15)
    states = {"a": State(planned=dt.date(2026, 5, 1), actual=saturday), "exf": State(planned=dt.date(2026, 5, 4))}
    for lag, expected in ((-1, thursday), (0, dt.date(2026, 5, 18)), (1, dt.date(2026, 5, 19))):
        specs = [Spec("a", 0), Spec("exf", 0, (("a", lag),))]
        assert forecast(specs, states, dt.date(2026, 5, 1), CAL).dates["exf"] == expected
        result = simulate(specs, states, dt.date(2026, 5, 1), CAL, thursday, {})
        assert result.p50_ex_factory_date == expected
        assert result.probability == (1.0 if expected <= thursday else 0.0)
    # a plan on a Sunday stays on that Sunday without a delay, and moves from the Monday with one
    specs = [Spec("exf", 0)]
    sunday = {"exf": State(planned=dt.date(2026, 5, 17))}
    assert simulate(specs, sunday, friday, CAL, friday, {}).p50_ex_factory_date == dt.date(2026, 5, 17)
    one_day = {"exf": np.array([1])}
    assert simulate(specs, sunday, friday, CAL, friday, one_day).p50_ex_factory_date == dt.date(2026, 5, 19)


def test_a_done_ex_factory_decides_on_its_actual() -> None:
    shipped = on_plan(ex_factory=State(planned=EX_FACTORY, actual=CAL.add(EX_FACTORY, 1)))
    assert on_time_probability(PLAN, shipped, TODAY, CAL, EX_FACTORY, zeros()) == 0.0
    assert on_time_probability(PLAN, shipped, TODAY, CAL, CAL.add(EX_FACTORY, 1), zeros()) == 1.0


def test_the_ex_factory_milestone_is_named_when_the_plan_has_several_ends() -> None:
    specs = [Spec("a", 0), Spec("b", 0, (("a", 1),)), Spec("c", 0, (("a", 2),))]
    states = {"a": State(planned=CAL.add(EX_FACTORY, -2)), "b": State(planned=EX_FACTORY), "c": State(EX_FACTORY)}
    with pytest.raises(ValueError, match="name the ex-factory milestone"):
        on_time_probability(specs, states, TODAY, CAL, EX_FACTORY, {})
    assert on_time_probability(specs, states, TODAY, CAL, EX_FACTORY, {}, ex_factory="b") == 1.0
    with pytest.raises(ValueError, match="not in the plan"):
        on_time_probability(specs, states, TODAY, CAL, EX_FACTORY, {}, ex_factory="z")


def test_bad_draws_are_refused() -> None:
    with pytest.raises(ValueError, match="not in the plan: sampling"):
        simulate(PLAN, on_plan(), TODAY, CAL, EX_FACTORY, {"sampling": np.zeros(3, dtype=np.int64)})
    with pytest.raises(ValueError, match="the same number of draws"):
        simulate(
            PLAN, on_plan(), TODAY, CAL, EX_FACTORY, {"confirmed": np.zeros(3, int), "ex_factory": np.zeros(4, int)}
        )
    with pytest.raises(ValueError, match="whole working days"):
        simulate(PLAN, on_plan(), TODAY, CAL, EX_FACTORY, {"confirmed": np.array([0.5, 1.0])})
    with pytest.raises(ValueError, match="at least one draw"):
        simulate(PLAN, on_plan(), TODAY, CAL, EX_FACTORY, {"confirmed": np.zeros(0, dtype=np.int64)})
