"""Plans from templates, forecasts after actuals and promises, risk, slack and the driving milestone."""

import datetime as dt

import pytest

from gendan.core import audit, clock
from gendan.core.calendar import company_calendar
from gendan.core.exceptions import PermissionDenied, StaleVersion, ValidationError
from gendan.followup import services
from gendan.followup.models import FollowUp, Milestone
from gendan.sales import services as sales
from gendan.sales.choices import OrderStatus, Risk
from tests.factories import CustomerFactory, ProductFactory
from tests.followup.conftest import plan
from tests.sales.factories import make_order, order_in


def test_confirming_makes_the_default_plan_backward_from_the_committed_date(confirmed_order, buyer) -> None:
    order = confirmed_order()
    p = plan(order)
    assert list(p) == ["OC", "MO", "PPS", "MIH", "PS", "P50", "PC", "FI", "BK", "EXF", "DOC", "PAY"]
    cal = company_calendar()
    assert p["EXF"].planned_date == dt.date(2027, 2, 15)
    assert p["MIH"].planned_date == cal.add(dt.date(2027, 2, 15), -25)
    assert all(cal.is_working_day(m.planned_date) for m in p.values())
    assert p["OC"].actual_date == clock.today()
    assert p["OC"].status == "done"
    assert p["MO"].owner == buyer
    assert p["PPS"].owner == order.merchandiser
    assert not any(m.compressed for m in p.values())
    assert (order.risk, order.slack_days, order.driving_milestone) == (Risk.ON_TRACK, 0, "")
    assert order.forecast_ex_factory_date == dt.date(2027, 2, 15)


def test_a_committed_date_on_a_rest_day_plans_ex_factory_the_working_day_before(confirmed_order) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2027, 2, 14))  # a Sunday
    assert plan(order)["EXF"].planned_date == dt.date(2027, 2, 12)
    assert order.risk == Risk.ON_TRACK


def test_a_short_lead_time_compresses_the_plan_and_confirmation_says_so(merchandiser, manager) -> None:
    order = order_in(OrderStatus.IN_REVIEW, by=merchandiser, manager=manager, ex_factory_date=dt.date(2026, 12, 18))
    from tests.sales.factories import pass_review

    pass_review(order, manager)
    confirmed = sales.confirm_order(order=order, by=merchandiser)
    p = plan(order)
    assert {c for c, m in p.items() if m.compressed} == {"MO", "PPS", "MIH", "PS"}
    assert p["MO"].planned_date == clock.today()
    assert any("compressed" in note and "MIH" in note for note in confirmed.notes)
    order.refresh_from_db()
    assert order.risk == Risk.AT_RISK
    assert order.slack_days < 0
    assert any("after the committed" in note for note in confirmed.notes)


def test_a_late_actual_pushes_its_successors_and_the_order_turns_at_risk(confirmed_order, merchandiser) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2027, 1, 22))
    p = plan(order)
    cal = company_calendar()
    assert order.risk == Risk.ON_TRACK
    with clock.frozen(p["MO"].planned_date + dt.timedelta(days=14)):
        late = clock.today()
        services.update_milestone(milestone=p["MO"], by=merchandiser, data={"actual_date": late})
        order.refresh_from_db()
        p = plan(order)
    assert p["MO"].status == "done"
    assert p["MIH"].forecast_date == cal.add(late, 15)
    assert p["MIH"].driven_by == "MO"
    assert p["PS"].forecast_date == cal.add(p["MIH"].forecast_date, 2)
    assert order.risk == Risk.AT_RISK
    assert order.forecast_ex_factory_date == p["EXF"].forecast_date > order.ex_factory_date
    assert order.slack_days == -cal.between(order.ex_factory_date, order.forecast_ex_factory_date)
    assert order.driving_milestone == "MO"


