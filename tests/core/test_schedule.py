"""Daily jobs: the next run of a time of day, queueing each job once, and a job queueing its next run."""

import datetime as dt
import signal
from collections.abc import Iterator
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from gendan.core import schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JOB = "test-ping"


@task()
def ping() -> str:
    """A daily job of the tests: does nothing, then queues its next run as real jobs do."""
    try:
        return "pong"
    finally:
        schedule.reschedule(JOB)


def at(year: int, month: int, day: int, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


@pytest.fixture(autouse=True)
def _queue_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The queue runs on real time (timezone.now), not the company clock: pin it to the suite's day, noon."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 11, 24, 12))


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the test job is registered (the apps' jobs are left out and left alone)."""
    monkeypatch.setattr(schedule, "_jobs", {})
    schedule.register_daily(ping, at="07:30", name=JOB, setting="GENDAN_TEST_PING_AT")


@pytest.fixture
def db_tasks(db: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The database task backend instead of the immediate one of the test settings. The worker's periodic
    close_old_connections would close the test's connection inside its transaction (PostgreSQL): not here."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    with override_settings(TASKS=DB_TASKS):
        yield


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=ping.module_path, status=TaskResultStatus.READY))


# ---- next_run ------------------------------------------------------------------------------------------


def test_next_run_is_later_the_same_day_when_the_time_is_still_ahead() -> None:
    assert schedule.next_run("13:00", at(2026, 11, 24, 12)) == at(2026, 11, 24, 13)


def test_next_run_is_tomorrow_once_the_time_has_passed() -> None:
    assert schedule.next_run("07:30", at(2026, 11, 24, 12)) == at(2026, 11, 25, 7, 30)


def test_next_run_is_strictly_after_now() -> None:
    assert schedule.next_run("12:00", at(2026, 11, 24, 12)) == at(2026, 11, 25, 12)


def test_next_run_crosses_midnight_and_the_year_end() -> None:
    assert schedule.next_run("00:10", at(2026, 11, 24, 23, 50)) == at(2026, 11, 25, 0, 10)
    assert schedule.next_run("01:30", at(2026, 12, 31, 23, 59)) == at(2027, 1, 1, 1, 30)


def test_next_run_is_in_company_time_whatever_the_zone_of_now() -> None:
    # 17:00 UTC on the 24th is already 01:00 on the 25th in Shanghai: 01:30 is half an hour away.
    now = dt.datetime(2026, 11, 24, 17, 0, tzinfo=dt.UTC)
    run = schedule.next_run("01:30", now)
    assert run == at(2026, 11, 25, 1, 30)
    assert run - now == dt.timedelta(minutes=30)
    assert run.utcoffset() == dt.timedelta(hours=8)


@override_settings(TIME_ZONE="Europe/Berlin")
def test_next_run_keeps_the_wall_clock_time_across_a_dst_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    now = at(2026, 3, 28, 12, zone=berlin)  # clocks go forward on the night of 28-29 March 2026
    run = schedule.next_run("09:00", now)
    assert (run.date(), run.hour, run.minute) == (dt.date(2026, 3, 29), 9, 0)
    assert run.utcoffset() == dt.timedelta(hours=2)
    assert run.astimezone(dt.UTC) - now.astimezone(dt.UTC) == dt.timedelta(hours=20)  # 21 on the wall clock


@pytest.mark.parametrize("bad", ["24:00", "7:3", "07:60", "seven", ""])
def test_a_time_of_day_must_be_hh_mm(bad: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        schedule.next_run(bad, at(2026, 11, 24, 12))
    with pytest.raises(ImproperlyConfigured):
        schedule.register_daily(ping, at=bad, name="bad")


# ---- ensure_scheduled ----------------------------------------------------------------------------------


def test_ensure_scheduled_queues_each_job_once_for_its_next_run(registry: None, db_tasks: None) -> None:
    now = at(2026, 11, 24, 12)
    assert schedule.ensure_scheduled(now) == [JOB]
    assert schedule.ensure_scheduled(now) == []
    assert schedule.ensure_scheduled(now + dt.timedelta(hours=1)) == []
    (row,) = queued()
    assert row.run_after == at(2026, 11, 25, 7, 30)
    assert row.backend_name == "default"
    assert schedule.queued_runs() == {JOB: at(2026, 11, 25, 7, 30)}


def test_ensure_scheduled_uses_the_company_clock_by_default(registry: None, db_tasks: None) -> None:
    assert schedule.ensure_scheduled() == [JOB]  # the tests' clock: 2026-11-24 noon
    assert queued()[0].run_after == at(2026, 11, 25, 7, 30)


def test_a_run_that_is_running_does_not_count_as_queued(registry: None, db_tasks: None) -> None:
    schedule.ensure_scheduled(at(2026, 11, 24, 12))
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)
    assert schedule.ensure_scheduled(at(2026, 11, 25, 7, 31)) == [JOB]
    assert queued()[0].run_after == at(2026, 11, 26, 7, 30)


def test_the_setting_overrides_the_registered_time(registry: None, db_tasks: None) -> None:
    with override_settings(GENDAN_TEST_PING_AT="06:15"):
        assert schedule.ensure_scheduled(at(2026, 11, 24, 12)) == [JOB]
    assert queued()[0].run_after == at(2026, 11, 25, 6, 15)


def test_a_queued_run_moves_when_the_setting_changes(registry: None, db_tasks: None) -> None:
    schedule.ensure_scheduled(at(2026, 11, 24, 12))
    with override_settings(GENDAN_TEST_PING_AT="21:00"):
        assert schedule.ensure_scheduled(at(2026, 11, 24, 12)) == []
    (row,) = queued()
    assert row.run_after == at(2026, 11, 24, 21)


def test_a_missed_run_stays_due_whatever_the_setting(registry: None, db_tasks: None) -> None:
    schedule.ensure_scheduled(at(2026, 11, 22, 12))  # for 2026-11-23 07:30; no worker ran since
    with override_settings(GENDAN_TEST_PING_AT="21:00"):
        assert schedule.ensure_scheduled(at(2026, 11, 24, 12)) == []
    (row,) = queued()
    assert row.run_after == at(2026, 11, 23, 7, 30)


def test_nothing_is_queued_on_a_backend_that_cannot_wait(registry: None, db: None) -> None:
    assert schedule.ensure_scheduled(at(2026, 11, 24, 12)) == []  # the immediate backend of the tests
    assert not DBTaskResult.objects.exists()
    assert schedule.queued_runs() == {JOB: None}


def test_reschedule_of_an_unknown_job_does_nothing(registry: None, db_tasks: None) -> None:
    assert schedule.reschedule("no-such-job") is False
    assert not DBTaskResult.objects.exists()


# ---- a job queues its next run when it runs --------------------------------------------------------------


@pytest.fixture
def keep_signals() -> Iterator[None]:
    """db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def test_the_worker_runs_a_due_job_which_queues_tomorrows_run(
    registry: None, db_tasks: None, keep_signals: None
) -> None:
    schedule.ensure_scheduled(at(2026, 11, 23, 12))  # queued yesterday for this morning
    (first,) = queued()
    assert first.run_after == at(2026, 11, 24, 7, 30)
    DBTaskResult.objects.filter(pk=first.pk).update(run_after=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))  # due now

    call_command("db_worker", batch=True, startup_delay=False, reload=False, stdout=StringIO())

    first.refresh_from_db()
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert first.return_value == "pong"
    (following,) = queued()
    assert following.run_after == at(2026, 11, 25, 7, 30)  # the clock of the tests: 2026-11-24 noon


def test_gendan_worker_schedules_then_runs_the_queue(registry: None, db_tasks: None, keep_signals: None) -> None:
    out = StringIO()
    call_command("worker", batch=True, startup_delay=False, stdout=out)
    assert f"{JOB}: scheduled, next run 2026-11-25 07:30 (Asia/Shanghai)" in out.getvalue()
    assert len(queued()) == 1  # not due yet: the batch ran nothing

    out = StringIO()
    call_command("worker", schedule_only=True, stdout=out)
    assert f"{JOB}: already queued" in out.getvalue()
    assert len(queued()) == 1


def test_gendan_worker_refuses_the_immediate_backend(registry: None, db: None) -> None:
    with pytest.raises(CommandError, match="database task backend"):
        call_command("worker", schedule_only=True, stdout=StringIO())
