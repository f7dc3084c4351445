"""Assigned tasks (交办事项): assigning, the transitions and who may take them, changes, comments, visibility; every
refusal writes nothing."""

import pytest

from gendan.core.choices import Role
from gendan.core.exceptions import NotFound, PermissionDenied, StaleVersion, TransitionNotAllowed, ValidationError
from gendan.core.models import Notification, ObjectChange, Sequence
from gendan.office import selectors, services
from gendan.office.models import Task, TaskComment
from tests.conftest import TODAY
from tests.factories import CustomerFactory
from tests.office.conftest import wd

pytestmark = pytest.mark.django_db


def inbox(user):  # noqa: ANN001, ANN201
    """The user's inbox entries about tasks (the order's own messages left out)."""
    return list(Notification.objects.filter(recipient=user, title__contains="TK-").values_list("title", flat=True))


def test_a_manager_assigns_a_task_about_an_order_and_the_assignee_hears_of_it(assign, order, manager, merchandiser):
    task = assign(order_id=order.pk, priority="high", description="Ask for the new label file.")
    assert task.number == "TK-2026-00001"
    assert (task.status, task.assignee, task.assigned_by) == ("assigned", merchandiser, manager)
    assert task.customer == order.customer  # the order's customer follows
    assert inbox(merchandiser) == [
        f"New task from {manager.first_name}: TK-2026-00001 Call Northwind about the carton marks"
    ]
    body = Notification.objects.get(recipient=merchandiser, title__contains="TK-").body
    assert f"Order {order.number}." in body
    assert "priority High" in body
    record = ObjectChange.objects.get(object_repr__startswith="TK-2026-00001", action="create")
    assert record.related_object_id == order.pk  # on the order's audit trail


