"""The daily summary (每日总结) of a prepared day: what was completed, followed up, what slipped and why, what is due
on the next working day; the team's summary; the end-of-day e-mail and its daily job."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.schedule import jobs
from gendan.followup import services as followup
from gendan.followup.models import Milestone
from gendan.office import services, summary
from gendan.office.tasks import SUMMARY_JOB, send_daily_summaries
from gendan.partners import services as partners
from tests.conftest import TODAY
from tests.office.conftest import wd

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def day(order, assign, manager, merchandiser, customer):  # noqa: ANN001, ANN201
    """Tuesday 2026-11-24 as mer1 lived it: a milestone done, a follow-up with a later promise, a date purchasing fed
    later, a milestone and a task due today not done, a task done, a task due tomorrow, the customer's file edited."""
    milestones = {m.code: m for m in Milestone.objects.filter(order=order)}
    with clock.frozen(wd(-3)):
        due_today = assign(title="Send the test report", due_date=TODAY)
        finished = assign(title="Book the inspection", due_date=wd(1), order_id=order.pk)
    tomorrow = assign(title="Confirm the carton size", due_date=wd(1), order_id=order.pk)
    at = dt.datetime(2026, 11, 24, 10, 30, tzinfo=SHANGHAI)
    with clock.frozen(at):
        followup.update_milestone(milestone=milestones["MO"], by=merchandiser, data={"actual_date": TODAY})
        followup.update_milestone(milestone=milestones["PS"], by=manager, data={"planned_date": TODAY})
        followup.log_follow_up(
            order=order,
            by=merchandiser,
            data={
                "party": "customer",
                "channel": "email",
                "summary": "Customer will approve the PP sample only after their QA is back",
                "milestone_id": milestones["PPS"].pk,
                "promised_date": milestones["PPS"].planned_date + dt.timedelta(days=7),
            },
        )
        followup.feed_dates(
            code="MIH",
            dates={order.pk: (milestones["MIH"].planned_date + dt.timedelta(days=10), "PO-2026-00007: yarn late")},
        )
        services.complete_task(task=finished, by=merchandiser, note="Booked for 12-10 with CTI")
        partners.update_customer(customer=customer, by=merchandiser, version=None, data={"notes": "Prefers WeChat"})
    return {"milestones": milestones, "due_today": due_today, "finished": finished, "tomorrow": tomorrow}


def test_the_day_of_a_merchandiser(day, order, merchandiser):
    s = summary.daily_summary(merchandiser, TODAY)
    assert s.next_day == wd(1)
    [done] = s.milestones_done
    assert done.label.startswith(f"{order.number} · MO ")
    assert done.detail.startswith("done 2026-11-24 · ")
    [task] = s.tasks_done
    assert task.label == f"{day['finished'].number} Book the inspection"
    assert task.reason == "Booked for 12-10 with CTI"
    assert ("Customers", 1) in s.other_work
    [fu] = s.follow_ups
    assert fu.label == f"{order.number} · PPS"
    assert fu.reason == "Customer will approve the PP sample only after their QA is back"
    assert "promised" in fu.detail
    slips = {line.label.split(" ")[2]: line for line in s.slips if line.label.startswith(order.number)}
    pps = day["milestones"]["PPS"]
    assert slips["PPS"].detail.startswith(f"promised {(pps.planned_date + dt.timedelta(days=7)).isoformat()}, was ")
    assert slips["PPS"].reason == "Customer will approve the PP sample only after their QA is back"
    assert slips["PPS"].by == merchandiser.username
    assert slips["MIH"].detail.startswith("expected ")
    assert slips["MIH"].reason == "PO-2026-00007: yarn late"
    assert slips["MIH"].by == "system"
    assert slips["PS"].detail == "due 2026-11-24, not done"
    assert "MO" not in slips  # done, and early
    [late_task] = [line for line in s.slips if "Send the test report" in line.label]
    assert late_task.detail == "task due 2026-11-24, not done (Assigned)"
    due = [(r.kind, r.document) for r in s.due_next if r.kind == "task"]
    assert due == [("task", day["tomorrow"].number)] or sorted(due) == sorted(
        [("task", day["tomorrow"].number), ("task", day["due_today"].number)]
    )
    assert not s.is_empty
    assert s.counts()["tasks_done"] == 1


