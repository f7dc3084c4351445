"""Risk flags (预警记录): each stretch of days an order's plan forecast put it at risk or late is kept, from the day it
was first flagged to the day it no longer was, by the single re-forecast and the nightly one alike."""

import datetime as dt

from gendan.core import clock
from gendan.followup import services
from gendan.followup.choices import Risk
from gendan.followup.models import RiskFlag
from gendan.sales import services as sales
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from tests.followup.conftest import plan


def test_a_promise_that_slips_opens_a_flag_and_keeping_the_plan_again_clears_it(confirmed_order, merchandiser) -> None:
    order = confirmed_order()
    assert not RiskFlag.objects.exists()
    mih = plan(order)["MIH"]
    with clock.frozen(dt.date(2026, 12, 1)):
        services.update_milestone(
            milestone=mih, by=merchandiser, data={"forecast_date": mih.planned_date + dt.timedelta(days=21)}
        )
    flag = RiskFlag.objects.get()
    assert (flag.order, flag.method, flag.flagged_on, flag.cleared_on, flag.driver) == (
        order,
        "plan",
        dt.date(2026, 12, 1),
        None,
        "MIH",
    )
    assert flag.committed_date == order.ex_factory_date
    assert flag.forecast_ex_factory_date > order.ex_factory_date
    # a second slip while flagged opens nothing new
    mih.refresh_from_db()
    with clock.frozen(dt.date(2026, 12, 3)):
        services.update_milestone(
            milestone=mih, by=merchandiser, data={"forecast_date": mih.planned_date + dt.timedelta(days=28)}
        )
    assert RiskFlag.objects.count() == 1
    # the supplier keeps the plan after all: the flag is cleared that day
    mih.refresh_from_db()
    with clock.frozen(dt.date(2026, 12, 8)):
        services.update_milestone(milestone=mih, by=merchandiser, data={"actual_date": dt.date(2026, 12, 8)})
    order.refresh_from_db()
    assert order.risk == Risk.ON_TRACK
    flag.refresh_from_db()
    assert flag.cleared_on == dt.date(2026, 12, 8)


def test_the_nightly_run_flags_an_order_when_time_passes_and_clears_it_when_it_ships(
    confirmed_order, merchandiser
) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2027, 1, 22))
    other = confirmed_order(ex_factory_date=dt.date(2027, 3, 26))
    mo = plan(order)["MO"]
    with clock.frozen(mo.planned_date + dt.timedelta(days=40)):
        services.reforecast_orders()
        flagged_on = clock.today()
    order.refresh_from_db()
    assert order.risk in (Risk.AT_RISK, Risk.LATE)
    (flag,) = RiskFlag.objects.filter(order=order)
    assert (flag.flagged_on, flag.cleared_on) == (flagged_on, None)
    assert not RiskFlag.objects.filter(order=other).exists()
    # the next nights change nothing while it stays flagged
    with clock.frozen(dt.date(2027, 1, 25)):
        services.reforecast_orders()
    assert RiskFlag.objects.filter(order=order).count() == 1
    with clock.frozen(dt.date(2027, 1, 27)):
        for status in (OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP, OrderStatus.SHIPPED):
            sales.transition_order(order=order, by=merchandiser, to_status=status)
    flag.refresh_from_db()
    assert flag.cleared_on == dt.date(2027, 1, 27)


def test_bulk_and_single_reforecasts_keep_the_same_flags(confirmed_order) -> None:
    orders = [confirmed_order(ex_factory_date=dt.date(2027, 1, 22)) for _ in range(3)]
    with clock.frozen(dt.date(2027, 1, 6)):
        services.reforecast_orders(batch_size=2)
    bulk = sorted(RiskFlag.objects.values_list("order_id", "flagged_on", "driver"))
    RiskFlag.objects.all().delete()
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(risk=Risk.ON_TRACK)
    with clock.frozen(dt.date(2027, 1, 6)):
        for o in orders:
            services.reforecast(o)
    assert sorted(RiskFlag.objects.values_list("order_id", "flagged_on", "driver")) == bulk
    assert len(bulk) == 3
