"""Document numbers (prefix, year, sequence), safe under concurrency.

The sequence row is locked (`select_for_update` on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers), so two requests never get the same number.
"""

from django.db import IntegrityError, transaction

from gendan.core import clock
from gendan.core.models import Sequence


def next_number(prefix: str, *, width: int = 5, year: int | None = None) -> str:
    """The next number for `prefix` in `year` (default: this year), e.g. SO-2026-00001."""
    year = year or clock.today().year
    key = f"{prefix}-{year}"
    with transaction.atomic():
        updated = Sequence.objects.select_for_update().filter(key=key).first()
        if updated is None:
            try:
                with transaction.atomic():
                    updated = Sequence.objects.create(key=key, last_value=0)
            except IntegrityError:
                updated = Sequence.objects.select_for_update().get(key=key)
        updated.last_value += 1
        Sequence.objects.filter(pk=updated.pk).update(last_value=updated.last_value)
    return f"{key}-{updated.last_value:0{width}d}"
