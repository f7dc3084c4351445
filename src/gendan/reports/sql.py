"""Small SQL functions the reports group and measure by, native on SQLite and PostgreSQL (Django's TruncMonth and
date extracts are Python functions on SQLite, called once per row: too slow over a year of order lines)."""

from typing import Any

from django.db.models import CharField, Func, IntegerField


class MonthKey(Func):
    """The month of a date as text, `YYYY-MM`; `shift_days` moves the date first (a day after the due date)."""

    output_field = CharField()

    def __init__(self, expression: Any, *, shift_days: int = 0, **extra: Any) -> None:
        self.shift_days = int(shift_days)
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        if self.shift_days:
            template = f"strftime('%%%%Y-%%%%m', %(expressions)s, '{self.shift_days:+d} day')"
        else:
            template = "substr(%(expressions)s, 1, 7)"  # dates are stored as YYYY-MM-DD text
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        shifted = f"(%(expressions)s + {self.shift_days:d})" if self.shift_days else "%(expressions)s"
        return self.as_sql(compiler, connection, template=f"to_char({shifted}, 'YYYY-MM')", **extra)


class DaysBetween(Func):
    """Calendar days from the second date to the first (`later − earlier`), an integer; NULL if either is NULL."""

    output_field = IntegerField()
    arity = 2

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)
