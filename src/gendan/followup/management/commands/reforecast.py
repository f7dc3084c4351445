"""`gendan reforecast [--batch N] [--quiet] [--missing-plans]`: re-forecast every planned open order now (what
the nightly job does), with a progress bar on stderr; `--missing-plans` first makes the plans of followed orders
that have none (orders confirmed before an upgrade to plans)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from gendan.followup.services import PLANNED_STATUSES, make_missing_plans, reforecast_orders
from gendan.sales.models import Order


class Command(BaseCommand):
    help = "Re-forecast every planned open order now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="orders read and written at a time (2000)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument(
            "--missing-plans", action="store_true", help="first make the plans of followed orders that have none"
        )

    def handle(self, *args: object, batch: int, quiet: bool, missing_plans: bool, **options: object) -> None:
        if batch <= 0:
            raise CommandError("--batch must be more than zero.")
        if missing_plans:
            self.stdout.write(f"{make_missing_plans()} plans made for orders that had none")
        show = not quiet and sys.stderr.isatty()
        started = time.perf_counter()
        total = None
        if show:  # the orders reforecast_orders() takes: planned and open
            total = Order.objects.filter(status__in=PLANNED_STATUSES, milestones__isnull=False).distinct().count()
        with tqdm(total=total, unit="order", file=sys.stderr, disable=not show) as bar:
            counts = reforecast_orders(batch_size=batch, progress=bar.update)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{counts['orders']} orders re-forecast, {counts['milestones_changed']} milestones changed, "
            f"{counts['risk_changed']} risks changed in {elapsed:.2f} s"
        )
