"""The chase-list rows of customer relations: open preparation tasks (until done, while the visit is to come or going
on), open follow-up actions (until done or the visit is closed), and low survey scores to call back."""

import datetime as dt

import pytest

from gendan.core import clock
from gendan.followup.selectors import chase_list
from gendan.relations import services
from gendan.relations.models import SurveyFollowUp, VisitTask
from tests.conftest import TODAY
from tests.relations.conftest import answer, move, wd

pytestmark = pytest.mark.django_db


def rows(user, day=TODAY, kind=None):  # noqa: ANN001, ANN201
    with clock.frozen(day):
        found = chase_list(user, day)
    return [r for r in found if kind is None or r.kind == kind]


def test_a_preparation_task_is_chased_from_the_horizon_until_done(plan_visit, qc, product):
    visit = plan_visit(tasks=[{"product_id": product.pk, "owner": qc.username, "due_date": wd(4)}])
    task = VisitTask.objects.get(visit=visit)
    assert rows(qc) == []  # due beyond the three working days ahead
    [row] = rows(qc, day=wd(2), kind="visit")
    assert row.reason == (f"Prepare for C-NW01's visit {visit.number} (arriving {wd(5):%m-%d}): Sample: TW-70 纯棉浴巾")
    assert (row.kind_label, row.document, row.milestone_name) == (
        "Visit preparation",
        visit.number,
        "Sample to prepare",
    )
    assert (row.object_id, row.url) == (task.pk, f"/relations/visits/{visit.pk}/#task-{task.pk}")
    assert (row.customer, row.tier, row.order_id, row.days_late) == ("C-NW01", "key", None, -2)
    late = rows(qc, day=wd(6), kind="visit")
    assert [r.days_late for r in late] == [2]
    services.set_task_done(task=task, by=qc)
    assert rows(qc, day=wd(2)) == []


def test_preparation_leaves_the_list_once_the_visitors_left(plan_visit, merchandiser, qc):
    visit = plan_visit(tasks=[{"description": "Welcome banner", "owner": qc.username, "due_date": TODAY}])
    visit = move(visit, merchandiser, "confirm", "start")
    assert len(rows(qc, kind="visit")) == 1
    move(visit, merchandiser, "finish")
    assert rows(qc, kind="visit") == []


def test_a_follow_up_action_is_chased_until_done(plan_visit, merchandiser, sales):
    visit = move(plan_visit(), merchandiser, "confirm", "start", "finish")
    action = services.add_task(
        visit=visit,
        by=merchandiser,
        phase="follow_up",
        data={"description": "Send the revised price list", "owner": sales.username, "due_date": TODAY},
    )
    [row] = rows(sales, kind="visit")
    assert row.kind_label == "Visit follow-up"
    assert row.reason == f"Follow-up of C-NW01's visit {visit.number} ({wd(5):%m-%d}): Send the revised price list"
    assert row.object_id == action.pk
    services.set_task_done(task=action, by=sales)
    assert rows(sales, kind="visit") == []


def test_a_low_survey_score_is_chased_by_the_merchandiser_until_closed(sent_round, contact, merchandiser):
    answer(sent_round.invitations.get(contact=contact), quality=1, delivery=4, price=4)
    follow_up = SurveyFollowUp.objects.get()
    [row] = rows(merchandiser, kind="survey")
    assert row.reason == (f"C-NW01 · Anna Berg scored low in {sent_round.number}: Product quality 1/5 — call them back")
    assert (row.kind_label, row.document, row.due_date) == (
        "Survey follow-up",
        sent_round.number,
        dt.date(2026, 11, 26),
    )
    assert row.url == f"/relations/surveys/follow-ups/#fu-{follow_up.pk}"
    services.close_follow_up(follow_up=follow_up, by=merchandiser, note="Called; replacement sent")
    assert rows(merchandiser, kind="survey") == []
