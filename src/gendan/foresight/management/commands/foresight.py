"""`gendan foresight [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--method plan|learned|both] [--json] [--lang zh|en]`: the
foresight report (预见性报告) as text — the figures of the method (or of both) and the two methods side by side — or
as JSON in the API's shape."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from gendan.core.exceptions import ValidationError
from gendan.foresight import selectors
from gendan.foresight.text import compare_lines, report_lines

LANGS = {"zh": "zh-hans", "zh-hans": "zh-hans", "en": "en"}


class Command(BaseCommand):
    help = "Print the foresight report: how far ahead the risk flags warned of late orders, and the false alarms."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", default="", help="YYYY-MM-DD (default: six months before --to)")
        parser.add_argument("--to", dest="end", default="", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--method", default="plan", choices=["plan", "learned", "both"], help="default: plan")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the report(s) as JSON")
        parser.add_argument("--lang", default="", choices=["", *LANGS], help="zh or en (default: the site's)")

    def handle(
        self, *args: object, start: str, end: str, method: str, as_json: bool, lang: str, **options: object
    ) -> None:
        with translation.override(LANGS.get(lang, settings.LANGUAGE_CODE)):
            try:
                since, until, _method = selectors.parse_params(
                    start=start, end=end, method="plan" if method == "both" else method
                )
            except ValidationError as exc:
                raise CommandError(
                    "; ".join(f"--{name}: {m}" for name, messages in exc.errors.items() for m in messages)
                ) from exc
            reports = selectors.compare(since, until)
            shown = list(selectors.METHODS) if method == "both" else [method]
            if as_json:
                if method == "both":
                    data = {m: reports[m].as_dict() for m in shown}
                else:
                    data = reports[method].as_dict()
                self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
                return
            for m in shown:
                for line in report_lines(reports[m]):
                    self.stdout.write(line)
                self.stdout.write("")
            for line in compare_lines(reports):
                self.stdout.write(line)
