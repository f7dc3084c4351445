"""Each work centre's capacity per day: its exception when it has one that day, else its daily capacity on the
company's working days and nothing on rest days. Two queries for any number of work centres."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from gendan.catalog.models import CapacityException, WorkCentre
from gendan.core.calendar import company_calendar

ZERO = Decimal(0)


def day_capacity(work_centre_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], Decimal]:
    """{(work centre id, day): capacity} for every day from `start` to `end` with some capacity."""
    ids = list(work_centre_ids)
    calendar = company_calendar()
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    working = [d for d in days if calendar.is_working_day(d)]
    result: dict[tuple[int, dt.date], Decimal] = {}
    for pk, daily in WorkCentre.objects.filter(pk__in=ids).values_list("pk", "daily_capacity"):
        if daily:
            for day in working:
                result[(pk, day)] = daily
    for pk, day, capacity in CapacityException.objects.filter(
        work_centre_id__in=ids, date__gte=start, date__lte=end
    ).values_list("work_centre_id", "date", "capacity"):
        if capacity:
            result[(pk, day)] = capacity
        else:
            result.pop((pk, day), None)
    return result
