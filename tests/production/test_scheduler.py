"""Properties of the finite-capacity scheduler (pure: no database)."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from gendan.production.scheduler import Op, schedule

START = dt.date(2026, 11, 23)  # a Monday
DAYS = [START + dt.timedelta(days=i) for i in range(120)]
CENTRES = [1, 2, 3]


def is_rest_day(day: dt.date) -> bool:
    return day.isoweekday() in (6, 7)


hours = st.decimals(min_value=0, max_value=40, places=1)
amounts = st.decimals(min_value=0, max_value=120, places=2)
jobs = st.lists(st.tuples(st.sampled_from(CENTRES), amounts), min_size=1, max_size=5).map(
    lambda items: [Op(i + 1, wc, amount) for i, (wc, amount) in enumerate(items)]
)


@st.composite
def worlds(draw):  # noqa: ANN201, ANN001
    daily = {wc: draw(st.decimals(min_value=0, max_value=16, places=1)) for wc in CENTRES}
    capacity = {(wc, d): daily[wc] for wc in CENTRES for d in DAYS if not is_rest_day(d)}
    used = {
        key: draw(st.decimals(min_value=0, max_value=10, places=1))
        for key in list(capacity)[:: draw(st.integers(3, 9))]
    }
    overtime = {key: Decimal(2) for key in capacity} if draw(st.booleans()) else {}
    return capacity, used, overtime


@settings(max_examples=300, deadline=None)
@given(jobs, worlds())
def test_no_day_is_loaded_over_its_capacity_and_overtime(ops, world) -> None:
    capacity, used, overtime = world
    result = schedule(ops, days=DAYS, capacity=capacity, used=used, overtime=overtime)
    for (wc, day), load in result.load().items():
        room = max(capacity.get((wc, day), Decimal(0)) - used.get((wc, day), Decimal(0)), Decimal(0))
        assert load <= room + overtime.get((wc, day), Decimal(0))
    for (wc, day), extra in result.overtime().items():
        assert extra <= overtime[(wc, day)]


@settings(max_examples=300, deadline=None)
@given(jobs, worlds())
def test_operations_keep_their_sequence_and_nothing_lands_on_a_rest_day(ops, world) -> None:
    capacity, used, overtime = world
    result = schedule(ops, days=DAYS, capacity=capacity, used=used, overtime=overtime)
    last_day: dict[int, dt.date] = {}
    first_day: dict[int, dt.date] = {}
    for slot in result.slots:
        assert not is_rest_day(slot.day)
        assert slot.amount > 0
        first_day.setdefault(slot.position, slot.day)
        last_day[slot.position] = slot.day
    positions = sorted(first_day)
    for earlier, later in zip(positions, positions[1:], strict=False):
        assert first_day[later] >= last_day[earlier]


@settings(max_examples=300, deadline=None)
@given(jobs, worlds(), st.integers(min_value=0, max_value=119))
def test_a_job_that_finishes_by_a_date_has_all_its_work_done_by_then(ops, world, due_index) -> None:
    capacity, used, overtime = world
    due = DAYS[due_index]
    result = schedule(ops, days=DAYS, capacity=capacity, used=used, overtime=overtime)
    if result.finish is None:
        assert sum((s.amount for s in result.slots), Decimal(0)) < sum((op.amount for op in ops), Decimal(0))
        return
    for op in ops:
        done = sum((s.amount for s in result.slots if s.position == op.position), Decimal(0))
        assert done == op.amount
    if result.finish <= due:
        assert all(s.day <= due for s in result.slots)
    assert all(s.day <= result.finish for s in result.slots)


def test_an_operation_starts_the_day_the_one_before_ends_on_what_is_left_of_it() -> None:
    capacity = {(1, d): Decimal(8) for d in DAYS if not is_rest_day(d)} | {
        (2, d): Decimal(8) for d in DAYS if not is_rest_day(d)
    }
    result = schedule(
        [Op(1, 1, Decimal(12)), Op(2, 2, Decimal(10))], days=DAYS, capacity=capacity, used={(2, START): Decimal(8)}
    )
    assert [(s.position, s.day, s.amount) for s in result.slots] == [
        (1, START, Decimal(8)),
        (1, START + dt.timedelta(days=1), Decimal(4)),
        (2, START + dt.timedelta(days=1), Decimal(8)),
        (2, START + dt.timedelta(days=2), Decimal(2)),
    ]
    assert result.finish == START + dt.timedelta(days=2)
    friday_job = schedule([Op(1, 1, Decimal(10))], days=DAYS[4:], capacity=capacity)
    assert friday_job.finish == START + dt.timedelta(days=7)  # Friday 8 h, Monday 2 h: the weekend is skipped


def test_overtime_is_taken_only_once_the_day_is_full() -> None:
    capacity = {(1, d): Decimal(8) for d in DAYS if not is_rest_day(d)}
    overtime = {key: Decimal(3) for key in capacity}
    result = schedule([Op(1, 1, Decimal(20))], days=DAYS, capacity=capacity, overtime=overtime)
    assert [(s.day, s.amount, s.overtime) for s in result.slots] == [
        (START, Decimal(11), Decimal(3)),
        (START + dt.timedelta(days=1), Decimal(9), Decimal(1)),
    ]


def test_a_job_that_does_not_fit_has_no_finish() -> None:
    capacity = {(1, d): Decimal(1) for d in DAYS[:5]}
    assert schedule([Op(1, 1, Decimal(50))], days=DAYS[:10], capacity=capacity).finish is None
