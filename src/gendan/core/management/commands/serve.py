"""`gendan serve`: gunicorn outside debug, Django's development server in debug.

Workers are gthread with one thread each: one request at a time per process (no waiting on SQLite's
write lock between threads), with keep-alive connections, which sync workers close after every request.
"""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Gendan: gunicorn outside debug, the development server with GENDAN_DEBUG=1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GENDAN_WORKERS", "2")))

    def handle(self, *args: object, host: str, port: int, workers: int, **options: object) -> None:
        url = f"http://{host}:{port}/"
        if settings.DEBUG:
            self.stdout.write(f"Gendan (debug) on {url}")
            call_command("runserver", f"{host}:{port}", use_reloader=False)
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Gendan on {url} (gunicorn, {workers} workers)")
        sys.stdout.flush()
        argv = [
            "gunicorn",
            "gendan.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            os.environ.get("GENDAN_WORKER_CLASS", "gthread"),
            "--threads",
            os.environ.get("GENDAN_THREADS", "1"),
            "--timeout",
            "60",
            "--keep-alive",
            "5",
        ]
        if os.environ.get("GENDAN_ACCESS_LOG"):
            argv += ["--access-logfile", "-"]  # off by default: formatting a line per request costs CPU
        os.execvp(sys.executable, [sys.executable, "-m", *argv])
