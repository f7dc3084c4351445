"""The one clock of Gendan: `today()` and `now()` in the company's time zone.

Business code never calls `date.today()` or `timezone.now()`; tests and the day-by-day replay
move this clock with `frozen(...)`.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar

from django.utils import timezone

_frozen: ContextVar[dt.datetime | None] = ContextVar("gendan_frozen_now", default=None)


def now() -> dt.datetime:
    """The current moment (aware), or the frozen one."""
    frozen = _frozen.get()
    return frozen if frozen is not None else timezone.now()


def today() -> dt.date:
    """Today's date in the company's time zone."""
    return timezone.localtime(now()).date()


@contextlib.contextmanager
def frozen(moment: dt.date | dt.datetime) -> Iterator[None]:
    """Freeze the clock at a date (noon, company time) or an aware datetime."""
    if isinstance(moment, dt.datetime):
        value = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    else:
        value = timezone.make_aware(dt.datetime.combine(moment, dt.time(12, 0)))
    token = _frozen.set(value)
    try:
        yield
    finally:
        _frozen.reset(token)
