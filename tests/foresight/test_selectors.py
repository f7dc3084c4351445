"""The foresight report's definitions, each on orders flagged and shipped by the real services (see conftest.py for
the history), and its cost: a bounded number of queries whatever the number of orders."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from gendan.core import clock
from gendan.followup import services
from gendan.followup.models import RiskFlag
from gendan.foresight import selectors
from gendan.foresight.selectors import compare, foresight_report
from tests.conftest import TODAY
from tests.foresight.conftest import END, START, ready, ship

pytestmark = pytest.mark.usefixtures("at_report_day")


def _row(report, order):
    return next(r for r in report.rows if r.order_id == order.pk)


def test_the_figures_of_the_plan_over_a_period(history) -> None:
    report = foresight_report(start=START, end=END)
    assert report.method == "plan"
    assert (report.orders, report.late_orders, report.on_time_orders, report.open_orders) == (8, 5, 2, 1)
    assert report.flagged_ahead == {5: 3, 10: 2, 20: 1}
    assert report.recall == {5: Decimal("60.0"), 10: Decimal("40.0"), 20: Decimal("20.0")}
    assert report.late_flagged == 4  # all but the one never flagged
    assert report.late_flagged_before == 3  # 25, 12 and 5 working days ahead; not the one flagged after
    assert report.false_alarms == 1
    assert report.false_alarm_rate == Decimal("25.0")  # 1 ÷ (1 + 3)
    assert report.false_alarms_per_on_time == Decimal("50.0")  # 1 ÷ 2
    assert report.median_lead_days == Decimal("8.5")  # of -2, 5, 12, 25
    assert report.distribution == {"never": 1, "after": 1, "1-4": 0, "5-9": 1, "10-19": 1, "20+": 1}
    assert report.drivers == [{"code": "MO", "name": "Materials ordered", "count": 4}]
    # the surprises first: never flagged, flagged after the date, then the least warning
    assert [r.order_number for r in report.rows] == [
        history[k].number for k in ("never", "after", "ahead5", "ahead12", "ahead25")
    ]


def test_a_late_order_flagged_12_working_days_ahead_counts_at_5_and_10_but_not_20(history) -> None:
    day = dt.date(2027, 2, 15)  # ahead12 (late) and the false alarm (on time) are committed that day
    report = foresight_report(start=day, end=day)
    (row,) = report.rows
    assert row.order_id == history["ahead12"].pk
    assert (row.committed_date, row.shipped_date, row.first_flag_date) == (
        day,
        dt.date(2027, 2, 17),
        dt.date(2027, 1, 28),
    )
    assert (row.lead_days, row.bucket, row.driver) == (12, "10-19", "MO")
    assert report.flagged_ahead == {5: 1, 10: 1, 20: 0}
    assert report.recall == {5: Decimal("100.0"), 10: Decimal("100.0"), 20: Decimal("0.0")}
    assert report.median_lead_days == Decimal("12")


def test_a_late_order_never_flagged_has_no_lead_and_counts_in_no_threshold(history) -> None:
    day = dt.date(2027, 2, 16)
    report = foresight_report(start=day, end=day)  # the never-flagged order alone (the cancelled one is left out)
    (row,) = report.rows
    assert row.order_id == history["never"].pk
    assert (row.shipped_date, row.first_flag_date, row.lead_days, row.driver, row.bucket) == (
        None,
        None,
        None,
        None,
        "never",
    )
    assert report.late_orders == 1
    assert report.flagged_ahead == {5: 0, 10: 0, 20: 0}
    assert report.recall[5] == Decimal("0.0")
    assert report.median_lead_days is None
    assert report.false_alarm_rate is None  # no warning given ahead at all: nothing to divide by
    assert report.drivers == []


def test_a_late_order_first_flagged_after_its_committed_date_has_a_negative_lead(history) -> None:
    day = dt.date(2027, 2, 17)
    report = foresight_report(start=day, end=day)
    (row,) = report.rows
    assert row.order_id == history["after"].pk
    assert (row.first_flag_date, row.lead_days, row.bucket) == (dt.date(2027, 2, 19), -2, "after")
    assert report.late_flagged == 1
    assert report.late_flagged_before == 0
    assert report.median_lead_days == Decimal("-2")  # it was flagged: it counts in the median


def test_an_order_flagged_then_shipped_on_time_is_a_false_alarm_with_its_days_flagged(history) -> None:
    report = foresight_report(start=START, end=END)
    (alarm,) = report.false_alarm_rows
    assert alarm.order_id == history["false_alarm"].pk
    assert (alarm.committed_date, alarm.shipped_date, alarm.first_flag_date) == (
        dt.date(2027, 2, 15),
        dt.date(2027, 2, 12),
        dt.date(2026, 12, 1),
    )
    assert alarm.days_flagged == 5  # flagged on Tue 1 Dec, cleared on Tue 8 Dec
    assert (alarm.driver, alarm.driver_name) == ("MIH", "Materials in house")
    with translation.override("zh-hans"):
        assert foresight_report(start=START, end=END).false_alarm_rows[0].driver_name == "物料到齐"
    # the on-time order that was never flagged is no false alarm
    assert history["on_time"].pk not in {r.order_id for r in report.false_alarm_rows}


def test_open_cancelled_planless_and_out_of_period_orders_are_left_out(history) -> None:
    report = foresight_report(start=START, end=END)
    listed = {r.order_id for r in report.rows} | {r.order_id for r in report.false_alarm_rows}
    for key in ("open", "cancelled", "draft", "before"):
        assert history[key].pk not in listed, key
    assert RiskFlag.objects.filter(order=history["open"], method="plan").exists()  # flagged, but not due yet
    assert report.open_orders == 1
    # once its date has passed unshipped the open order is late, first flagged 15 working days ahead
    with clock.frozen(dt.date(2027, 4, 1)):
        later = foresight_report(start=START, end=END)
    assert _row(later, history["open"]).lead_days == 15
    assert later.open_orders == 0


def test_the_methods_are_kept_apart(learned_flags) -> None:
    history = learned_flags
    plan = foresight_report(start=START, end=END, method="plan")
    assert (plan.flagged_ahead, plan.false_alarms) == ({5: 3, 10: 2, 20: 1}, 1)
    learned = foresight_report(start=START, end=END, method="learned")
    assert learned.late_orders == 5
    assert learned.flagged_ahead == {5: 1, 10: 1, 20: 1}
    assert _row(learned, history["never"]).lead_days == 30
    assert _row(learned, history["ahead12"]).lead_days is None  # flagged by the plan only
    (alarm,) = learned.false_alarm_rows
    assert (alarm.order_id, alarm.days_flagged, alarm.driver) == (history["on_time"].pk, 5, "PS")
    assert learned.false_alarm_rate == Decimal("50.0")
    assert learned.median_lead_days == Decimal("30")
    assert learned.drivers == [{"code": "PS", "name": "Production start", "count": 1}]
    both = compare(START, END)
    assert both["plan"].as_dict() == plan.as_dict()
    assert both["learned"].as_dict() == learned.as_dict()
    rows = {r["key"]: r for r in selectors.comparison_rows(both)}
    assert (rows["recall_5"]["plan"], rows["recall_5"]["learned"]) == (Decimal("60.0"), Decimal("20.0"))
    assert (rows["false_alarm_rate"]["plan"], rows["false_alarm_rate"]["learned"]) == (
        Decimal("25.0"),
        Decimal("50.0"),
    )
    assert (rows["median_lead_days"]["plan"], rows["median_lead_days"]["learned"]) == (Decimal("8.5"), Decimal("30"))


def test_a_flag_open_when_the_order_ships_counts_to_the_shipped_date_and_a_later_one_not_at_all(
    confirmed_order, merchandiser
) -> None:
    with clock.frozen(TODAY):
        order = confirmed_order(ex_factory_date=dt.date(2027, 2, 15))
        ready(order, merchandiser)
        other = confirmed_order(ex_factory_date=dt.date(2027, 2, 18))
        ready(other, merchandiser)
    # a learned flag from Mon 1 Feb that nothing clears, then the order leaves on Thu 11 Feb, four days early
    services.record_flags(
        method="learned", day=dt.date(2027, 2, 1), outcomes={order.pk: (True, "PC", None, order.ex_factory_date)}
    )
    ship(order, merchandiser, dt.date(2027, 2, 11))
    assert RiskFlag.objects.get(order=order, method="learned").cleared_on is None
    (alarm,) = foresight_report(start=START, end=END, method="learned").false_alarm_rows
    assert (alarm.first_flag_date, alarm.days_flagged) == (dt.date(2027, 2, 1), 8)
    # a flag opened after the order shipped warned of nothing
    ship(other, merchandiser, dt.date(2027, 2, 10))
    services.record_flags(
        method="learned", day=dt.date(2027, 2, 12), outcomes={other.pk: (True, "PC", None, other.ex_factory_date)}
    )
    report = foresight_report(start=START, end=END, method="learned")
    assert [r.order_id for r in report.false_alarm_rows] == [order.pk]
    assert report.on_time_orders == 2


def test_the_queries_do_not_grow_with_the_orders(history, learned_flags, django_assert_max_num_queries) -> None:
    # the orders with their ex-factory milestone, the flags with their drivers' names, the calendar's two
    with django_assert_max_num_queries(4):
        foresight_report(start=START, end=END)
    with django_assert_max_num_queries(4):
        compare(START, END)