def test_another_day_is_quiet(day, merchandiser):
    s = summary.daily_summary(merchandiser, wd(-1))
    assert (s.milestones_done, s.tasks_done, s.follow_ups, s.other_work) == ([], [], [], [])


def test_the_summary_reads_in_a_fixed_number_of_queries(day, merchandiser, manager, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    others = [make_user(Role.QC, username=f"qc{n}") for n in range(3)]
    summary.summaries([merchandiser], TODAY, with_due_next=False)  # content types cached
    with CaptureQueriesContext(connection) as one:
        summary.summaries([merchandiser], TODAY, with_due_next=False)
    with CaptureQueriesContext(connection) as five:
        summary.summaries([merchandiser, manager, *others], TODAY, with_due_next=False)
    assert len(five) == len(one) <= 12


def test_the_team_summary_has_a_row_per_person(day, merchandiser, manager, make_user):
    make_user(Role.QC, username="qc1")
    team = {s.user.username: s for s in summary.team_summary(TODAY)}
    assert set(team) == {"boss", "mer1", "qc1"}
    assert team["mer1"].counts()["follow_ups"] == 1
    assert team["qc1"].is_empty
    assert team["boss"].slips == []  # he moved a plan earlier, on an order he does not follow
    assert summary.can_see_summary_of(manager, merchandiser)
    assert not summary.can_see_summary_of(merchandiser, manager)


def test_only_managers_see_someone_elses_summary(merchandiser, manager):
    from gendan.core.exceptions import NotFound, ValidationError

    assert summary.summary_user(manager, "mer1") == merchandiser
    assert summary.summary_user(merchandiser, "") == merchandiser
    with pytest.raises(NotFound):
        summary.summary_user(merchandiser, "boss")
    with pytest.raises(ValidationError):
        summary.summary_user(manager, "nobody")


def test_the_end_of_day_e_mails(day, merchandiser, manager, make_user):
    make_user(Role.QC, username="qc1")  # nothing happened to them: no e-mail
    mail.outbox.clear()
    with clock.frozen(dt.datetime(2026, 11, 24, 18, 0, tzinfo=SHANGHAI)):
        sent = send_daily_summaries.call()
    by_to = {m.to[0]: m for m in mail.outbox}
    assert sent == 2
    assert set(by_to) == {merchandiser.email, manager.email}
    mine = by_to[merchandiser.email]
    assert mine.subject == "[Gendan] Daily summary 2026-11-24"
    assert "Customer will approve the PP sample only after their QA is back" in mine.body
    assert "PO-2026-00007: yarn late" in mine.body
    assert "Book the inspection" in mine.body
    assert "To chase on 2026-11-25" in mine.body
    html = mine.alternatives[0][0]
    assert "http://127.0.0.1:8000/orders/" in html
    team = by_to[manager.email]
    assert team.subject == "[Gendan] Daily summary 2026-11-24 — your team"
    assert "Your team" in team.body
    assert f"{merchandiser.first_name}: 2 completed, 1 follow-ups" in team.body


def test_no_e_mail_on_a_day_off(day, merchandiser):
    mail.outbox.clear()
    with clock.frozen(dt.date(2026, 11, 28)):
        assert send_daily_summaries.call() == 0
    assert mail.outbox == []


def test_the_summary_is_a_daily_job_at_six_by_default(settings):
    [job] = [j for j in jobs() if j.name == SUMMARY_JOB]
    assert job.time_of_day == "18:00"
    settings.GENDAN_DAILY_SUMMARY_AT = "19:15"
    assert job.time_of_day == "19:15"


def test_the_e_mail_is_in_the_readers_language(day, merchandiser):
    merchandiser.language = "zh-hans"
    merchandiser.save()
    subject, text, _html = summary.summary_email(merchandiser, TODAY)
    assert "每" in subject or "Daily summary" in subject  # translated once the lead compiles the catalogue
    assert "Customer will approve the PP sample" in text