def test_only_those_with_the_permission_assign_tasks(assign, merchandiser, make_user):
    other = make_user(Role.MERCHANDISER, username="mer2")
    with pytest.raises(PermissionDenied):
        assign(by=merchandiser, assignee=other.username)
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"assignee": "nobody"}, "assignee"),
        ({"assignee": ""}, "assignee"),
        ({"due_date": "2026-11-23"}, "due_date"),
        ({"due_date": "24/11/2026"}, "due_date"),
        ({"due_date": None}, "due_date"),
        ({"priority": "asap"}, "priority"),
        ({"order_id": 999999}, "order_id"),
        ({"customer_id": 999999}, "customer_id"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(assign, data, field):
    with pytest.raises(ValidationError) as exc:
        assign(**data)
    assert field in exc.value.errors
    assert not Task.objects.exists()
    assert not Sequence.objects.filter(key__startswith="TK-").exists()
    assert not Notification.objects.filter(title__contains="task").exists()


def test_the_customer_must_be_the_orders(assign, order):
    with pytest.raises(ValidationError) as exc:
        assign(order_id=order.pk, customer_id=CustomerFactory().pk)
    assert exc.value.errors["customer_id"] == [f"Order {order.number} is for C-NW01."]


def test_an_assignee_without_office_rights_is_refused(assign, make_user):
    from django.contrib.auth.models import Group

    outsider = make_user(Role.FINANCE, username="temp")
    outsider.groups.set([Group.objects.get_or_create(name="nothing")[0]])
    with pytest.raises(ValidationError) as exc:
        assign(assignee=outsider.username)
    assert exc.value.errors["assignee"] == ["temp cannot receive tasks."]


def test_the_assignee_accepts_comments_and_completes(assign, manager, merchandiser):
    task = assign()
    task = services.accept_task(task=task, by=merchandiser, comment="On it")
    assert task.status == "accepted"
    assert task.accepted_at is not None
    assert [c.body for c in selectors.comments_of(task)] == ["On it"]
    services.add_comment(task=task, by=merchandiser, body="Northwind wants the new marks by Friday")
    assert "mer1 commented on TK-2026-00001 Call Northwind about the carton marks" in inbox(manager)
    task = services.complete_task(task=task, by=merchandiser, note="Marks agreed, file sent to the carton supplier")
    assert task.status == "done"
    assert task.completion_note == "Marks agreed, file sent to the carton supplier"
    assert task.completed_by == merchandiser
    assert "TK-2026-00001 Call Northwind about the carton marks is done" in inbox(manager)
    transitions = ObjectChange.objects.filter(action="transition").order_by("pk")
    assert [c.changes["status"] for c in transitions] == [["assigned", "accepted"], ["accepted", "done"]]


def test_completing_without_accepting_counts_as_accepted_then(assign, merchandiser):
    task = services.complete_task(task=assign(), by=merchandiser, note="Done at once")
    assert task.accepted_at == task.completed_at


@pytest.mark.parametrize("action", ["accept", "decline", "complete"])
def test_only_the_assignee_accepts_declines_or_completes(assign, make_user, action):
    other = make_user(Role.MERCHANDISER, username="mer2")
    task = assign()
    with pytest.raises((PermissionDenied, NotFound)):
        services.transition_task(task=task, action=action, by=other, comment="x")
    task.refresh_from_db()
    assert task.status == "assigned"


def test_a_manager_of_tasks_may_complete_for_the_assignee_but_not_accept(assign, make_user, merchandiser):
    boss2 = make_user(Role.MANAGER, username="boss2")
    task = assign()
    with pytest.raises(PermissionDenied):
        services.accept_task(task=task, by=boss2)
    task = services.complete_task(task=task, by=boss2, note="Settled on the phone")
    assert (task.status, task.completed_by) == ("done", boss2)


def test_declining_needs_a_reason_and_goes_back_to_the_assigner(assign, manager, merchandiser):
    task = assign()
    with pytest.raises(ValidationError) as exc:
        services.decline_task(task=task, by=merchandiser, reason="  ")
    assert "reason" in exc.value.errors
    task.refresh_from_db()
    assert task.status == "assigned"
    task = services.decline_task(task=task, by=merchandiser, reason="I am at the factory all week")
    assert (task.status, task.decline_reason) == ("declined", "I am at the factory all week")
    assert inbox(manager) == ["mer1 declined TK-2026-00001 Call Northwind about the carton marks"]


def test_completing_needs_a_note(assign, merchandiser):
    task = assign()
    with pytest.raises(ValidationError) as exc:
        services.complete_task(task=task, by=merchandiser, note="")
    assert exc.value.errors == {"note": ["Say what was done."]}
    task.refresh_from_db()
    assert task.status == "assigned"


def test_the_assigner_cancels_with_a_reason_and_the_assignee_may_not(assign, manager, merchandiser):
    task = assign()
    with pytest.raises(PermissionDenied):
        services.cancel_task(task=task, by=merchandiser, reason="not mine")
    with pytest.raises(ValidationError):
        services.cancel_task(task=task, by=manager, reason="")
    task = services.cancel_task(task=task, by=manager, reason="The customer called us")
    assert (task.status, task.cancel_reason) == ("cancelled", "The customer called us")
    assert "TK-2026-00001 Call Northwind about the carton marks was cancelled" in inbox(merchandiser)


def test_transitions_follow_the_table(assign, manager, merchandiser):
    task = assign()
    with pytest.raises(TransitionNotAllowed) as exc:
        services.reopen_task(task=task, by=manager, reason="again")
    assert str(exc.value) == "TK-2026-00001 is Assigned: it cannot move to Accepted."
    task = services.accept_task(task=task, by=merchandiser)
    with pytest.raises(TransitionNotAllowed):
        services.accept_task(task=task, by=merchandiser)
    task = services.complete_task(task=task, by=merchandiser, note="done")
    for action in ("accept", "decline", "complete", "cancel"):
        with pytest.raises((TransitionNotAllowed, PermissionDenied)):
            services.transition_task(task=task, action=action, by=manager, comment="x")
    task = services.reopen_task(task=task, by=manager, reason="The weights are still the old ones")
    assert task.status == "accepted"
    assert task.completed_at is None
    assert selectors.comments_of(task)[-1].body == "The weights are still the old ones"


def test_a_stale_version_is_refused(assign, merchandiser):
    task = assign()
    with pytest.raises(StaleVersion):
        services.accept_task(task=task, by=merchandiser, version=task.version + 1)
    task.refresh_from_db()
    assert task.status == "assigned"


def test_the_assigner_changes_the_due_date_and_the_assignee_is_told(assign, manager, merchandiser):
    task = assign()
    Notification.objects.all().delete()
    task = services.update_task(task=task, by=manager, data={"due_date": wd(5)}, version=task.version)
    assert task.due_date == wd(5)
    assert task.version == 2
    assert inbox(merchandiser) == ["TK-2026-00001 Call Northwind about the carton marks was changed"]
    with pytest.raises(StaleVersion):
        services.update_task(task=task, by=manager, data={"priority": "low"}, version=1)
    with pytest.raises(PermissionDenied):
        services.update_task(task=task, by=merchandiser, data={"priority": "low"})
    with pytest.raises(ValidationError) as exc:
        services.update_task(task=task, by=manager, data={"due_date": "2026-11-01"})
    assert "due_date" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        services.update_task(task=task, by=manager, data={"status": "done"})
    assert "status" in exc.value.errors
    task.refresh_from_db()
    assert (task.due_date, task.priority, task.status) == (wd(5), "normal", "assigned")


def test_a_declined_task_is_reassigned_and_starts_again(assign, manager, merchandiser, make_user):
    other = make_user(Role.MERCHANDISER, username="mer2")
    task = services.decline_task(task=assign(), by=merchandiser, reason="Too busy")
    task = services.update_task(task=task, by=manager, data={"assignee": "mer2"})
    assert (task.assignee, task.status, task.declined_at) == (other, "assigned", None)
    assert inbox(other) == [f"New task from {manager.first_name}: TK-2026-00001 Call Northwind about the carton marks"]
    assert "TK-2026-00001 Call Northwind about the carton marks was given to mer2" in inbox(merchandiser)


def test_a_task_given_to_a_namesake_is_given_all_the_same(assign, manager, merchandiser, make_user):
    namesake = make_user(
        Role.MERCHANDISER, username="mer3", first_name=merchandiser.first_name, last_name=merchandiser.last_name
    )
    task = services.decline_task(task=assign(), by=merchandiser, reason="Too busy")
    task = services.update_task(task=task, by=manager, data={"assignee": "mer3"})
    task.refresh_from_db()
    assert (task.assignee, task.status, task.declined_at) == (namesake, "assigned", None)


def test_a_done_or_cancelled_task_is_not_changed(assign, manager, merchandiser):
    task = services.complete_task(task=assign(), by=merchandiser, note="done")
    with pytest.raises(TransitionNotAllowed):
        services.update_task(task=task, by=manager, data={"title": "Other"})


def test_taking_the_order_off_takes_its_customer_off_too(assign, manager, order):
    task = assign(order_id=order.pk)
    task = services.update_task(task=task, by=manager, data={"order_id": None})
    assert (task.order, task.customer) == (None, None)


def test_who_sees_a_task(assign, order, manager, merchandiser, make_user):
    sales = make_user(Role.SALES, username="sally")
    outsider = make_user(Role.MERCHANDISER, username="mer2")
    boss2 = make_user(Role.MANAGER, username="boss2")
    task = assign(order_id=order.pk, assignee=sales.username)  # about mer1's order
    for user in (manager, sales, merchandiser, boss2):
        assert selectors.get_task(task.pk, user) == task
    with pytest.raises(NotFound):
        selectors.get_task(task.pk, outsider)
    with pytest.raises(NotFound):
        services.add_comment(task=task, by=outsider, body="hello")
    assert not TaskComment.objects.exists()
    assert list(selectors.task_list(viewer=outsider, scope="all")) == []
    assert list(selectors.task_list(viewer=merchandiser, scope="all")) == [task]
    assert list(selectors.task_list(viewer=merchandiser, scope="to_me")) == []


def test_an_empty_comment_is_refused(assign, merchandiser):
    with pytest.raises(ValidationError) as exc:
        services.add_comment(task=assign(), by=merchandiser, body=" ")
    assert exc.value.errors == {"body": ["Write a comment."]}
    assert not TaskComment.objects.exists()


def test_comments_reach_the_assignee_the_assigner_and_earlier_commenters(
    assign, order, manager, merchandiser, make_user
):
    sales = make_user(Role.SALES, username="sally")
    task = assign(order_id=order.pk, assignee=sales.username)
    services.add_comment(task=task, by=merchandiser, body="The customer called me too")  # the order's merchandiser
    Notification.objects.all().delete()
    services.add_comment(task=task, by=sales, body="Thanks, noted")
    assert (
        inbox(manager)
        == inbox(merchandiser)
        == ["sally commented on TK-2026-00001 Call Northwind about the carton marks"]
    )
    assert inbox(sales) == []


def test_the_list_puts_overdue_first_then_due_date_then_priority(assign, manager, merchandiser):
    from gendan.core import clock

    with clock.frozen(wd(-5)):
        late = assign(title="Late one", due_date=wd(-2), priority="low")
    soon_low = assign(title="Soon low", due_date=wd(1), priority="low")
    soon_urgent = assign(title="Soon urgent", due_date=wd(1), priority="urgent")
    later = assign(title="Later", due_date=wd(4))
    done = services.complete_task(task=assign(title="Done"), by=merchandiser, note="ok")
    qs = selectors.task_list(viewer=merchandiser)
    assert list(qs) == [late, soon_urgent, soon_low, later]
    assert [t.is_overdue for t in qs] == [1, 0, 0, 0]
    assert list(selectors.task_list(viewer=merchandiser, status="done")) == [done]
    assert list(selectors.task_list(viewer=merchandiser, overdue=True)) == [late]
    assert list(selectors.task_list(viewer=manager, scope="by_me", q="urgent")) == [soon_urgent]
    assert selectors.task_counts(merchandiser) == {"mine": 4, "overdue": 1, "given": 0}
    assert TODAY == wd(0)
