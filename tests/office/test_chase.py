"""The office's chase-list rows: tasks due or overdue (the assignee's, and the assigner's once overdue), tasks that
came back declined, notices not read (or not acknowledged) after GENDAN_NOTICE_FOLLOW_UP_DAYS working days."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gendan.core import clock
from gendan.core.calendar import WorkingCalendar
from gendan.followup.selectors import chase_list
from gendan.office import selectors, services
from tests.conftest import TODAY
from tests.office.conftest import wd

pytestmark = pytest.mark.django_db


def rows(user, day=TODAY, kind=None):  # noqa: ANN001, ANN201
    with clock.frozen(day):
        found = chase_list(user, day)
    return [r for r in found if kind is None or r.kind == kind]


def test_a_task_due_soon_is_in_the_assignees_list_only(assign, order, manager, merchandiser):
    task = assign(order_id=order.pk, due_date=wd(2), priority="urgent")
    [row] = rows(merchandiser, kind="task")
    assert row.reason == (
        f"[Urgent] Call Northwind about the carton marks — from {manager.first_name}, due 11-26 (not accepted yet)"
    )
    assert (row.document, row.object_id, row.url) == ("TK-2026-00001", task.pk, f"/office/tasks/{task.pk}/")
    assert (row.order_number, row.customer, row.tier, row.days_late) == (order.number, "C-NW01", "key", -2)
    assert row.kind_label == "Task"
    assert rows(manager, kind="task") == []  # not overdue: not the assigner's business yet
    assert rows(merchandiser, kind="task", day=TODAY)
    assert not rows(merchandiser, day=wd(-3), kind="task")


def test_an_overdue_task_is_in_both_lists(assign, manager, merchandiser):
    with clock.frozen(wd(-4)):
        task = assign(due_date=wd(-1))
    services.accept_task(task=task, by=merchandiser)
    [mine] = rows(merchandiser, kind="task")
    assert mine.days_late == 1
    assert "(not accepted yet)" not in mine.reason
    [theirs] = rows(manager, kind="task")
    assert theirs.reason == (
        f"Call Northwind about the carton marks — {merchandiser.first_name} has not finished it, due 11-23 (Accepted)"
    )
    assert theirs.days_late == 1
    services.complete_task(task=task, by=merchandiser, note="done")
    assert rows(merchandiser, kind="task") == rows(manager, kind="task") == []


def test_a_declined_task_is_back_in_the_assigners_list_until_reassigned(assign, manager, merchandiser, make_user):
    from gendan.core.choices import Role

    make_user(Role.MERCHANDISER, username="mer2")
    task = assign(due_date=wd(5))
    services.decline_task(task=task, by=merchandiser, reason="On leave next week")
    [row] = rows(manager, kind="task")
    assert row.reason == (
        f"Call Northwind about the carton marks — declined by {merchandiser.first_name}: On leave next week. "
        "Reassign or cancel it."
    )
    assert (row.due_date, row.days_late) == (TODAY, 0)
    assert rows(merchandiser, kind="task") == []
    services.update_task(task=task, by=manager, data={"assignee": "mer2"})
    assert rows(manager, kind="task") == []


def test_a_task_one_assigns_oneself_shows_once(assign, manager):
    with clock.frozen(wd(-4)):
        assign(assignee=manager.username, due_date=wd(-1))
    assert len(rows(manager, kind="task")) == 1


def test_an_unread_notice_is_followed_up_after_two_working_days_naming_who(
    send_notice, manager, merchandiser, qc, factory
):
    notice = send_notice(users=[merchandiser.username, qc.username], supplier_ids=[factory.pk])
    assert rows(manager, kind="notice") == []
    assert rows(manager, day=wd(1), kind="notice") == []
    services.mark_read(notice=notice, user=qc)
    [row] = rows(manager, day=wd(2), kind="notice")
    assert row.reason == (
        f"NT-2026-00001 “Holiday schedule” sent 11-24: not read by {merchandiser.first_name}, "
        "S-FA09 海宁缝制厂 (2 of 3)"
    )
    assert (row.due_date, row.days_late, row.kind_label) == (wd(2), 0, "Notice")
    assert row.url == f"/office/notices/{notice.pk}/#receipts"
    assert rows(merchandiser, day=wd(2), kind="notice") == []  # the sender's list only
    services.mark_read(notice=notice, user=merchandiser)
    recipient = notice.recipients.get(supplier=factory)
    services.open_by_link(recipient=recipient, link=recipient.link)
    assert rows(manager, day=wd(2), kind="notice") == []


def test_a_notice_that_asks_for_acknowledgement_waits_for_it(send_notice, manager, merchandiser):
    notice = send_notice(users=[merchandiser.username], ack_required=True)
    services.mark_read(notice=notice, user=merchandiser)
    [row] = rows(manager, day=wd(3), kind="notice")
    assert "not acknowledged by" in row.reason
    assert row.days_late == 1
    services.acknowledge(notice=notice, user=merchandiser)
    assert rows(manager, day=wd(3), kind="notice") == []


def test_withdrawn_or_no_longer_followed_notices_leave_the_list(send_notice, manager, merchandiser):
    a = send_notice(users=[merchandiser.username])
    b = send_notice(users=[merchandiser.username], title="Second")
    assert len(rows(manager, day=wd(2), kind="notice")) == 2
    services.withdraw_notice(notice=a, by=manager, reason="Sent twice")
    services.stop_chasing(notice=b, by=manager)
    assert rows(manager, day=wd(2), kind="notice") == []


def test_recipients_who_left_are_not_chased(send_notice, manager, merchandiser):
    send_notice(users=[merchandiser.username])
    merchandiser.is_active = False
    merchandiser.save()
    assert rows(manager, day=wd(2), kind="notice") == []


def test_the_follow_up_days_are_a_setting(send_notice, manager, merchandiser, settings):
    settings.GENDAN_NOTICE_FOLLOW_UP_DAYS = 1
    send_notice(users=[merchandiser.username])
    assert len(rows(manager, day=wd(1), kind="notice")) == 1


def test_a_notice_sent_before_a_weekend_is_followed_up_on_working_days(send_notice, manager, merchandiser):
    friday = dt.date(2026, 11, 27)
    with clock.frozen(friday):
        send_notice(users=[merchandiser.username])
    assert rows(manager, day=dt.date(2026, 11, 30), kind="notice") == []  # Monday: one working day
    [row] = rows(manager, day=dt.date(2026, 12, 1), kind="notice")  # Tuesday: two
    assert row.due_date == dt.date(2026, 12, 1)


@settings(max_examples=200, deadline=None)
@given(
    sent=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)),
    days=st.integers(min_value=1, max_value=10),
)
def test_the_follow_up_date_is_n_working_days_after_sending(sent: dt.date, days: int) -> None:
    calendar = WorkingCalendar.of({6, 7}, holidays={dt.date(2026, 10, 1)}, working_days={dt.date(2026, 9, 27)})
    from django.test import override_settings

    with override_settings(GENDAN_NOTICE_FOLLOW_UP_DAYS=days):
        due = selectors.notice_chase_due(sent, calendar)
    assert calendar.is_working_day(due)
    assert calendar.between(sent, due) == days
    # the query's calendar-day cut-off never drops a notice that is due
    assert due - dt.timedelta(days=days) >= sent