def test_a_promise_later_than_plan_drives_the_slip(confirmed_order, merchandiser) -> None:
    order = confirmed_order()
    mih = plan(order)["MIH"]
    promised = mih.planned_date + dt.timedelta(days=21)
    updated = services.update_milestone(
        milestone=mih, by=merchandiser, data={"forecast_date": promised, "note": "fabric mill delayed"}
    )
    assert updated.promised_date == promised
    assert updated.forecast_date == promised
    assert updated.forecast_note == "fabric mill delayed"
    order.refresh_from_db()
    assert (order.risk, order.driving_milestone) == (Risk.AT_RISK, "MIH")
    change = next(c for c in audit.history_for(order) if c.object_id == mih.pk)
    assert change.changes["promised_date"][1] == promised.isoformat()


def test_a_promise_earlier_than_plan_changes_nothing(confirmed_order, merchandiser) -> None:
    order = confirmed_order()
    mih = plan(order)["MIH"]
    services.update_milestone(
        milestone=mih, by=merchandiser, data={"forecast_date": mih.planned_date - dt.timedelta(days=3)}
    )
    order.refresh_from_db()
    assert plan(order)["MIH"].forecast_date == mih.planned_date
    assert order.risk == Risk.ON_TRACK


def test_time_passing_makes_milestones_late_and_then_the_order_late(confirmed_order) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2027, 1, 22))
    mo = plan(order)["MO"]
    with clock.frozen(mo.planned_date + dt.timedelta(days=3)):
        services.reforecast_orders()
        mo.refresh_from_db()
        assert mo.status == "late"
        assert mo.forecast_date == company_calendar().next_working_day(clock.today())
    with clock.frozen(dt.date(2027, 1, 25)):
        services.reforecast_orders()
        order.refresh_from_db()
        assert order.risk == Risk.LATE
        assert order.slack_days < 0


def test_shipping_records_ex_factory_and_ends_the_risk(confirmed_order, merchandiser) -> None:
    order = confirmed_order(ex_factory_date=dt.date(2026, 12, 18))
    assert order.risk == Risk.AT_RISK
    for status in (OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP, OrderStatus.SHIPPED):
        sales.transition_order(order=order, by=merchandiser, to_status=status)
    order.refresh_from_db()
    assert plan(order)["EXF"].actual_date == clock.today()
    assert order.risk == Risk.ON_TRACK


def test_changing_the_committed_date_moves_the_open_milestones(confirmed_order, merchandiser) -> None:
    order = confirmed_order()
    before = {c: m.planned_date for c, m in plan(order).items()}
    sales.update_order(
        order=order,
        by=merchandiser,
        version=order.version,
        data={"ex_factory_date": dt.date(2027, 2, 22)},
        change_reason="customer asked a week later",
    )
    after = plan(order)
    cal = company_calendar()
    assert after["EXF"].planned_date == dt.date(2027, 2, 22)
    assert after["MIH"].planned_date == cal.add(before["MIH"], 5)
    assert after["OC"].planned_date == before["OC"]  # done: stays


def test_recording_actuals_in_any_order_gives_the_same_plan(confirmed_order, merchandiser) -> None:
    first, second = confirmed_order(), confirmed_order()
    with clock.frozen(dt.date(2027, 1, 20)):
        dates = {"MO": dt.date(2026, 12, 21), "PPS": dt.date(2027, 1, 8), "MIH": dt.date(2027, 1, 19)}
        for order, codes in ((first, ["MO", "PPS", "MIH"]), (second, ["MIH", "MO", "PPS"])):
            for code in codes:
                services.update_milestone(
                    milestone=plan(order)[code], by=merchandiser, data={"actual_date": dates[code]}
                )
        forecasts = [{c: (m.forecast_date, m.status) for c, m in plan(o).items()} for o in (first, second)]
    assert forecasts[0] == forecasts[1]


