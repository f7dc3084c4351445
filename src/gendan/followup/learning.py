"""Forecasts that learn how late each source really runs (issue "Foresight"): pure code, no database.

The deterministic forward pass (`engine.forecast`) believes every plan and every promise. History says otherwise:
a supplier's materials come in a few days late, a work centre's production overruns, a customer's approvals drag.
This module turns that history into delay distributions and uses them twice: an expected-delay forward pass
(`learned_forecast`) and a Monte Carlo probability of shipping by the committed ex-factory date (`simulate`,
`on_time_probability`, `simulate_order`).

**What is learned.** For each *source* (a key `"<kind>:<id>"`: `"supplier:12"`, `"work_centre:3"`,
`"milestone:MAT"`) the sample of its past milestones' days late, in working days on the company calendar. A
negative number means the milestone was done early; 0 means on its date. The callers decide what a milestone was
late against (its first plan or first promise); this module only sees the numbers.

**Why shrinkage.** A supplier with two deliveries, both 9 days late, has not shown that it is always 9 days late;
a supplier with two hundred has. Using each source's own sample alone over-reacts to the few observations of new
or rare sources; using the company-wide sample alone ignores what is known of the regular ones. So each source's
distribution is a mixture, with weight w = n / (n + prior_weight) on its own empirical distribution (n
observations) and 1 - w on the *pooled* distribution of its kind (every observation of every source of that kind,
its own included). `prior_weight` (8 by default) is the number of observations at which a source counts as much as
the whole company: 8 observations give w = 1/2, 24 give 3/4, 200 give 0.96. A source without history (or not seen
at all) gets the pooled distribution of its kind; a kind without any observation is "always on time" (always 0).
Quantiles are read exactly from the mixture's CDF (the smallest delay whose cumulative share reaches the level),
the mean is the mixture's mean, and draws pick the component by a uniform, then an observation of it.

**How delays move dates.** History measures a milestone's *own* lateness: from the later of its plan and the day its
predecessors let it start (each predecessor's date plus the lag) to the day it was done. The forward pass applies a
delay the same way: a milestone not done yet starts from that *base* — its plan, pushed by its predecessors — and a
delay of d working days moves the base d working days (later when d > 0, earlier when d < 0: milestones done early,
or catching up on a late predecessor, are history too), but never before a predecessor's own day. What is known
bounds it from below: the result is never before the milestone's promise, the date another domain feeds it, or
today (the next working day once its plan has passed).
With no delay (d = 0) this is the deterministic pass exactly. A milestone already done keeps its actual date.
Conditioning on what is known (a supplier already 5 days past its promise) is the caller's: draw the delays of
sources at least that late (`DelayProfile.sample_delays(..., at_least=)`).

**The Monte Carlo pass** runs all draws at once with numpy over working-day *positions*: every date maps to
k * S + g, where k counts the working days of the calendar up to the date and g is the number of days since the
last working day (0 on a working day, S larger than any run of rest days). Positions keep the order of dates, and
`calendar.add(day, n)` becomes ((ceil or floor of the position / S) + n) * S, so the vectorised pass gives, draw by
draw, the same dates as `learned_forecast` with that draw's delays.
"""

import datetime as dt
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from gendan.core.calendar import WorkingCalendar
from gendan.followup import engine

__all__ = [
    "DEFAULT_PRIOR_WEIGHT",
    "DelayModel",
    "DelayProfile",
    "Simulation",
    "kind_of",
    "known_floor",
    "learned_forecast",
    "on_time_probability",
    "simulate",
    "simulate_order",
]

DEFAULT_PRIOR_WEIGHT = 8.0
_CDF_TOLERANCE = 1e-12  # a level met within floating error counts as met (0.375 is 0.375, not 0.37499…)
_ZEROS = np.zeros(1, dtype=np.int64)
_ZEROS.flags.writeable = False


def kind_of(key: str) -> str:
    """The kind of a source key: `"supplier"` of `"supplier:12"`."""
    return key.partition(":")[0]


def _delays(values: Iterable[object], *, name: str) -> np.ndarray:
    """Whole days late as a sorted, read-only int64 array; ValueError naming `name` on anything else."""
    if isinstance(values, np.ndarray) and np.issubdtype(values.dtype, np.integer) and values.dtype != np.bool_:
        if values.ndim != 1:
            raise ValueError(f"{name}: the days late must be a flat list")
        array = values.astype(np.int64, copy=False)
    else:
        try:
            array = np.array([_whole(v) for v in values], dtype=np.int64)
        except TypeError as exc:
            raise ValueError(f"{name}: days late must be whole numbers of working days") from exc
    if array.flags.writeable or (array.size > 1 and not bool(np.all(array[:-1] <= array[1:]))):
        array = np.sort(array)
        array.flags.writeable = False
    return array


