"""`gendan requirements [--order NUMBER ...] [--batch N]`: net the material requirements now — of the given orders,
or of every order that needs materials (what the nightly job does) — and print what changed."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gendan.procurement import services
from gendan.sales.models import Order


class Command(BaseCommand):
    help = "Net the material requirements of orders now (all orders that need materials by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--order", action="append", default=[], help="an order number (repeatable)")
        parser.add_argument("--batch", type=int, default=1000, help="orders netted at a time (1000)")

    def handle(self, *args: object, order: list[str], batch: int, **options: object) -> None:
        if batch <= 0:
            raise CommandError("--batch must be more than zero.")
        started = time.perf_counter()
        if order:
            found = dict(Order.objects.filter(number__in=order).values_list("number", "pk"))
            missing = [n for n in order if n not in found]
            if missing:
                raise CommandError(f"No order {', '.join(missing)}.")
            changes = services.run_requirements(order_ids=found.values(), by=None, reason="gendan requirements")
            for number, pk in found.items():
                for change in changes.get(pk, []):
                    fields = ", ".join(f"{k} {v[0]} → {v[1]}" for k, v in change.items() if isinstance(v, list))
                    self.stdout.write(f"{number} {change['material']}: {fields}")
            counts = {"orders": len(found), "changed": len(changes)}
        else:
            counts = services.rerun_all(batch_size=batch)
        self.stdout.write(
            f"{counts['orders']} orders netted, {counts['changed']} changed in {time.perf_counter() - started:.2f} s"
        )