def test_bad_input_is_refused_and_changes_nothing(confirmed_order, merchandiser, make_user) -> None:
    order = confirmed_order()
    mih = plan(order)["MIH"]
    with pytest.raises(ValidationError, match="future"):
        services.update_milestone(milestone=mih, by=merchandiser, data={"actual_date": dt.date(2030, 1, 1)})
    with pytest.raises(ValidationError, match="past"):
        services.update_milestone(milestone=mih, by=merchandiser, data={"forecast_date": dt.date(2026, 1, 1)})
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        services.update_milestone(milestone=mih, by=merchandiser, data={"forecast_date": "next week"})
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.update_milestone(milestone=mih, by=merchandiser, data={"status": "done"})
    with pytest.raises(StaleVersion):
        services.update_milestone(milestone=mih, by=merchandiser, data={"note": "x"}, version=mih.version + 1)
    stranger = make_user("qc", username="qc9")
    with pytest.raises(PermissionDenied):
        services.update_milestone(milestone=mih, by=stranger, data={"actual_date": clock.today()})
    mih.refresh_from_db()
    assert (mih.actual_date, mih.promised_date, mih.version) == (None, None, 1)


def test_the_owner_may_record_but_not_move(confirmed_order, buyer) -> None:
    order = confirmed_order()
    mo = plan(order)["MO"]
    services.update_milestone(milestone=mo, by=buyer, data={"actual_date": clock.today()})
    with pytest.raises(PermissionDenied):
        services.update_milestone(milestone=plan(order)["MIH"], by=buyer, data={"planned_date": dt.date(2027, 1, 5)})


def test_add_move_and_remove_milestones_of_one_order(confirmed_order, merchandiser) -> None:
    order = confirmed_order()
    added = services.add_milestone(
        order=order,
        by=merchandiser,
        data={
            "code": "lab",
            "name_zh": "色牢度测试",
            "planned_date": dt.date(2027, 1, 15),
            "depends_on": "MIH+1",
            "after": "MIH",
        },
    )
    p = plan(order)
    assert list(p).index("LAB") == list(p).index("MIH") + 1
    assert added.name_en == "色牢度测试"
    assert added.depends_on == [{"code": "MIH", "lag": 1}]
    services.update_milestone(milestone=p["PS"], by=merchandiser, data={"depends_on": ["MIH+2", "PPS+2", "LAB"]})
    services.update_milestone(milestone=added, by=merchandiser, data={"planned_date": dt.date(2027, 1, 29)})
    order.refresh_from_db()
    assert order.risk == Risk.AT_RISK
    assert order.driving_milestone == "LAB"
    services.remove_milestone(milestone=added, by=merchandiser, reason="not needed")
    order.refresh_from_db()
    assert "LAB" not in plan(order)
    assert plan(order)["PS"].predecessor_codes == ["MIH", "PPS"]
    assert order.risk == Risk.ON_TRACK
    actions = [c.action for c in audit.history_for(order) if c.content_type.model == "milestone"]
    assert actions.count("create") == 1
    assert actions.count("delete") == 1
    assert actions.count("update") == 2


def test_plan_edits_are_checked(confirmed_order, merchandiser) -> None:
    order = confirmed_order()
    p = plan(order)
    with pytest.raises(ValidationError, match="already has"):
        services.add_milestone(order=order, by=merchandiser, data={"code": "MO", "planned_date": "2027-01-01"})
    with pytest.raises(ValidationError, match="no milestone XX"):
        services.add_milestone(
            order=order,
            by=merchandiser,
            data={"code": "N1", "name_en": "n", "planned_date": "2027-01-01", "depends_on": "XX"},
        )
    with pytest.raises(ValidationError, match="circle"):
        services.update_milestone(milestone=p["MO"], by=merchandiser, data={"depends_on": ["PS"]})
    with pytest.raises(ValidationError, match="ex-factory"):
        services.remove_milestone(milestone=p["EXF"], by=merchandiser)
    assert len(plan(order)) == 12


def test_a_follow_up_with_a_promise_sets_the_forecast_and_answers_the_earlier_one(
    confirmed_order, merchandiser, make_user
) -> None:
    order = confirmed_order()
    mih = plan(order)["MIH"]
    first = services.log_follow_up(
        order=order,
        by=merchandiser,
        data={
            "party": "supplier",
            "channel": "phone",
            "summary": "asked for the fabric",
            "milestone_id": mih.pk,
            "next_follow_up_date": dt.date(2026, 11, 27),
        },
    )
    colleague = make_user("sales", username="sales7")
    services.log_follow_up(
        order=order,
        by=colleague,
        data={
            "party": "supplier",
            "channel": "wechat",
            "summary": "mill promises the 3rd week of January",
            "milestone_id": mih.pk,
            "promised_date": mih.planned_date + dt.timedelta(days=10),
        },
    )
    first.refresh_from_db()
    assert first.closed_at is not None
    mih.refresh_from_db()
    assert mih.promised_date == mih.planned_date + dt.timedelta(days=10)
    order.refresh_from_db()
    assert order.risk == Risk.AT_RISK
    assert order.driving_milestone == "MIH"