def _whole(value: object) -> int:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number of days")
    return operator.index(value)  # type: ignore[call-overload]


@dataclass(frozen=True, eq=False)
class DelayProfile:
    """The learned delay distribution of one source: its own sorted days late (`sample`, possibly empty) shrunk
    toward the pooled sample of its kind (`pooled`, never empty) with `prior_weight` (see the module's docstring).

    Both samples are kept as read-only int64 arrays (the pooled one is shared by every profile of a kind)."""

    sample: np.ndarray
    pooled: np.ndarray = field(repr=False)
    prior_weight: float = DEFAULT_PRIOR_WEIGHT
    weight: float = field(init=False)  # the share of the source's own distribution in the mixture

    def __post_init__(self) -> None:
        prior = float(self.prior_weight)
        if not math.isfinite(prior) or prior < 0:
            raise ValueError("prior_weight must be a finite number of observations, 0 or more")
        sample = _delays(self.sample, name="sample")
        pooled = _delays(self.pooled, name="pooled")
        if pooled.size == 0:
            raise ValueError("pooled: the pooled sample needs at least one observation")
        n = sample.size
        object.__setattr__(self, "sample", sample)
        object.__setattr__(self, "pooled", pooled)
        object.__setattr__(self, "prior_weight", prior)
        object.__setattr__(self, "weight", n / (n + prior) if n else 0.0)

    @property
    def size(self) -> int:
        """The number of the source's own observations."""
        return int(self.sample.size)

    def _cdf(self) -> tuple[np.ndarray, np.ndarray]:
        """The mixture's support (sorted delays) and its cumulative shares there."""
        w = self.weight
        parts = []
        if w > 0:
            parts.append(self.sample)
        if w < 1:
            parts.append(self.pooled)
        support = np.unique(np.concatenate(parts))
        cdf = np.zeros(support.size)
        if w > 0:
            cdf += w * np.searchsorted(self.sample, support, side="right") / self.sample.size
        if w < 1:
            cdf += (1 - w) * np.searchsorted(self.pooled, support, side="right") / self.pooled.size
        return support, cdf

    def _inverse(self, probs: np.ndarray) -> np.ndarray:
        support, cdf = self._cdf()
        index = np.minimum(np.searchsorted(cdf, probs - _CDF_TOLERANCE, side="left"), support.size - 1)
        return support[index]

    def quantiles(self, levels: Sequence[float]) -> tuple[int, ...]:
        """The mixture's quantiles at `levels` (each in [0, 1]): for each, the smallest delay whose cumulative
        share reaches it, computed exactly on the mixture's CDF."""
        probs = np.asarray(levels, dtype=float)
        if probs.ndim != 1 or not bool(np.all((probs >= 0) & (probs <= 1))):
            raise ValueError("quantile levels must be a list of numbers between 0 and 1")
        return tuple(int(v) for v in self._inverse(probs))

    def share_below(self, days: int) -> float:
        """The mixture's share of delays under `days`."""
        support, cdf = self._cdf()
        index = int(np.searchsorted(support, days, side="left"))
        return float(cdf[index - 1]) if index else 0.0

    def expected(self) -> float:
        """The mixture's mean days late."""
        pooled = float(self.pooled.mean())
        if self.weight == 0:
            return pooled
        return pooled + self.weight * (float(self.sample.mean()) - pooled)  # exact when both means agree

    def sample_delays(self, rng: np.random.Generator, size: int, *, at_least: int | None = None) -> np.ndarray:
        """`size` draws of days late from the mixture (int64): a uniform picks the component, then an index.

        With `at_least`, the draws are of the mixture *given* a delay of at least that many days (a source already
        that late): inverse-CDF draws on the tail; a source never seen that late is drawn exactly `at_least`."""
        if size < 0:
            raise ValueError("the number of draws cannot be negative")
        if at_least is not None:
            below = self.share_below(at_least)
            if below >= 1 - _CDF_TOLERANCE:
                return np.full(size, at_least, dtype=np.int64)
            if below > 0:
                return np.maximum(self._inverse(below + (1 - below) * rng.random(size)), at_least)
        pooled = self.pooled[rng.integers(0, self.pooled.size, size)]
        if self.weight == 0:
            return pooled
        own = self.sample[rng.integers(0, self.sample.size, size)]
        return np.where(rng.random(size) < self.weight, own, pooled)


