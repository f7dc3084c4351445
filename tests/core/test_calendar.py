"""The working calendar: counting working days over rest weekdays, holidays and make-up days (调休)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.core.choices import Role

# National Day 2026 in China: 1–7 October off, with Sunday 27 September and Saturday 10 October worked.
GOLDEN_WEEK = WorkingCalendar.of(
    [6, 7],
    holidays=[dt.date(2026, 10, d) for d in range(1, 8)],
    working_days=[dt.date(2026, 9, 27), dt.date(2026, 10, 10)],
)

days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31))
calendars = st.builds(
    WorkingCalendar.of,
    st.sets(st.integers(1, 7), max_size=3),
    st.sets(days, max_size=20),
    st.sets(days, max_size=5),
)


def test_holidays_are_rest_days_and_make_up_days_are_working_days() -> None:
    assert not GOLDEN_WEEK.is_working_day(dt.date(2026, 10, 1))  # a Thursday, holiday
    assert GOLDEN_WEEK.is_working_day(dt.date(2026, 9, 27))  # a Sunday, make-up day
    assert not GOLDEN_WEEK.is_working_day(dt.date(2026, 10, 4))  # a Sunday


def test_adding_working_days_skips_the_golden_week() -> None:
    # Wednesday 30 September + 1 working day is Thursday 8 October
    assert GOLDEN_WEEK.add(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    # Friday 9 October + 1 is the make-up Saturday 10 October
    assert GOLDEN_WEEK.add(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)
    # backwards: 8 October − 1 working day is 30 September
    assert GOLDEN_WEEK.add(dt.date(2026, 10, 8), -1) == dt.date(2026, 9, 30)


def test_between_counts_working_days_and_is_negative_backwards() -> None:
    assert GOLDEN_WEEK.between(dt.date(2026, 9, 30), dt.date(2026, 10, 8)) == 1
    assert GOLDEN_WEEK.between(dt.date(2026, 10, 8), dt.date(2026, 9, 30)) == -1


@given(calendars, days, st.integers(-60, 60))
def test_add_always_lands_on_a_working_day(calendar: WorkingCalendar, day: dt.date, n: int) -> None:
    assert calendar.is_working_day(calendar.add(day, n))


@given(calendars, days, st.integers(-60, 60))
def test_between_undoes_add_from_a_working_day(calendar: WorkingCalendar, day: dt.date, n: int) -> None:
    start = calendar.next_working_day(day)
    assert calendar.between(start, calendar.add(start, n)) == n


def test_a_calendar_without_any_working_day_is_refused() -> None:
    with pytest.raises(ValueError, match="no working day"):
        WorkingCalendar.of(range(1, 8)).add(dt.date(2026, 1, 1), 1)


@pytest.mark.django_db
def test_calendar_api_replaces_the_calendar_and_the_company_calendar_uses_it(api_as, make_user) -> None:
    planner = make_user(Role.PLANNER)
    body = {
        "rest_weekdays": [6, 7],
        "holidays": [{"date": f"2026-10-0{d}", "name": "国庆节"} for d in range(1, 8) if d not in (3, 4)],
        "working_days": [{"date": "2026-09-27", "name": "国庆调休"}],
    }
    response = api_as(planner).put("/calendar", body)
    assert response.status_code == 200
    assert [d["date"] for d in response.json()["working_days"]] == ["2026-09-27"]
    assert company_calendar().add(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)


@pytest.mark.django_db
def test_calendar_api_refuses_a_make_up_day_on_a_weekday_and_changes_nothing(api_as, make_user) -> None:
    client = api_as(make_user(Role.MANAGER))
    response = client.put("/calendar", {"rest_weekdays": [6, 7], "working_days": [{"date": "2026-09-30"}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "working_days[0].date"]
    assert client.get("/calendar").json()["working_days"] == []


@pytest.mark.django_db
def test_only_managers_and_planners_change_the_calendar(api_as, merchandiser) -> None:
    client = api_as(merchandiser)
    assert client.get("/calendar").status_code == 200
    assert client.put("/calendar", {"rest_weekdays": [7]}).status_code == 403


@pytest.mark.django_db
def test_calendar_page_saves_holidays_and_make_up_days_from_lines(page_as, make_user) -> None:
    client = page_as(make_user(Role.PLANNER))
    assert client.get("/calendar/").status_code == 200
    response = client.post(
        "/calendar/",
        {
            "rest_weekdays": ["6", "7"],
            "holidays": "2026-10-01 国庆节\n2026-10-02 国庆节",
            "working_days": "2026-09-27 调休",
        },
    )
    assert response.status_code == 302
    assert company_calendar().add(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 5)
    page = client.get("/calendar/").content.decode()
    assert "2026-10-01 国庆节" in page


@pytest.mark.django_db
def test_calendar_page_shows_a_bad_line_and_saves_nothing(page_as, make_user) -> None:
    client = page_as(make_user(Role.MANAGER))
    response = client.post("/calendar/", {"rest_weekdays": ["6", "7"], "holidays": "Oct 1 National Day"})
    assert response.status_code == 200
    assert "Line 1" in response.content.decode()
    assert company_calendar().holidays == frozenset()


@pytest.mark.django_db
def test_a_merchandiser_reads_the_calendar_but_cannot_change_it(page_as, merchandiser) -> None:
    client = page_as(merchandiser)
    assert 'data-testid="calendar-form"' not in client.get("/calendar/").content.decode()
    assert client.post("/calendar/", {"rest_weekdays": ["7"]}).status_code == 403
