"""The `gendan` command: Gendan's own commands (serve, demo, createuser…) and every Django command."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gendan.settings")
    from django.core.management import execute_from_command_line

    argv = sys.argv[:]
    argv[0] = "gendan"
    if len(argv) == 1:
        argv.append("help")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