@dataclass(frozen=True, eq=False)
class DelayModel:
    """The learned delays of every source, fitted by `DelayModel.fit`; read it by source key."""

    profiles: Mapping[str, DelayProfile]
    pooled: Mapping[str, DelayProfile]  # by kind: the profile of a source of that kind without history
    prior_weight: float = DEFAULT_PRIOR_WEIGHT

    @classmethod
    def fit(cls, samples: Mapping[str, Sequence[int]], *, prior_weight: float = DEFAULT_PRIOR_WEIGHT) -> "DelayModel":
        """Learn from `samples`: each source key (`"supplier:12"`) to its past days late (working days, negative
        when early). The pooled distribution of a kind gathers every observation of its sources."""
        own: dict[str, np.ndarray] = {}
        for key, values in samples.items():
            if not isinstance(key, str) or not kind_of(key) or ":" not in key:
                raise ValueError(f"{key!r}: a source key is '<kind>:<id>', e.g. 'supplier:12'")
            own[key] = _delays(values, name=key)
        by_kind: dict[str, list[np.ndarray]] = {}
        for key, array in own.items():
            by_kind.setdefault(kind_of(key), []).append(array)
        pooled: dict[str, DelayProfile] = {}
        for kind, arrays in by_kind.items():
            everything = np.sort(np.concatenate(arrays))
            if everything.size == 0:
                everything = _ZEROS
            everything.flags.writeable = False
            pooled[kind] = DelayProfile(_ZEROS[:0], everything, prior_weight)
        profiles = {key: DelayProfile(array, pooled[kind_of(key)].pooled, prior_weight) for key, array in own.items()}
        return cls(MappingProxyType(profiles), MappingProxyType(pooled), float(prior_weight))

    def profile(self, key: str) -> DelayProfile:
        """The source's profile; a source without history gets its kind's pooled one, an unknown kind zeros."""
        found = self.profiles.get(key)
        if found is None:
            found = self.pooled.get(kind_of(key))
        if found is None:
            found = _on_time(self.prior_weight)
        return found

    def quantiles(self, key: str, levels: Sequence[float] = (0.1, 0.5, 0.9)) -> tuple[int, ...]:
        return self.profile(key).quantiles(levels)

    def expected(self, key: str) -> float:
        return self.profile(key).expected()

    def size(self, key: str) -> int:
        """The source's own number of observations (0 without history)."""
        profile = self.profiles.get(key)
        return profile.size if profile is not None else 0

    def sample(self, key: str, rng: np.random.Generator, size: int, *, at_least: int | None = None) -> np.ndarray:
        return self.profile(key).sample_delays(rng, size, at_least=at_least)


@lru_cache(maxsize=8)
def _on_time(prior_weight: float) -> DelayProfile:
    return DelayProfile(_ZEROS[:0], _ZEROS, prior_weight)


# --- the expected-delay forward pass -------------------------------------------------------------------------


def _own_date(state: engine.State, today: dt.date, calendar: WorkingCalendar) -> dt.date:
    """A milestone's own date in the deterministic pass (see `engine.forecast`): plan, promise or fed date when
    later, the next working day when its plan has passed."""
    own = max(state.planned, state.promised or state.planned, state.fed or state.planned)
    if state.planned < today:
        own = max(own, calendar.next_working_day(today))
    return own


def known_floor(state: engine.State, today: dt.date, calendar: WorkingCalendar) -> dt.date | None:
    """What is known of a milestone not done yet bounds its forecast: its promise, the date fed to it, today (the
    next working day once its plan has passed: not done today)."""
    known = [d for d in (state.promised, state.fed) if d is not None]
    known.append(calendar.next_working_day(today) if state.planned < today else today)
    return max(known)


def _checked_codes(codes: Iterable[str], known: set[str], what: str) -> None:
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ValueError(f"{what} for milestones not in the plan: {', '.join(unknown)}")