def test_follow_up_input_is_checked(confirmed_order, merchandiser) -> None:
    order = confirmed_order()
    with pytest.raises(ValidationError) as exc:
        services.log_follow_up(
            order=order,
            by=merchandiser,
            data={"party": "alien", "channel": "fax", "summary": " ", "next_follow_up_date": "2026-01-01"},
        )
    assert set(exc.value.errors) == {"party", "channel", "summary", "next_follow_up_date"}
    assert not FollowUp.objects.exists()


def test_templates_are_chosen_by_customer_then_category_then_default(merchandiser, manager) -> None:
    default = services.ensure_default_template()
    items = [
        {"code": "OC", "name_en": "Confirmed", "offset_days": -20, "done_on_confirm": True},
        {"code": "EXF", "name_en": "Ex-factory", "offset_days": 0, "depends_on": "OC+5", "is_ex_factory": True},
    ]
    customer = CustomerFactory()
    for_customer = services.save_template(
        by=manager, data={"code": "vip", "name": "VIP", "customers": [customer]}, milestones=items
    )
    for_bags = services.save_template(
        by=manager, data={"code": "BAGS", "name": "Bags", "product_categories": "bags, 箱包"}, milestones=items
    )
    assert services.template_for(make_order(by=merchandiser, customer=customer)) == for_customer
    bag = ProductFactory(category="箱包")
    assert services.template_for(make_order(by=merchandiser, products=[bag], quantities=[5])) == for_bags
    assert services.template_for(make_order(by=merchandiser)) == default
    order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager, customer=customer)
    assert list(plan(order)) == ["OC", "EXF"]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "at least one"),
        ([{"code": "A", "name_en": "a", "offset_days": 0}], "Exactly one"),
        (
            [
                {"code": "A", "name_en": "a", "offset_days": 0, "is_ex_factory": True, "depends_on": "B"},
                {"code": "B", "name_en": "b", "offset_days": -1, "depends_on": "A"},
            ],
            "circle",
        ),
        ([{"code": "A", "name_en": "a", "offset_days": "x", "is_ex_factory": True}], "whole number"),
        ([{"code": "A", "name_en": "a", "offset_days": 0, "is_ex_factory": True, "depends_on": "A+z"}], "lag"),
        (
            [
                {"code": "A", "name_en": "a", "offset_days": 0, "is_ex_factory": True},
                {"code": "a", "name_en": "a", "offset_days": 0},
            ],
            "used twice",
        ),
    ],
)
def test_bad_templates_are_refused(manager, items, message) -> None:
    with pytest.raises(ValidationError, match=message):
        services.save_template(by=manager, data={"code": "T1", "name": "t"}, milestones=items)


def test_bulk_reforecast_matches_one_by_one(confirmed_order, merchandiser) -> None:
    orders = [confirmed_order(ex_factory_date=dt.date(2027, 1, 8) + dt.timedelta(days=7 * i)) for i in range(4)]
    with clock.frozen(dt.date(2027, 1, 6)):
        totals = services.reforecast_orders(batch_size=3)
        bulk = {o.pk: {c: (m.forecast_date, m.status, m.driven_by) for c, m in plan(o).items()} for o in orders}
        risks = {o.pk: Milestone.objects.filter(order=o).count() for o in orders}
        for o in orders:
            services.reforecast(o)
        single = {o.pk: {c: (m.forecast_date, m.status, m.driven_by) for c, m in plan(o).items()} for o in orders}
    assert totals["orders"] == 4
    assert totals["milestones_changed"] > 0
    assert bulk == single
    assert set(risks.values()) == {12}
