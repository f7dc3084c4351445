"""`gendan worker`: queue the daily jobs that are not queued yet, then run the task worker (django-tasks-db's
`db_worker`) on the same database. Several workers may run at once; the daily jobs are queued once."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend

from gendan.core.schedule import ensure_scheduled, jobs, queued_runs


class Command(BaseCommand):
    help = "Queue the daily jobs (re-forecast, digests…), then run the background task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="default", help="queues to run, comma-separated; '*' for all")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to wait when the queue is empty (default: 1)"
        )
        parser.add_argument("--batch", action="store_true", help="run the tasks due now, then exit")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after running this many tasks")
        parser.add_argument("--no-startup-delay", action="store_false", dest="startup_delay")
        parser.add_argument("--schedule-only", action="store_true", help="queue the daily jobs and exit")

    def handle(
        self,
        *args: object,
        queue_name: str,
        interval: float,
        batch: bool,
        max_tasks: int | None,
        startup_delay: bool,
        schedule_only: bool,
        **options: object,
    ) -> None:
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            raise CommandError("The worker needs the database task backend (settings.TASKS).")
        if interval < 0:
            raise CommandError("--interval must be zero or more.")
        if max_tasks is not None and max_tasks <= 0:
            raise CommandError("--max-tasks must be more than zero.")
        verbosity = int(options.get("verbosity", 1))
        scheduled = set(ensure_scheduled())
        if verbosity:
            for name, run_after in queued_runs().items():
                when = timezone.localtime(run_after).strftime("%Y-%m-%d %H:%M") if run_after else "-"
                state = "scheduled" if name in scheduled else "already queued"
                self.stdout.write(f"{name}: {state}, next run {when} ({settings.TIME_ZONE})")
            if not jobs():
                self.stdout.write("no daily jobs registered")
        if schedule_only:
            return
        self.stdout.flush()
        call_command(
            "db_worker",
            queue_name=queue_name,
            interval=interval,
            batch=batch,
            max_tasks=max_tasks,
            startup_delay=startup_delay,
            reload=False,
            verbosity=verbosity,
        )