def learned_forecast(
    specs: Iterable[engine.Spec],
    states: Mapping[str, engine.State],
    today: dt.date,
    calendar: WorkingCalendar,
    delays: Mapping[str, float],
) -> engine.Forecast:
    """The forward pass with each not-done milestone's base moved round(delays[code]) working days (see the
    module's docstring); with no delays (or delays that round to 0) it is `engine.forecast` exactly."""
    specs = list(specs)
    by_code = {s.code: s for s in specs}
    _checked_codes(delays, set(by_code), "delays")
    shift: dict[str, int] = {}
    for code, delay in delays.items():
        try:
            shift[code] = round(float(delay))
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{code}: the delay must be a finite number of working days") from exc
    dates: dict[str, dt.date] = {}
    driven_by: dict[str, str | None] = {}
    for code in engine.order_of(specs):
        state = states[code]
        if state.actual is not None:
            dates[code], driven_by[code] = state.actual, None
            continue
        base, by = state.planned, None
        for pred, lag in by_code[code].depends_on:
            candidate = calendar.add(dates[pred], lag)
            if candidate > base:
                base, by = candidate, pred
        days = shift.get(code, 0)
        moved = calendar.add(base, days) if days else base
        for pred, lag in by_code[code].depends_on:  # catching up never goes before a predecessor's day
            if lag >= 0 and (start := calendar.add(dates[pred], 0)) > moved:
                moved, by = start, pred
        floor = known_floor(state, today, calendar)
        if moved > floor:
            dates[code], driven_by[code] = moved, by
        else:
            dates[code], driven_by[code] = floor, None
    return engine.Forecast(dates=dates, driven_by=driven_by)


# --- the Monte Carlo forward pass -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Positions:
    """Working-day positions of the days of whole years `first_year` … `last_year` (see the module's docstring)."""

    calendar: WorkingCalendar
    start: int  # ordinal of 1 January of the first year
    stride: int  # S: more than the longest run of rest days
    positions: list[int]  # by day from `start`
    working: list[int]  # ordinals of the working days, working day k (1-based) at k - 1

    def of(self, day: dt.date) -> int:
        return self.positions[day.toordinal() - self.start]

    def date_of(self, position: int) -> dt.date:
        k, gap = divmod(int(position), self.stride)
        if 1 <= k <= len(self.working):
            return dt.date.fromordinal(self.working[k - 1] + gap)
        if k == 0 and gap:  # a rest day before the first working day of the window
            return dt.date.fromordinal(self.start + gap - 1)
        # a working day outside the window (a long delay): count on from the window's first working day
        return self.calendar.add(dt.date.fromordinal(self.working[0]), k - 1)


@lru_cache(maxsize=16)
def _positions(calendar: WorkingCalendar, first_year: int, last_year: int) -> _Positions:
    start = dt.date(first_year, 1, 1).toordinal()
    end = dt.date(last_year, 12, 31).toordinal()
    ordinals = np.arange(start, end + 1, dtype=np.int64)
    isoweekday = (ordinals - 1) % 7 + 1  # ordinal 1 (1 January of year 1) was a Monday
    rest = np.isin(isoweekday, sorted(calendar.rest_weekdays))
    holiday = np.isin(ordinals, [d.toordinal() for d in calendar.holidays])
    make_up = np.isin(ordinals, [d.toordinal() for d in calendar.working_days])
    working = make_up | (~holiday & ~rest)  # the order of `WorkingCalendar.is_working_day`
    if not working.any():
        raise ValueError(f"the calendar has no working day in {first_year}–{last_year}")
    counted = np.cumsum(working)
    index = np.arange(ordinals.size)
    last_working = np.maximum.accumulate(np.where(working, index, -1))
    gap = index - last_working  # 0 on a working day; days since the last one (or since the window began)
    stride = int(gap.max()) + 1
    return _Positions(
        calendar=calendar,
        start=start,
        stride=stride,
        positions=(counted * stride + gap).tolist(),
        working=ordinals[working].tolist(),
    )


def _window(calendar: WorkingCalendar, days: Iterable[dt.date]) -> _Positions:
    days = list(days)
    return _positions(calendar, min(days).year - 1, max(days).year + 1)


@dataclass(frozen=True)
class Simulation:
    """The outcome of the draws: the share shipping by the committed date, and the ex-factory date that half and
    nine in ten of them reach."""

    probability: float
    p50_ex_factory_date: dt.date
    p90_ex_factory_date: dt.date
    draws: int


def _ex_factory_code(specs: Sequence[engine.Spec], ex_factory: str | None) -> str:
    codes = {s.code for s in specs}
    if ex_factory is not None:
        if ex_factory not in codes:
            raise ValueError(f"the ex-factory milestone {ex_factory} is not in the plan")
        return ex_factory
    preceding = {pred for s in specs for pred, _lag in s.depends_on}
    last = [s.code for s in specs if s.code not in preceding]
    if len(last) != 1:
        raise ValueError("name the ex-factory milestone: the plan does not end in exactly one milestone")
    return last[0]


