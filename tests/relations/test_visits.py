"""Visit services: planning with visitors, agenda, factories and preparation tasks; the status flow and its refusals
(each changes nothing); minutes; follow-up actions; notifications to owners."""

import datetime as dt

import pytest

from gendan.core.choices import Role
from gendan.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import Notification, ObjectChange
from gendan.relations import services
from gendan.relations.models import AgendaItem, Visit, Visitor, VisitSite, VisitTask
from tests.conftest import TODAY
from tests.relations.conftest import move, wd

pytestmark = pytest.mark.django_db


def test_a_visit_is_planned_with_its_visitors_agenda_factories_and_preparation(
    plan_visit, merchandiser, contact, factory, product, qc
):
    visit = plan_visit(
        hotel="Ningbo Marriott",
        pickup_time="09:30",
        pickup_place="Ningbo airport",
        pickup_driver="Lao Zhang 138 0000 0000",
        visitors=[{"contact_id": contact.pk}, {"name": "Tom Lee", "title": "QA manager"}],
        agenda=[
            {"date": wd(5), "start_time": "14:00", "topic": "Showroom"},
            {"date": wd(5), "start_time": "09:00", "end_time": "11:30", "topic": "Welcome and range review"},
            {"topic": "", "place": ""},
        ],
        sites=[{"supplier_id": factory.pk, "date": wd(6)}, {"name": "Our sewing workshop"}],
        tasks=[
            {"kind": "sample", "product_id": product.pk, "owner": qc.username},
            {"kind": "hotel", "description": "Book 2 rooms, 2 nights"},
        ],
    )
    assert visit.number == "VIS-2026-00001"
    assert visit.status == "planned"
    assert visit.host == merchandiser  # the customer's merchandiser
    assert visit.pickup_date == wd(5)  # the arrival, when only a time is given
    assert [v.name for v in Visitor.objects.filter(visit=visit)] == ["Anna Berg", "Tom Lee"]
    assert Visitor.objects.get(visit=visit, contact=contact).title == "Buyer"
    assert [a.topic for a in AgendaItem.objects.filter(visit=visit).order_by("position")] == [
        "Welcome and range review",
        "Showroom",
    ]
    sites = list(VisitSite.objects.filter(visit=visit).order_by("position"))
    assert [(s.name, s.in_house) for s in sites] == [("海宁缝制厂", False), ("Our sewing workshop", True)]
    sample, hotel = VisitTask.objects.filter(visit=visit).order_by("position")
    assert (sample.description, sample.owner, sample.due_date) == ("Sample: TW-70 纯棉浴巾", qc, wd(4))
    assert (hotel.kind, hotel.owner) == ("hotel", merchandiser)
    # the sample's owner is told; the host made the hotel task himself
    assert Notification.objects.filter(recipient=qc, title__contains="Prepare for C-NW01's visit").count() == 1
    assert not Notification.objects.filter(recipient=merchandiser).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"customer_id": None}, "customer_id"),
        ({"customer_id": 999999}, "customer_id"),
        ({"arrival_date": None}, "arrival_date"),
        ({"arrival_date": "next week"}, "arrival_date"),
        ({"departure_date": wd(2)}, "departure_date"),
        ({"departure_date": wd(5) + dt.timedelta(days=90)}, "departure_date"),
        ({"purpose": "shopping"}, "purpose"),
        ({"host": "nobody"}, "host"),
        ({"pickup_time": "25:00"}, "pickup_time"),
        ({"pickup_date": wd(20)}, "pickup_date"),
        ({"visitors": [{"contact_id": 999999}]}, "visitors.1.contact_id"),
        ({"visitors": [{"title": "Buyer"}]}, "visitors.1.name"),
        ({"agenda": [{"date": wd(9), "topic": "Late dinner"}]}, "agenda.1.date"),
        ({"agenda": [{"start_time": "10:00", "end_time": "09:00", "topic": "Talk"}]}, "agenda.1.end_time"),
        ({"agenda": [{"place": "Room 1"}]}, "agenda.1.topic"),
        ({"sites": [{"supplier_id": 999999}]}, "sites.1.supplier_id"),
        ({"sites": [{"note": "morning"}]}, "sites.1.name"),
        ({"tasks": [{"kind": "sample"}]}, "tasks.1.product_id"),
        ({"tasks": [{"description": "Samples", "due_date": wd(8)}]}, "tasks.1.due_date"),
        ({"tasks": [{"description": "Samples", "due_date": TODAY - dt.timedelta(days=1)}]}, "tasks.1.due_date"),
        ({"tasks": [{"description": "Samples", "owner": "ghost"}]}, "tasks.1.owner"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field_and_nothing_is_written(plan_visit, data, field):
    with pytest.raises(ValidationError) as caught:
        plan_visit(**data)
    assert field in caught.value.errors
    assert not Visit.objects.exists()
    assert not VisitTask.objects.exists()
    assert not ObjectChange.objects.filter(object_repr__startswith="VIS-").exists()


def test_a_factory_to_see_must_be_a_subcontract_factory(plan_visit):
    from tests.factories import SupplierFactory

    courier = SupplierFactory(kind="courier")
    with pytest.raises(ValidationError) as caught:
        plan_visit(sites=[{"supplier_id": courier.pk}])
    assert "sites.1.supplier_id" in caught.value.errors


def test_only_those_who_plan_visits_may(plan_visit, qc):
    with pytest.raises(PermissionDenied):
        plan_visit(by=qc)
    assert not Visit.objects.exists()


def test_the_status_flow_from_planned_to_closed(plan_visit, merchandiser):
    visit = plan_visit()
    visit = move(visit, merchandiser, "confirm", "start", "finish")
    assert visit.status == "visited"
    with pytest.raises(ValidationError) as caught:
        move(visit, merchandiser, "close")
    assert set(caught.value.errors) == {"minutes"}
    services.record_minutes(visit=visit, by=merchandiser, data={"minutes": "Reviewed 40 styles; 12 picked."})
    action = services.add_task(
        visit=visit, by=merchandiser, phase="follow_up", data={"description": "Send revised price list"}
    )
    with pytest.raises(ValidationError) as caught:
        move(visit, merchandiser, "close")
    assert caught.value.errors["actions"] == ["1 follow-up actions are still open: Send revised price list."]
    assert Visit.objects.get(pk=visit.pk).status == "visited"
    services.set_task_done(task=action, by=merchandiser)
    visit = move(visit, merchandiser, "close")
    assert visit.status == "closed"
    transitions = ObjectChange.objects.filter(object_repr=visit.number, action="transition").count()
    assert transitions == 4


@pytest.mark.parametrize(
    ("walk", "action"),
    [
        ([], "start"),
        ([], "close"),
        (["confirm"], "confirm"),
        (["confirm", "start", "finish"], "cancel"),
        (["confirm", "start", "finish"], "start"),
    ],
)
def test_a_transition_not_allowed_from_the_status_is_refused(plan_visit, merchandiser, walk, action):
    visit = move(plan_visit(), merchandiser, *walk)
    before = (visit.status, visit.version)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.transition(visit=visit, action=action, by=merchandiser, reason="x")
    assert visit.get_status_display() in caught.value.message
    visit.refresh_from_db()
    assert (visit.status, visit.version) == before


def test_confirming_needs_a_visitor_and_tells_the_task_owners(plan_visit, merchandiser, qc, product):
    visit = plan_visit(visitors=[], tasks=[{"product_id": product.pk, "owner": qc.username}])
    with pytest.raises(ValidationError) as caught:
        services.transition(visit=visit, action="confirm", by=merchandiser)
    assert "visitors" in caught.value.errors
    services.update_visit(visit=visit, by=merchandiser, data={"visitors": [{"name": "Anna"}]})
    move(visit, merchandiser, "confirm")
    note = Notification.objects.filter(recipient=qc).order_by("-id").first()
    assert note.title == f"C-NW01's visit {visit.number} is confirmed: arriving {wd(5).isoformat()}"
    assert f"due {wd(4).isoformat()}" in note.body


def test_cancelling_needs_a_reason_and_its_tasks_leave_the_chase_list(plan_visit, merchandiser, qc, product):
    from gendan.followup.selectors import chase_list

    visit = plan_visit(tasks=[{"product_id": product.pk, "owner": qc.username, "due_date": TODAY}])
    assert [r.kind for r in chase_list(qc, TODAY)] == ["visit"]
    with pytest.raises(ValidationError) as caught:
        services.transition(visit=visit, action="cancel", by=merchandiser, reason="  ")
    assert "reason" in caught.value.errors
    visit = move(visit, merchandiser, "cancel", reason="Customer postponed to March")
    assert (visit.status, visit.cancel_reason) == ("cancelled", "Customer postponed to March")
    assert chase_list(qc, TODAY) == []
    assert Notification.objects.filter(recipient=qc, title__endswith="is cancelled").exists()


def test_a_stale_version_is_refused(plan_visit, merchandiser):
    visit = plan_visit()
    services.update_visit(visit=visit, by=merchandiser, data={"hotel": "Hilton"}, version=1)
    with pytest.raises(StaleVersion):
        services.update_visit(visit=visit, by=merchandiser, data={"hotel": "Shangri-La"}, version=1)
    visit.refresh_from_db()
    assert (visit.hotel, visit.version) == ("Hilton", 2)


def test_moving_the_arrival_earlier_moves_open_preparation_due_after_it(plan_visit, merchandiser, product, qc):
    visit = plan_visit(tasks=[{"product_id": product.pk, "owner": qc.username, "due_date": wd(4)}])
    services.update_visit(
        visit=visit,
        by=merchandiser,
        data={"arrival_date": wd(2), "departure_date": wd(3), "agenda": []},
        version=visit.version,
    )
    task = VisitTask.objects.get(visit=visit)
    assert task.due_date == wd(2)
    assert Notification.objects.filter(recipient=qc, title__contains="is now due").exists()


def test_the_agenda_kept_must_fit_new_dates(plan_visit, merchandiser):
    visit = plan_visit(agenda=[{"date": wd(6), "topic": "Factory"}])
    with pytest.raises(ValidationError) as caught:
        services.update_visit(visit=visit, by=merchandiser, data={"arrival_date": wd(1), "departure_date": wd(2)})
    assert "agenda" in caught.value.errors
    visit.refresh_from_db()
    assert visit.arrival_date == wd(5)


def test_a_closed_visit_keeps_its_plan(plan_visit, merchandiser):
    visit = move(plan_visit(), merchandiser, "confirm", "finish")
    services.record_minutes(visit=visit, by=merchandiser, data={"minutes": "ok"})
    visit = move(visit, merchandiser, "close")
    with pytest.raises(TransitionNotAllowed):
        services.update_visit(visit=visit, by=merchandiser, data={"hotel": "x"})
    with pytest.raises(TransitionNotAllowed):
        services.record_minutes(visit=visit, by=merchandiser, data={"minutes": "changed"})


def test_minutes_are_written_once_the_visitors_are_here(plan_visit, merchandiser):
    visit = plan_visit()
    with pytest.raises(TransitionNotAllowed):
        services.record_minutes(visit=visit, by=merchandiser, data={"minutes": "too early"})
    visit = move(visit, merchandiser, "confirm", "start")
    with pytest.raises(ValidationError) as caught:
        services.record_minutes(visit=visit, by=merchandiser, data={"minutes": " "})
    assert "minutes" in caught.value.errors
    visit = services.record_minutes(
        visit=visit,
        by=merchandiser,
        data={"attendees": "Anna Berg; Li Na", "minutes": "Range review.", "decisions": "12 styles sampled"},
    )
    assert (visit.minutes_by, visit.decisions) == (merchandiser, "12 styles sampled")


def test_preparation_is_added_before_the_visit_and_actions_at_or_after_it(plan_visit, merchandiser):
    visit = plan_visit()
    with pytest.raises(TransitionNotAllowed):
        services.add_task(visit=visit, by=merchandiser, phase="follow_up", data={"description": "x"})
    visit = move(visit, merchandiser, "confirm", "start")
    with pytest.raises(TransitionNotAllowed):
        services.add_task(visit=visit, by=merchandiser, phase="preparation", data={"description": "x"})
    action = services.add_task(visit=visit, by=merchandiser, phase="follow_up", data={"description": "Quote"})
    assert action.due_date == wd(6 + 5)  # five working days after the departure
    assert action.kind == "other"


def test_a_task_owner_ticks_it_but_may_not_hand_it_on(plan_visit, merchandiser, qc, product, make_user):
    visit = plan_visit(tasks=[{"product_id": product.pk, "owner": qc.username}])
    task = VisitTask.objects.get(visit=visit)
    other = make_user(Role.SHIPPING, username="ship")
    with pytest.raises(PermissionDenied):
        services.set_task_done(task=task, by=other)
    with pytest.raises(PermissionDenied):
        services.update_task(task=task, by=qc, data={"owner": other.username})
    task = services.update_task(task=task, by=qc, data={"note": "Two colours"}, version=task.version)
    task = services.set_task_done(task=task, by=qc, version=task.version)
    assert (task.done_date, task.done_by) == (TODAY, qc)
    task = services.set_task_done(task=task, by=qc, done=False)
    assert task.done_date is None
    # the host hands it on: the new owner is told
    services.update_task(task=task, by=merchandiser, data={"owner": other.username})
    assert Notification.objects.filter(recipient=other, title__contains="Prepare for").exists()


def test_a_done_task_is_kept_and_an_open_one_can_be_removed(plan_visit, merchandiser):
    visit = plan_visit(tasks=[{"description": "Hotel"}, {"description": "Car"}])
    hotel, car = VisitTask.objects.filter(visit=visit).order_by("position")
    services.set_task_done(task=hotel, by=merchandiser)
    with pytest.raises(TransitionNotAllowed):
        services.remove_task(task=hotel, by=merchandiser)
    services.remove_task(task=car, by=merchandiser)
    assert list(VisitTask.objects.filter(visit=visit)) == [hotel]


def test_the_host_of_another_customer_change_is_kept_after_confirmation(plan_visit, merchandiser, cn_customer):
    visit = move(plan_visit(), merchandiser, "confirm")
    with pytest.raises(ValidationError) as caught:
        services.update_visit(visit=visit, by=merchandiser, data={"customer_id": cn_customer.pk})
    assert "customer_id" in caught.value.errors
