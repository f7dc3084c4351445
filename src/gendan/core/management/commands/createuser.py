"""`gendan createuser NAME --role ROLE --password P`: a non-interactive user with one role."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gendan.core.choices import Role
from gendan.core.exceptions import ValidationError
from gendan.core.services import create_user


class Command(BaseCommand):
    help = "Create a user with a role, non-interactively."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args: object, **o: str) -> None:
        first, _, last = o["name"].partition(" ")
        try:
            user = create_user(
                username=o["username"],
                password=o["password"],
                role=o["role"],
                email=o["email"],
                first_name=first,
                last_name=last,
                language=o["language"],
            )
        except ValidationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"created {user.username} ({o['role']})")
