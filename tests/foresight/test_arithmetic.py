"""The foresight report's arithmetic and parameters: percentages, the median, the lead-time buckets, the default
period, and the refusal of bad parameters."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gendan.core import clock
from gendan.core.exceptions import ValidationError
from gendan.foresight import selectors
from gendan.foresight.selectors import bucket_of, default_period, foresight_report, median, percent
from tests.foresight.conftest import END, REPORT_DAY, START


def test_percent_and_median() -> None:
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(0, 4) == Decimal("0.0")
    assert percent(1, 0) is None
    assert median([]) is None
    assert median([7]) == Decimal("7")
    assert median([25, -2, 12, 5]) == Decimal("8.5")
    assert median([1, 3]) == Decimal("2")


@given(st.integers(min_value=-400, max_value=400))
def test_every_lead_falls_in_exactly_one_bucket_that_agrees_with_the_thresholds(lead: int) -> None:
    key = bucket_of(lead)
    assert key != "never"
    assert (key == "after") == (lead <= 0)
    assert (key in ("5-9", "10-19", "20+")) == (lead >= 5)
    assert (key in ("10-19", "20+")) == (lead >= 10)
    assert (key == "20+") == (lead >= 20)
    assert bucket_of(None) == "never"


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_the_default_period_is_the_last_six_months(today: dt.date) -> None:
    start, end = default_period(today)
    assert end == today
    months = (end.year - start.year) * 12 + end.month - start.month
    assert months == 6
    assert start.day <= today.day  # the 31st of a shorter month is its last day


def test_the_parameters_default_to_the_last_six_months_of_the_plan() -> None:
    with clock.frozen(REPORT_DAY):
        assert selectors.parse_params() == (dt.date(2026, 9, 15), REPORT_DAY, "plan")
    assert selectors.parse_params(start="2027-01-01", end="2027-01-31", method="learned") == (
        dt.date(2027, 1, 1),
        dt.date(2027, 1, 31),
        "learned",
    )
    assert default_period(dt.date(2026, 8, 31)) == (dt.date(2026, 2, 28), dt.date(2026, 8, 31))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2027-02-30"}, "from"),
        ({"end": "soon"}, "to"),
        ({"method": "guess"}, "method"),
        ({"start": "2027-03-01", "end": "2027-02-01"}, "to"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(params, field) -> None:
    with pytest.raises(ValidationError) as caught:
        selectors.parse_params(**params)
    assert list(caught.value.errors) == [field]


def test_a_period_that_ends_before_it_starts_is_refused_by_the_selector_too(db) -> None:
    with pytest.raises(ValidationError):
        foresight_report(start=dt.date(2027, 3, 1), end=dt.date(2027, 2, 1))
    with pytest.raises(ValidationError):
        foresight_report(start=START, end=END, method="guess")
