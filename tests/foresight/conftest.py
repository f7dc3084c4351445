"""A small history for the foresight report, made by the real services under a moving clock: confirmed orders with
their plans, flagged by the nightly re-forecast or a slipping promise, shipped through the order's transitions.

Every order is put in production and ready to ship on the suite's today (2026-11-24, well on track), so only the
moments chosen below flag or ship it. The report is read on REPORT_DAY over [START, END].

| order       | committed  | plan flag (first)            | shipped    | kind                         |
| ----------- | ---------- | ---------------------------- | ---------- | ---------------------------- |
| ahead12     | 2027-02-15 | 2027-01-28 (12 working days) | 2027-02-17 | late                         |
| ahead25     | 2027-02-18 | 2027-01-14 (25)              | 2027-02-22 | late                         |
| ahead5      | 2027-02-19 | 2027-02-12 (5)               | 2027-02-24 | late                         |
| after       | 2027-02-17 | 2027-02-19 (-2)              | 2027-02-19 | late                         |
| never       | 2027-02-16 | none                         | no         | late (date passed)           |
| false_alarm | 2027-02-15 | 2026-12-01 → 2026-12-08 (MIH) | 2027-02-12 | on time, flagged 5 days      |
| on_time     | 2027-02-18 | none                         | 2027-02-10 | on time                      |
| open        | 2027-03-31 | 2027-03-10                   | no         | open (date not come)         |
| cancelled   | 2027-02-16 | none                         | no         | excluded                     |
| draft       | 2027-02-16 | no plan                      | no         | excluded                     |
| before      | 2027-01-29 | none                         | no         | outside the period           |

The learned method (`learned_flags`): `never` flagged on 2027-01-05 (30 working days ahead), `on_time` flagged from
2027-01-20 to 2027-01-27 (5 working days).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from gendan.core import clock
from gendan.core.models import User
from gendan.followup import services
from gendan.followup.models import RiskFlag
from gendan.sales import services as sales
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from tests.conftest import TODAY
from tests.followup.conftest import _english, buyer, confirmed_order, plan  # noqa: F401
from tests.sales.factories import make_order

REPORT_DAY = dt.date(2027, 3, 15)
START, END = dt.date(2027, 2, 1), dt.date(2027, 3, 31)


def ready(order: Order, by: User) -> None:
    for status in (OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP):
        sales.transition_order(order=order, by=by, to_status=status)


def ship(order: Order, by: User, day: dt.date) -> None:
    """Out of the factory on `day`: the ex-factory milestone's actual date is that day."""
    with clock.frozen(day):
        sales.transition_order(order=order, by=by, to_status=OrderStatus.SHIPPED)


def nightly(order: Order, day: dt.date) -> None:
    """The nightly re-forecast of `day`, for this order."""
    with clock.frozen(day):
        services.reforecast_orders(order_ids=[order.pk])


@pytest.fixture
def history(confirmed_order: Callable[..., Order], merchandiser: User, manager: User) -> dict[str, Order]:  # noqa: F811
    with clock.frozen(TODAY):  # whatever day the test reads the report on
        return _history(confirmed_order, merchandiser)


def _history(confirmed_order: Callable[..., Order], merchandiser: User) -> dict[str, Order]:  # noqa: F811
    def make(committed: dt.date) -> Order:
        order = confirmed_order(ex_factory_date=committed)
        ready(order, merchandiser)
        return order

    orders: dict[str, Order] = {}
    orders["ahead12"] = make(dt.date(2027, 2, 15))
    nightly(orders["ahead12"], dt.date(2027, 1, 28))
    ship(orders["ahead12"], merchandiser, dt.date(2027, 2, 17))

    orders["ahead25"] = make(dt.date(2027, 2, 18))
    nightly(orders["ahead25"], dt.date(2027, 1, 14))
    ship(orders["ahead25"], merchandiser, dt.date(2027, 2, 22))

    orders["ahead5"] = make(dt.date(2027, 2, 19))
    nightly(orders["ahead5"], dt.date(2027, 2, 12))
    ship(orders["ahead5"], merchandiser, dt.date(2027, 2, 24))

    orders["after"] = make(dt.date(2027, 2, 17))
    nightly(orders["after"], dt.date(2027, 2, 19))
    ship(orders["after"], merchandiser, dt.date(2027, 2, 19))

    orders["never"] = make(dt.date(2027, 2, 16))

    orders["false_alarm"] = make(dt.date(2027, 2, 15))
    mih = plan(orders["false_alarm"])["MIH"]
    with clock.frozen(dt.date(2026, 12, 1)):  # the supplier promises three weeks late: flagged
        services.update_milestone(
            milestone=mih, by=merchandiser, data={"forecast_date": mih.planned_date + dt.timedelta(days=21)}
        )
    mih.refresh_from_db()
    with clock.frozen(dt.date(2026, 12, 8)):  # … and delivers after all: cleared
        services.update_milestone(milestone=mih, by=merchandiser, data={"actual_date": dt.date(2026, 12, 8)})
    ship(orders["false_alarm"], merchandiser, dt.date(2027, 2, 12))

    orders["on_time"] = make(dt.date(2027, 2, 18))
    ship(orders["on_time"], merchandiser, dt.date(2027, 2, 10))

    orders["open"] = make(dt.date(2027, 3, 31))
    nightly(orders["open"], dt.date(2027, 3, 10))

    orders["cancelled"] = confirmed_order(ex_factory_date=dt.date(2027, 2, 16))
    sales.transition_order(order=orders["cancelled"], by=merchandiser, to_status=OrderStatus.CANCELLED, reason="test")

    orders["draft"] = make_order(by=merchandiser, ex_factory_date=dt.date(2027, 2, 16))
    orders["before"] = make(dt.date(2027, 1, 29))
    for order in orders.values():
        order.refresh_from_db()
    return orders


@pytest.fixture
def learned_flags(history: dict[str, Order]) -> dict[str, Order]:
    """Flags of the learned method, opened and cleared by the same service the nightly run uses."""

    def record(order: Order, day: dt.date, flagged: bool) -> None:
        services.record_flags(
            method=RiskFlag.Method.LEARNED,
            day=day,
            outcomes={order.pk: (flagged, "PS", None, order.ex_factory_date)},
        )

    record(history["never"], dt.date(2027, 1, 5), True)
    record(history["on_time"], dt.date(2027, 1, 20), True)
    record(history["on_time"], dt.date(2027, 1, 27), False)
    return history


@pytest.fixture
def at_report_day() -> Any:
    with clock.frozen(REPORT_DAY):
        yield