def _draw_arrays(draws: Mapping[str, np.ndarray], known: set[str]) -> tuple[dict[str, np.ndarray], int]:
    _checked_codes(draws, known, "draws")
    arrays: dict[str, np.ndarray] = {}
    length = None
    for code, values in draws.items():
        array = np.asarray(values)
        if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer) or array.dtype == np.bool_:
            raise ValueError(f"{code}: the draws must be a flat array of whole working days")
        if length is not None and array.size != length:
            raise ValueError(f"{code}: every milestone needs the same number of draws ({length}, not {array.size})")
        length = array.size
        arrays[code] = array.astype(np.int64, copy=False)
    if length == 0:
        raise ValueError("at least one draw is needed")
    return arrays, length or 1


def simulate(
    specs: Iterable[engine.Spec],
    states: Mapping[str, engine.State],
    today: dt.date,
    calendar: WorkingCalendar,
    committed: dt.date,
    draws: Mapping[str, np.ndarray],
    *,
    ex_factory: str | None = None,
) -> Simulation:
    """The forward pass for every draw at once: `draws[code]` holds the days late of each draw (the same number
    for every milestone; a milestone without draws is on its date, a done one keeps its actual). `ex_factory` is
    the ex-factory milestone's code (by default the one milestone nothing depends on)."""
    specs = list(specs)
    by_code = {s.code: s for s in specs}
    target = _ex_factory_code(specs, ex_factory)
    arrays, size = _draw_arrays(draws, set(by_code))
    days = [today, committed]
    for s in specs:
        state = states[s.code]
        days += [d for d in (state.planned, state.actual, state.promised, state.fed) if d is not None]
    window = _window(calendar, days)
    stride = window.stride
    next_working_today = -(-window.of(today) // stride) * stride

    at: dict[str, int | np.ndarray] = {}
    for code in engine.order_of(specs):
        state = states[code]
        if state.actual is not None:
            at[code] = window.of(state.actual)
            continue
        base: int | np.ndarray = window.of(state.planned)
        for pred, lag in by_code[code].depends_on:
            done = at[pred]
            k = -(-done // stride) if lag >= 0 else done // stride  # calendar.add: next or previous working day
            base = np.maximum(base, (k + lag) * stride)
        delay = arrays.get(code)
        if delay is not None:  # calendar.add(base, d): from the next working day forward, the previous one back
            later = (-(-base // stride) + delay) * stride
            earlier = (base // stride + delay) * stride
            base = np.where(delay > 0, later, np.where(delay < 0, earlier, base))
            for pred, lag in by_code[code].depends_on:  # catching up never goes before a predecessor's day
                if lag >= 0:
                    base = np.maximum(base, -(-at[pred] // stride) * stride)
        known = [window.of(d) for d in (state.promised, state.fed) if d is not None]
        known.append(next_working_today if state.planned < today else window.of(today))
        at[code] = np.maximum(base, max(known))

    finish = np.sort(np.broadcast_to(np.asarray(at[target], dtype=np.int64), (size,)))
    on_time = int(np.searchsorted(finish, window.of(committed), side="right"))
    return Simulation(
        probability=on_time / size,
        # the inverted CDF on the sorted draws: the ceil(q * size)-th smallest, in whole numbers
        p50_ex_factory_date=window.date_of(finish[-(-size // 2) - 1]),
        p90_ex_factory_date=window.date_of(finish[-(-9 * size // 10) - 1]),
        draws=size,
    )


def on_time_probability(
    specs: Iterable[engine.Spec],
    states: Mapping[str, engine.State],
    today: dt.date,
    calendar: WorkingCalendar,
    committed: dt.date,
    draws: Mapping[str, np.ndarray],
    *,
    ex_factory: str | None = None,
) -> float:
    """The share of the draws whose ex-factory date is on or before `committed` (see `simulate`)."""
    return simulate(specs, states, today, calendar, committed, draws, ex_factory=ex_factory).probability


def simulate_order(
    specs: Iterable[engine.Spec],
    states: Mapping[str, engine.State],
    today: dt.date,
    calendar: WorkingCalendar,
    committed: dt.date,
    *,
    model: DelayModel,
    source_of: Mapping[str, str],
    rng: np.random.Generator,
    n: int = 300,
    ex_factory: str | None = None,
) -> Simulation:
    """Draw `n` delays from `model` for each milestone not done yet, by its source (`source_of[code]`; a milestone
    without one is learned as `"milestone:<code>"`), and run `simulate`. The same seed gives the same result."""
    specs = list(specs)
    if n < 1:
        raise ValueError("at least one draw is needed")
    draws = {
        s.code: model.sample(source_of.get(s.code, f"milestone:{s.code}"), rng, n)
        for s in specs
        if states[s.code].actual is None
    }
    return simulate(specs, states, today, calendar, committed, draws, ex_factory=ex_factory)
