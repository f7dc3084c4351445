"""`gendan demo`: build the demo company (users of every role, customers, suppliers, products, orders)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gendan.demo import data
from gendan.demo.builder import DemoBuilder, is_empty


class Command(BaseCommand):
    help = "Load the deterministic demo company into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has users")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--orders", type=int, default=200)

    def handle(self, *args: object, if_empty: bool, seed: int, orders: int, **options: object) -> None:
        if not is_empty():
            if if_empty:
                self.stdout.write("Database already has data; demo not loaded.")
                self._print_logins()
                return
            raise CommandError("The database already has users; the demo loads into an empty database only.")
        DemoBuilder(seed=seed, orders=orders, log=lambda m: self.stdout.write(f"  {m}")).build()
        self.stdout.write(self.style.SUCCESS("Demo company loaded."))
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {data.DEMO_PASSWORD}):")
        for username, role, zh, en in data.USERS:
            self.stdout.write(f"  {username:<10} {role:<13} {zh} / {en}")
