"""The `gendan` command: Gendan's own commands (serve, demo, createuser…) and every Django command."""

import os
import sys
from pathlib import Path

REPLAY_DB_NAME = "replay.sqlite3"


def replay_database(argv: list[str]) -> None:
    """`gendan replay` writes into its own SQLite database, never into Gendan's: point DATABASE_URL at `--db PATH`
    (default: replay.sqlite3 in the var directory, GENDAN_VAR_DIR or ./var) before Django reads its settings."""
    if len(argv) < 2 or argv[1] != "replay":
        return
    path = ""
    for index, arg in enumerate(argv[2:], start=2):
        if arg == "--db" and index + 1 < len(argv):
            path = argv[index + 1]
        elif arg.startswith("--db="):
            path = arg.partition("=")[2]
    if path:
        target = Path(path).expanduser().resolve()
    else:
        target = Path(os.environ.get("GENDAN_VAR_DIR", Path.cwd() / "var")).resolve() / REPLAY_DB_NAME
    os.environ["DATABASE_URL"] = f"sqlite:///{target}"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gendan.settings")
    from django.core.management import execute_from_command_line

    argv = sys.argv[:]
    argv[0] = "gendan"
    replay_database(argv)
    if len(argv) == 1:
        argv.append("help")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
