"""Daily jobs on django-tasks, which has no cron.

A daily job is a task queued on the database backend with `run_after` at its next time of day (company time).
`ensure_scheduled()` (run by `gendan worker` at start) queues every registered job that is not queued yet; a job's
task calls `reschedule(name)` when it finishes (also when it failed), which queues tomorrow's run. A worker that was
down runs a missed job once when it comes back, then the job goes back to its time of day.

Apps register their jobs in `AppConfig.ready()`:

    register_daily(nightly_reforecast, at="01:30", name="nightly-reforecast", setting="GENDAN_REFORECAST_AT")

`at` is the default time of day; the setting named by `setting`, when set, overrides it.
"""

import datetime as dt
import logging
import re
import zlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class DailyJob:
    name: str
    task: Task
    at: str
    setting: str = ""

    @property
    def time_of_day(self) -> str:
        """The job's "HH:MM": the setting when it is set, else the registered default."""
        value = getattr(settings, self.setting, "") if self.setting else ""
        return str(value or self.at)


_jobs: dict[str, DailyJob] = {}


def parse_at(at: str) -> dt.time:
    """ "HH:MM" (24 hours) as a time; ImproperlyConfigured otherwise."""
    match = _AT.match(at.strip())
    if match is None:
        raise ImproperlyConfigured(f'A daily job time must be "HH:MM" (24 hours), not {at!r}.')
    return dt.time(int(match[1]), int(match[2]))


def register_daily(task: Task, *, at: str, name: str, setting: str = "") -> DailyJob:
    """Register `task` to run every day at `at` ("HH:MM", company time; the setting `setting` overrides it).

    Registering a name again replaces the job (AppConfig.ready() may run more than once in tests)."""
    parse_at(at)
    job = DailyJob(name=name, task=task, at=at, setting=setting)
    parse_at(job.time_of_day)
    _jobs[name] = job
    return job


def unregister(name: str) -> None:
    _jobs.pop(name, None)


def jobs() -> list[DailyJob]:
    return sorted(_jobs.values(), key=lambda j: (j.time_of_day, j.name))


def next_run(at: str, now: dt.datetime) -> dt.datetime:
    """The next `at` ("HH:MM" in settings.TIME_ZONE) strictly after `now`, as an aware datetime in that zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    if timezone.is_naive(now):
        now = now.replace(tzinfo=zone)
    time_of_day = parse_at(at)
    day = now.astimezone(zone).date()
    while True:
        candidate = dt.datetime.combine(day, time_of_day, tzinfo=zone)
        # Compare in UTC: datetimes sharing a tzinfo compare by wall clock, which is wrong across a DST change.
        if candidate.astimezone(dt.UTC) > now.astimezone(dt.UTC):
            return candidate
        day += dt.timedelta(days=1)


def _queued(job: DailyJob) -> QuerySet[DBTaskResult]:
    """The job's runs waiting in the queue (READY, whether due now or later)."""
    return DBTaskResult.objects.filter(
        task_path=job.task.module_path,
        status=TaskResultStatus.READY,
        backend_name=job.task.get_backend().alias,
    )


def _lock(job: DailyJob) -> None:
    """Serialize scheduling of one job between processes (two workers starting at once queue it once).

    SQLite's IMMEDIATE transactions already take the write lock at BEGIN; PostgreSQL takes an advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"gendan.schedule:{job.name}".encode())])


def _schedule(job: DailyJob, now: dt.datetime) -> bool:
    """Queue the job's next run unless one is queued; True when queued now. Only on the database backend: other
    backends (the immediate one of the tests) cannot hold a task for later."""
    if not isinstance(job.task.get_backend(), DatabaseBackend):
        return False
    at = job.time_of_day
    if timezone.is_naive(now):
        now = now.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    with transaction.atomic():
        _lock(job)
        queued = list(_queued(job).values_list("pk", "run_after"))
        if not queued:
            job.task.using(run_after=next_run(at, now)).enqueue()
            return True
        # A run waiting for another time of day (the setting changed): move it to the new time. A run already due
        # (missed while no worker ran) stays due.
        wanted = parse_at(at)
        zone = ZoneInfo(settings.TIME_ZONE)
        for pk, run_after in queued:
            local = run_after.astimezone(zone)
            if run_after > now and (local.hour, local.minute) != (wanted.hour, wanted.minute):
                DBTaskResult.objects.filter(pk=pk).update(run_after=next_run(at, now))
                logger.info("daily job %s moved to %s", job.name, at)
    return False


def ensure_scheduled(now: dt.datetime | None = None) -> list[str]:
    """Queue every registered job that has no run waiting; the names of the jobs queued. Safe to run again."""
    now = now or timezone.now()  # the queue's clock: the worker compares run_after with it
    return [job.name for job in jobs() if _schedule(job, now)]


def reschedule(name: str, *, now: dt.datetime | None = None) -> bool:
    """Queue tomorrow's run of job `name`; a job's task calls it when it finishes. False when already queued."""
    job = _jobs.get(name)
    if job is None:
        logger.warning("daily job %s is not registered; not rescheduled", name)
        return False
    return _schedule(job, now or timezone.now())


def queued_runs() -> dict[str, dt.datetime | None]:
    """Each registered job's next queued run (None: nothing queued, or not on the database backend)."""
    runs: dict[str, dt.datetime | None] = {}
    for job in jobs():
        if not isinstance(job.task.get_backend(), DatabaseBackend):
            runs[job.name] = None
            continue
        first = _queued(job).order_by("run_after").values_list("run_after", flat=True).first()
        runs[job.name] = first
    return runs
