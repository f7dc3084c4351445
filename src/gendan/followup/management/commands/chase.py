"""`gendan chase --user U [--date YYYY-MM-DD] [--days N] [--json]`: a user's chase list (每日跟进清单), most urgent
first, as a table in the user's language or as JSON."""

import datetime as dt
import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _

from gendan.core import clock
from gendan.core.models import User
from gendan.followup.digest import row_context
from gendan.followup.selectors import chase_list


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Lines of an aligned table; the last column is not padded."""
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join([*(_pad(c, w) for c, w in zip(cells[:-1], widths[:-1], strict=True)), cells[-1]]).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


class Command(BaseCommand):
    help = "Print a user's chase list, most urgent first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--date", default="", help="the day, YYYY-MM-DD (default: today)")
        parser.add_argument("--days", type=int, default=None, help="working days ahead (default: the setting)")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the rows as JSON")

    def handle(self, *args: object, user: str, date: str, days: int | None, as_json: bool, **options: object) -> None:
        found = User.objects.filter(username=user).first()
        if found is None:
            raise CommandError(f"There is no user {user!r}.")
        try:
            day = dt.date.fromisoformat(date) if date else clock.today()
        except ValueError as exc:
            raise CommandError(f"--date: {date!r} is not a date (YYYY-MM-DD).") from exc
        if days is not None and days < 0:
            raise CommandError("--days must be zero or more.")
        with translation.override(found.language):
            rows = chase_list(found, day, horizon=days)
            if as_json:
                data = [{"rank": rank, **row.as_dict()} for rank, row in enumerate(rows, start=1)]
                self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
                return
            if not rows:
                self.stdout.write(_("Nothing to chase on %(day)s.") % {"day": day.isoformat()})
                return
            cells = [row_context(rank, row) for rank, row in enumerate(rows, start=1)]
            header = ["#", _("Kind"), _("Order"), _("Milestone"), _("Due"), _("Late / left"), _("Reason")]
            body = [
                [
                    str(c["rank"]),
                    c["kind_label"],
                    c["order_number"],
                    c["milestone_code"] or "-",
                    c["due_date"],
                    c["late"],
                    c["reason"],
                ]
                for c in cells
            ]
            for text in table(header, body):
                self.stdout.write(text)
