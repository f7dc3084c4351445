"""The company's working calendar (工作日历): weekly rest days, public holidays and make-up working days (调休).

`WorkingCalendar` is a plain value object: every date rule that counts working days (planned dates, slack,
"due within N working days") goes through it. `company_calendar()` loads the company's calendar from the database.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkingCalendar:
    """ISO rest weekdays (Monday 1 … Sunday 7), holidays (rest days) and make-up days (working days)."""

    rest_weekdays: frozenset[int] = frozenset({6, 7})
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    working_days: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        if day in self.holidays:
            return False
        return day.isoweekday() not in self.rest_weekdays

    def _has_working_days(self) -> bool:
        return len(self.rest_weekdays) < 7 or bool(self.working_days)

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the next one."""
        self._check()
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def previous_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the one before."""
        self._check()
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day

    def add(self, day: dt.date, n: int) -> dt.date:
        """The working day `n` working days after (n > 0) or before (n < 0) `day`.

        `day` is first moved onto a working day (forward for n >= 0, backward for n < 0); n = 0 gives that day.
        """
        self._check()
        step = ONE_DAY if n >= 0 else -ONE_DAY
        current = self.next_working_day(day) if n >= 0 else self.previous_working_day(day)
        for _ in range(abs(n)):
            current += step
            while not self.is_working_day(current):
                current += step
        return current

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days from `start` to `end`, negative when `end` is earlier.

        Counts the working days in (start, end] (or -(end, start]); for working days, add(start, n) == end.
        """
        if end == start:
            return 0
        sign = 1 if end > start else -1
        low, high = (start, end) if sign > 0 else (end, start)
        count, day = 0, low + ONE_DAY
        while day <= high:
            if self.is_working_day(day):
                count += 1
            day += ONE_DAY
        return sign * count

    def _check(self) -> None:
        if not self._has_working_days():
            raise ValueError("a calendar with every weekday a rest day and no make-up day has no working day")

    @classmethod
    def of(
        cls, rest_weekdays: Iterable[int], holidays: Iterable[dt.date] = (), working_days: Iterable[dt.date] = ()
    ) -> "WorkingCalendar":
        return cls(frozenset(rest_weekdays), frozenset(holidays), frozenset(working_days))


def company_calendar() -> WorkingCalendar:
    """The company's calendar as stored (one query for the settings, one for the special days)."""
    from gendan.core.models import CalendarDay, CompanySettings

    settings = CompanySettings.current()
    holidays, working = set(), set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (working if kind == CalendarDay.Kind.WORKING_DAY else holidays).add(day)
    return WorkingCalendar.of(settings.rest_weekdays, holidays, working)
