"""Sample requests, their transitions and rounds, the sampling checklist, dispatches and the T&A plan."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gendan.core import clock
from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import ObjectChange
from gendan.followup.models import Milestone
from gendan.sales.choices import Risk
from gendan.samples import selectors, services
from gendan.samples.models import Dispatch, DispatchItem, Sample, SampleRound, SampleStep
from tests.conftest import TODAY
from tests.factories import CustomerFactory, SupplierFactory
from tests.samples.conftest import walk, wd

pytestmark = pytest.mark.django_db


def steps_of(sample: Sample, number: int | None = None) -> dict[str, SampleStep]:
    round_ = SampleRound.objects.get(sample=sample, number=number or sample.round)
    return {s.step: s for s in round_.steps.all()}


# ---- requests ---------------------------------------------------------------------------------------------------


def test_an_enquiry_sample_is_numbered_owned_by_its_requester_and_planned_backwards(request_sample, merchandiser):
    sample = request_sample()
    assert sample.number == "SP-2026-00001"
    assert sample.owner == merchandiser
    assert sample.requested_by == merchandiser
    assert (sample.status, sample.round, sample.order_id) == ("requested", 1, None)
    planned = {k: s.planned_date for k, s in steps_of(sample).items()}
    # required by wd(10): the check the working day before, making 2, material 4, pattern 6 working days before
    assert planned == {"pattern": wd(4), "material": wd(6), "making": wd(8), "check": wd(9)}
    assert ObjectChange.objects.filter(object_id=sample.pk, action="create").exists()


def test_a_sample_for_an_order_belongs_to_the_orders_merchandiser_and_takes_the_lines_product(
    order, make_user, customer
):
    sales = make_user(Role.SALES, username="sally")
    line = order.lines.order_by("position").first()
    sample = services.create_sample(
        by=sales, data={"kind": "pp", "order_id": order.pk, "order_line_id": line.pk, "required_date": wd(5)}
    )
    assert sample.owner == order.merchandiser
    assert sample.requested_by == sales
    assert sample.customer == customer
    assert sample.product == line.product
    assert sample.quantity == Decimal("1.000")


def test_a_short_round_piles_its_steps_up_from_today():
    calendar = WorkingCalendar()
    planned = services.plan_steps(dt.date(2026, 11, 26), TODAY, calendar)
    assert planned == {"pattern": TODAY, "material": TODAY, "making": TODAY, "check": dt.date(2026, 11, 25)}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"customer_id": None, "order_id": None}, "customer_id"),
        ({"description": ""}, "description"),
        ({"kind": "pp"}, "order_id"),
        ({"kind": "prototype"}, "kind"),
        ({"required_date": TODAY - dt.timedelta(days=1)}, "required_date"),
        ({"required_date": "30/11/2026"}, "required_date"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1.2345"}, "quantity"),
        ({"cost": "-5"}, "cost"),
        ({"cost": "1.005"}, "cost"),
        ({"currency": "XXX"}, "currency"),
        ({"paid_by": "nobody"}, "paid_by"),
        ({"order_line_id": 999999}, "order_line_id"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(request_sample, data, field):
    with pytest.raises(ValidationError) as exc:
        request_sample(**data)
    assert field in exc.value.errors
    assert Sample.objects.count() == 0
    assert SampleRound.objects.count() == 0


def test_a_courier_cannot_make_samples(request_sample, courier):
    with pytest.raises(ValidationError) as exc:
        request_sample(maker_supplier_id=courier.pk)
    assert "maker_supplier_id" in exc.value.errors


def test_the_customer_must_be_the_orders(request_sample, order):
    other = CustomerFactory()
    with pytest.raises(ValidationError) as exc:
        request_sample(order_id=order.pk, customer_id=other.pk)
    assert "customer_id" in exc.value.errors


def test_only_sales_merchandisers_and_managers_request_samples(request_sample, make_user):
    for role in (Role.PLANNER, Role.QC, Role.FINANCE):
        with pytest.raises(PermissionDenied):
            request_sample(by=make_user(role))
    assert Sample.objects.count() == 0


def test_a_stale_version_is_refused_and_changes_nothing(request_sample, merchandiser):
    sample = request_sample()
    services.update_sample(sample=sample, by=merchandiser, data={"quantity": "3"}, version=1)
    with pytest.raises(StaleVersion) as exc:
        services.update_sample(sample=sample, by=merchandiser, data={"quantity": "5"}, version=1)
    assert exc.value.current_version == 2
    sample.refresh_from_db()
    assert (sample.quantity, sample.version) == (Decimal(3), 2)


def test_a_new_required_date_replans_the_steps_not_done_nor_planned_by_hand(request_sample, merchandiser):
    sample = request_sample()
    services.update_steps(
        sample=sample,
        round_number=1,
        by=merchandiser,
        steps={"pattern": {"planned_date": wd(2)}, "material": {"actual_date": TODAY}},
    )
    services.update_sample(sample=sample, by=merchandiser, data={"required_date": wd(15)})
    steps = steps_of(sample)
    assert steps["pattern"].planned_date == wd(2)  # set by hand: kept
    assert steps["material"].planned_date == wd(6)  # done: kept
    assert (steps["making"].planned_date, steps["check"].planned_date) == (wd(13), wd(14))
    assert SampleRound.objects.get(sample=sample).required_date == wd(15)


def test_kind_customer_and_order_are_kept_once_work_started(request_sample, merchandiser):
    sample = walk(request_sample(), merchandiser, "start")
    with pytest.raises(ValidationError) as exc:
        services.update_sample(sample=sample, by=merchandiser, data={"kind": "counter"})
    assert "kind" in exc.value.errors


# ---- transitions ------------------------------------------------------------------------------------------------


def test_the_sample_moves_through_its_statuses_and_its_round_keeps_the_dates(request_sample, merchandiser):
    sample = walk(request_sample(), merchandiser, "start")
    assert sample.status == "in_progress"
    assert sample.version == 2
    assert SampleRound.objects.get(sample=sample).started_date == TODAY
    sample = walk(sample, merchandiser, "ready")
    round_ = SampleRound.objects.get(sample=sample)
    assert sample.status == "ready"
    assert round_.ready_date == TODAY
    assert {s.actual_date for s in steps_of(sample).values()} == {TODAY}  # the open steps are done
    sample = walk(sample, merchandiser, "send")
    assert sample.status == "sent"
    assert SampleRound.objects.get(sample=sample).sent_date == TODAY
    sample = services.approve_sample(
        sample=sample, by=merchandiser, with_comments=True, comment="Softer handle in bulk"
    )
    round_ = SampleRound.objects.get(sample=sample)
    assert sample.status == "approved_with_comments"
    assert (round_.decision, round_.comments, round_.decided_date) == (
        "approved_with_comments",
        "Softer handle in bulk",
        TODAY,
    )
    transitions = ObjectChange.objects.filter(object_id=sample.pk, action="transition").count()
    assert transitions == 4


def test_a_rejection_opens_a_new_round_in_progress(request_sample, merchandiser):
    sample = walk(request_sample(), merchandiser, "start", "ready", "send")
    sample = services.reject_sample(sample=sample, by=merchandiser, comment="Colour off: too yellow")
    assert (sample.status, sample.round) == ("in_progress", 2)
    first, second = SampleRound.objects.filter(sample=sample).order_by("number")
    assert (first.decision, first.comments) == ("rejected", "Colour off: too yellow")
    assert second.required_date == wd(services.RESAMPLE_DAYS) == sample.required_date
    assert second.started_date == TODAY
    assert not second.decision
    assert {s.planned_date for s in steps_of(sample, 2).values()} == {wd(1), wd(3), wd(5), wd(6)}
    sample = walk(sample, merchandiser, "ready", "send", "reject")
    assert sample.round == 3
    assert SampleRound.objects.filter(sample=sample).count() == 3


def test_a_rejection_needs_the_customers_comment(request_sample, merchandiser):
    sample = walk(request_sample(), merchandiser, "start", "ready", "send")
    with pytest.raises(ValidationError) as exc:
        services.reject_sample(sample=sample, by=merchandiser, comment="  ")
    assert "comment" in exc.value.errors
    sample.refresh_from_db()
    assert (sample.status, sample.round) == ("sent", 1)


def test_approval_with_comments_needs_them(request_sample, merchandiser):
    sample = walk(request_sample(), merchandiser, "start", "ready", "send")
    with pytest.raises(ValidationError):
        services.approve_sample(sample=sample, by=merchandiser, with_comments=True, comment="")


def test_a_decision_cannot_be_dated_before_the_sample_was_sent_nor_in_the_future(request_sample, merchandiser):
    sample = walk(request_sample(), merchandiser, "start", "ready", "send")
    for day in (TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            services.approve_sample(sample=sample, by=merchandiser, day=day)
        assert "date" in exc.value.errors
    assert Sample.objects.get(pk=sample.pk).status == "sent"


@pytest.mark.parametrize(
    ("done", "refused"),
    [
        ((), ("ready", "send", "approve", "reject")),
        (("start",), ("start", "send", "approve", "reject")),
        (("start", "ready"), ("start", "ready", "approve", "reject")),
        (("start", "ready", "send"), ("start", "ready", "send")),
        (("start", "ready", "send", "approve"), ("start", "ready", "send", "approve", "reject", "cancel")),
    ],
)
def test_transitions_not_in_the_table_are_refused_naming_both_statuses(request_sample, merchandiser, done, refused):
    sample = walk(request_sample(), merchandiser, *done)
    for action in refused:
        with pytest.raises(TransitionNotAllowed) as exc:
            services.transition(sample=sample, action=action, by=merchandiser, comment="x")
        assert sample.number in exc.value.message
        assert sample.get_status_display() in exc.value.message
    assert Sample.objects.get(pk=sample.pk).status == sample.status


def test_cancelling_needs_a_reason_and_works_from_every_open_status(request_sample, merchandiser):
    for done in ((), ("start",), ("start", "ready"), ("start", "ready", "send")):
        sample = walk(request_sample(), merchandiser, *done)
        with pytest.raises(ValidationError):
            services.cancel_sample(sample=sample, by=merchandiser, reason="")
        sample = services.cancel_sample(sample=sample, by=merchandiser, reason="Customer dropped the style")
        assert sample.status == "cancelled"
        assert sample.cancel_reason == "Customer dropped the style"


def test_only_those_who_change_samples_move_them(request_sample, make_user):
    sample = request_sample()
    with pytest.raises(PermissionDenied):
        services.start_sample(sample=sample, by=make_user(Role.QC))
    assert Sample.objects.get(pk=sample.pk).status == "requested"


# ---- the checklist ----------------------------------------------------------------------------------------------


def test_a_step_past_its_planned_date_without_an_actual_is_late(request_sample, merchandiser):
    sample = request_sample()
    services.update_steps(
        sample=sample,
        round_number=1,
        by=merchandiser,
        steps={
            "pattern": {"planned_date": "2026-11-20"},
            "material": {"planned_date": "2026-11-23", "actual_date": "2026-11-23"},
        },
    )
    rounds = selectors.rounds_of(sample)
    late = {s.step for s in rounds[0].steps.all() if s.is_late}
    assert late == {"pattern"}
    assert list(selectors.sample_list(overdue=True)) == [sample]


def test_a_step_cannot_be_done_in_the_future_and_a_bad_step_changes_nothing(request_sample, merchandiser):
    sample = request_sample()
    with pytest.raises(ValidationError) as exc:
        services.update_steps(
            sample=sample,
            round_number=1,
            by=merchandiser,
            steps={"pattern": {"actual_date": TODAY}, "making": {"actual_date": TODAY + dt.timedelta(days=1)}},
        )
    assert "making.actual_date" in exc.value.errors
    assert steps_of(sample)["pattern"].actual_date is None


def test_only_the_current_rounds_checklist_changes(request_sample, merchandiser):
    sample = walk(request_sample(), merchandiser, "start", "ready", "send", "reject")
    with pytest.raises(ValidationError):
        services.update_steps(sample=sample, round_number=1, by=merchandiser, steps={"pattern": {"actual_date": TODAY}})


# ---- dispatches -------------------------------------------------------------------------------------------------


def test_a_dispatch_sends_its_ready_samples_and_dates_the_feedback(
    request_sample, merchandiser, customer, contact, courier
):
    first = walk(request_sample(), merchandiser, "start", "ready")
    second = walk(request_sample(description="Pouch"), merchandiser, "start", "ready")
    dispatch = services.create_dispatch(
        by=merchandiser,
        data={
            "customer_id": customer.pk,
            "contact_id": contact.pk,
            "courier_supplier_id": courier.pk,
            "tracking_no": "1234567890",
            "cost": "185.50",
            "items": [
                {"sample_id": first.pk},
                {"sample_id": second.pk, "quantity": "1"},
                {"kind": "catalogue", "description": "2026 catalogue", "quantity": 2},
            ],
        },
    )
    assert dispatch.number == "DS-2026-00001"
    assert (dispatch.courier, dispatch.address, dispatch.phone) == (
        "DHL Express",
        "1 Harbour Rd\nHamburg",
        contact.phone,
    )
    assert dispatch.expected_arrival_date == wd(services.COURIER_DAYS)
    assert dispatch.feedback_due_date == wd(services.COURIER_DAYS + 3)
    for sample in (first, second):
        sample.refresh_from_db()
        assert sample.status == "sent"
        assert SampleRound.objects.get(sample=sample).sent_date == TODAY
    items = list(dispatch.items.order_by("position"))
    assert [i.kind for i in items] == ["sample", "sample", "catalogue"]
    assert items[0].quantity == Decimal(2)
    assert items[1].quantity == Decimal(1)


def test_a_dispatch_with_a_sample_not_ready_or_of_another_customer_writes_nothing(
    request_sample, merchandiser, customer, courier
):
    ready = walk(request_sample(), merchandiser, "start", "ready")
    busy = walk(request_sample(), merchandiser, "start")
    other = walk(request_sample(customer_id=CustomerFactory().pk), merchandiser, "start", "ready")
    data = {"customer_id": customer.pk, "courier": "SF Express"}
    for bad in (busy, other):
        with pytest.raises(ValidationError) as exc:
            services.create_dispatch(
                by=merchandiser, data={**data, "items": [{"sample_id": ready.pk}, {"sample_id": bad.pk}]}
            )
        assert "items.2.sample_id" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.create_dispatch(by=merchandiser, data={**data, "items": []})
    assert "items" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.create_dispatch(by=merchandiser, data={"customer_id": customer.pk, "items": [{"sample_id": ready.pk}]})
    assert "courier" in exc.value.errors
    assert Dispatch.objects.count() == 0
    assert DispatchItem.objects.count() == 0
    ready.refresh_from_db()
    assert ready.status == "ready"


def test_the_courier_supplier_must_be_a_courier(customer, merchandiser):
    with pytest.raises(ValidationError) as exc:
        services.create_dispatch(
            by=merchandiser,
            data={
                "customer_id": customer.pk,
                "courier_supplier_id": SupplierFactory(kind="material").pk,
                "items": [{"kind": "swatch", "description": "Colour card"}],
            },
        )
    assert "courier_supplier_id" in exc.value.errors


def test_the_arrival_moves_the_feedback_due_date(customer, merchandiser):
    with clock.frozen(dt.date(2026, 11, 20)):  # a Friday
        dispatch = services.create_dispatch(
            by=merchandiser,
            data={
                "customer_id": customer.pk,
                "courier": "UPS",
                "items": [{"kind": "catalogue", "description": "Cat."}],
            },
        )
    assert dispatch.expected_arrival_date == dt.date(2026, 11, 25)  # Mon, Tue, Wed
    assert dispatch.feedback_due_date == dt.date(2026, 11, 30)  # Thu, Fri, Mon
    for day, field in ((TODAY + dt.timedelta(days=1), "date"), (dt.date(2026, 11, 19), "date")):
        with pytest.raises(ValidationError) as exc:
            services.record_arrival(dispatch=dispatch, by=merchandiser, day=day)
        assert field in exc.value.errors
    dispatch = services.record_arrival(dispatch=dispatch, by=merchandiser, day=dt.date(2026, 11, 23))
    assert (dispatch.arrival_date, dispatch.feedback_due_date) == (dt.date(2026, 11, 23), dt.date(2026, 11, 26))


@settings(max_examples=60, deadline=None)
@given(
    arrival=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)),
    days=st.integers(min_value=1, max_value=10),
)
def test_the_feedback_is_due_that_many_working_days_after_the_arrival(arrival: dt.date, days: int) -> None:
    calendar = WorkingCalendar.of([6, 7], holidays=[dt.date(2026, 10, 1), dt.date(2027, 2, 8)])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(services, "feedback_days", lambda: days)
        due = services.feedback_due(arrival, calendar)
    assert calendar.is_working_day(due)
    assert due > arrival
    assert calendar.between(calendar.next_working_day(arrival), due) == days


def test_the_feedback_is_awaited_until_every_sample_round_of_the_dispatch_is_decided(
    request_sample, merchandiser, customer
):
    first = walk(request_sample(), merchandiser, "start", "ready")
    second = walk(request_sample(), merchandiser, "start", "ready")
    dispatch = services.create_dispatch(
        by=merchandiser,
        data={
            "customer_id": customer.pk,
            "courier": "SF",
            "items": [{"sample_id": first.pk}, {"sample_id": second.pk}],
        },
    )
    awaiting = lambda: list(selectors.dispatch_list(awaiting_feedback=True))  # noqa: E731
    assert awaiting() == [dispatch]
    services.approve_sample(sample=first, by=merchandiser)
    assert awaiting() == [dispatch]
    services.reject_sample(sample=second, by=merchandiser, comment="Wrong zip")
    assert awaiting() == []
    catalogue = services.create_dispatch(
        by=merchandiser,
        data={"customer_id": customer.pk, "courier": "SF", "items": [{"kind": "catalogue", "description": "C"}]},
    )
    assert awaiting() == [catalogue]
    services.mark_feedback_received(dispatch=catalogue, by=merchandiser)
    assert awaiting() == []
    with pytest.raises(TransitionNotAllowed):
        services.mark_feedback_received(dispatch=catalogue, by=merchandiser)


def test_a_dispatch_is_completed_later_with_its_tracking_number(customer, merchandiser):
    dispatch = services.create_dispatch(
        by=merchandiser,
        data={"customer_id": customer.pk, "courier": "SF", "items": [{"kind": "other", "description": "Hangtags"}]},
    )
    dispatch = services.update_dispatch(
        dispatch=dispatch, by=merchandiser, data={"tracking_no": "SF1402", "expected_arrival_date": wd(5)}, version=1
    )
    assert (dispatch.tracking_no, dispatch.version, dispatch.feedback_due_date) == ("SF1402", 2, wd(8))
    with pytest.raises(StaleVersion):
        services.update_dispatch(dispatch=dispatch, by=merchandiser, data={"tracking_no": "X"}, version=1)
    with pytest.raises(ValidationError):
        services.update_dispatch(dispatch=dispatch, by=merchandiser, data={"items": []})


# ---- the PP sample and the T&A plan -----------------------------------------------------------------------------


def pps(order) -> Milestone:  # noqa: ANN001
    return Milestone.objects.get(order=order, code="PPS")


def test_the_pp_sample_approval_records_the_pps_milestones_actual(order, merchandiser):
    sample = services.create_sample(
        by=merchandiser, data={"kind": "pp", "order_id": order.pk, "description": "PP", "required_date": wd(5)}
    )
    sample = walk(sample, merchandiser, "start", "ready", "send")
    assert pps(order).actual_date is None
    services.approve_sample(sample=sample, by=merchandiser, comment="OK")
    milestone = pps(order)
    assert milestone.actual_date == TODAY
    assert milestone.status == "done"
    assert ObjectChange.objects.filter(object_id=milestone.pk, message__contains=sample.number).exists()


def test_a_development_sample_leaves_the_plan_alone(order, merchandiser, request_sample):
    sample = walk(request_sample(order_id=order.pk), merchandiser, "start", "ready", "send", "approve")
    assert sample.status == "approved"
    assert pps(order).actual_date is None


def test_a_pp_rejection_moves_the_pps_forecast_and_puts_the_order_at_risk(tight_order, merchandiser):
    order = tight_order
    assert order.risk == Risk.ON_TRACK
    sample = services.create_sample(
        by=merchandiser, data={"kind": "pp", "order_id": order.pk, "description": "PP", "required_date": wd(2)}
    )
    sample = walk(sample, merchandiser, "start", "ready", "send")
    services.reject_sample(sample=sample, by=merchandiser, comment="Seams puckered")
    milestone = pps(order)
    expected = company_calendar().add(wd(services.RESAMPLE_DAYS), services.COURIER_DAYS + 3)
    assert milestone.fed_date == expected == wd(13)
    assert milestone.fed_note == "PP sample round 1 rejected: Seams puckered"
    assert milestone.forecast_date == expected
    order.refresh_from_db()
    assert order.risk == Risk.AT_RISK
    assert order.driving_milestone == "PPS"
    # the second round is approved: the milestone is done and the order back on track
    sample = walk(Sample.objects.get(pk=sample.pk), merchandiser, "ready", "send", "approve")
    milestone = pps(order)
    assert (milestone.actual_date, milestone.fed_date) == (TODAY, None)
    order.refresh_from_db()
    assert order.risk == Risk.ON_TRACK


def test_cancelling_a_rejected_pp_sample_stops_feeding_its_forecast(tight_order, merchandiser):
    sample = services.create_sample(
        by=merchandiser, data={"kind": "pp", "order_id": tight_order.pk, "description": "PP", "required_date": wd(2)}
    )
    sample = walk(sample, merchandiser, "start", "ready", "send", "reject")
    assert pps(tight_order).fed_date is not None
    services.cancel_sample(sample=sample, by=merchandiser, reason="Approved from the bulk fabric instead")
    assert pps(tight_order).fed_date is None


def test_a_new_required_date_of_a_later_pp_round_moves_the_forecast(tight_order, merchandiser):
    sample = services.create_sample(
        by=merchandiser, data={"kind": "pp", "order_id": tight_order.pk, "description": "PP", "required_date": wd(2)}
    )
    sample = walk(sample, merchandiser, "start", "ready", "send", "reject")
    services.update_sample(sample=sample, by=merchandiser, data={"required_date": wd(9)})
    assert pps(tight_order).fed_date == wd(15)
