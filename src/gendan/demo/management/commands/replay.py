"""`gendan replay [--months 6] [--orders-per-month 120] [--seed 7] [--db PATH] [--force] [--json] [--quiet]`: build a
fresh company and play it forward day by day through Gendan's own services, then print the foresight report of both
forecasting methods side by side (see `gendan.demo.replay`).

The replay writes into its own SQLite database, never into the one Gendan runs on: the `gendan` command sees
`replay` and points DATABASE_URL at `--db PATH` (default: replay.sqlite3 in the var directory) before Django starts
(`gendan.cli.replay_database`). This command migrates that database and refuses one that already has content unless
`--force` (which starts it afresh)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import translation

from gendan.core import clock
from gendan.demo.replay import Replay, ReplayResult
from gendan.foresight import selectors
from gendan.foresight.text import compare_lines

LANGS = {"zh": "zh-hans", "zh-hans": "zh-hans", "en": "en"}
DEFAULT_NAME = "replay.sqlite3"


def default_path() -> Path:
    """Where the replay writes when no --db is given: replay.sqlite3 in the var directory."""
    return Path(settings.VAR_DIR) / DEFAULT_NAME


def has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


class Command(BaseCommand):
    help = (
        "Build a fresh company and replay its months day by day through Gendan's services, then print the foresight "
        "report of the plan and the learned forecasts side by side. Writes into its own SQLite database (--db, "
        "default replay.sqlite3 in the var directory), never into Gendan's: the gendan command points the database "
        "at it before Django starts. An existing database with content is refused unless --force."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=6, help="months of arriving orders (default 6)")
        parser.add_argument("--orders-per-month", type=int, default=120, help="orders arriving a month (default 120)")
        parser.add_argument("--seed", type=int, default=7, help="the same seed gives the same history (default 7)")
        parser.add_argument("--db", default="", help=f"the SQLite file to write (default: {DEFAULT_NAME} in var/)")
        parser.add_argument("--force", action="store_true", help="start an existing database afresh")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the two reports as JSON")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument("--lang", default="", choices=["", *LANGS], help="zh or en (default: the site's)")

    def handle(
        self,
        *args: object,
        months: int,
        orders_per_month: int,
        seed: int,
        db: str,
        force: bool,
        as_json: bool,
        quiet: bool,
        lang: str,
        **options: object,
    ) -> None:
        if months < 1 or orders_per_month < 1:
            raise CommandError("--months and --orders-per-month must be 1 or more.")
        path = Path(db).expanduser().resolve() if db else default_path()
        if has_content(path) and not force:
            raise CommandError(f"{path} already has content: give another --db, or --force to start it afresh.")
        database = connection.settings_dict
        if database["ENGINE"] != "django.db.backends.sqlite3" or Path(str(database["NAME"])).resolve() != path:
            raise CommandError(
                f"The replay writes into {path} only: run it as `gendan replay`, which points the database there "
                f"before Django starts (this process uses {database['NAME']})."
            )
        if has_content(path):
            connection.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        replay = Replay(
            months=months,
            orders_per_month=orders_per_month,
            seed=seed,
            progress=not quiet,
            log=(lambda _m: None) if quiet or as_json else (lambda m: self.stderr.write(f"  {m}")),
        )
        result = replay.run()
        with translation.override(LANGS.get(lang, settings.LANGUAGE_CODE)), clock.frozen(result.end):
            self.report(result, path, as_json=as_json)

    def report(self, result: ReplayResult, path: Path, *, as_json: bool) -> None:
        if result.report_start is None or result.report_end is None:
            self.stdout.write("No order arrived: nothing to report.")
            return
        reports = selectors.compare(result.report_start, result.report_end)
        if as_json:
            data = {
                "database": str(path),
                "period": {"from": result.report_start, "to": result.report_end},
                "replayed": {"from": result.start, "to": result.end},
                "seconds": round(result.seconds, 1),
                "orders": result.orders,
                "shipped": result.shipped,
                "late": result.late,
                "open": result.open,
                "counts": result.counts,
                "timings": result.timings,
                **{method: report.as_dict() for method, report in reports.items()},
            }
            self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            return
        minutes, seconds = divmod(int(round(result.seconds)), 60)
        self.stdout.write(f"Replayed {result.start} – {result.end} into {path} in {minutes} min {seconds} s")
        self.stdout.write(
            f"Orders: {result.orders}, shipped {result.shipped} (late {result.late}), still open {result.open}"
        )
        self.stdout.write(", ".join(f"{name} {count}" for name, count in result.counts.items()))
        self.stdout.write("Seconds: " + ", ".join(f"{name} {value}" for name, value in result.timings.items()))
        self.stdout.write("")
        self.stdout.write(
            f"Foresight {result.report_start} – {result.report_end} (the replayed orders' committed dates)"
        )
        for line in compare_lines(reports):
            self.stdout.write(line)
