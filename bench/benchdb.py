"""The throwaway database every benchmark runs in: embedded SQLite in a temporary GENDAN_VAR_DIR by default; with
DATABASE_URL (PostgreSQL) a test database (`test_<name>`) created and dropped on that server, never the database
the URL names."""

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """Set Django up on a fresh, migrated database; yields where it is. Everything is removed afterwards."""
    var = Path(tempfile.mkdtemp(prefix=f"gendan-bench-{prefix}-"))
    os.environ.update(
        {
            "GENDAN_VAR_DIR": str(var),
            "GENDAN_DEBUG": "0",
            "GENDAN_HTTPS": "0",
            "GENDAN_SECRET_KEY": "bench-" + "x" * 50,
            "GENDAN_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "gendan.settings",
        }
    )
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ.pop("DATABASE_URL", None)  # only PostgreSQL is used from the URL; never fill someone's SQLite file
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    original_name = connection.settings_dict["NAME"]
    created = False
    try:
        t0 = time.perf_counter()
        if connection.vendor == "postgresql":
            name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            created = True
            where = f"PostgreSQL, throwaway database {name}"
        else:
            call_command("migrate", verbosity=0)
            where = f"SQLite in {var}"
        yield f"{where}; migrated in {time.perf_counter() - t0:.1f} s"
    finally:
        if created:
            connection.creation.destroy_test_db(original_name, verbosity=0)
        connection.close()
        shutil.rmtree(var, ignore_errors=True)
