"""The quoting rates move to core's one monthly table of exchange rates (`core.ExchangeRate`), which the reports read
too.

Forward: each `quotations.ExchangeRate` (one current rate per currency) becomes that currency's rate for the month
of the day the migration runs (core's clock), unless core's table already has a rate for that currency and month
(the monthly rate kept by finance wins; the reports' migration, which copies those, may run before or after this
one); the quotations' rights to maintain the rates become core's (`core.*_exchangerate`, with every group and user
that held them). Backward: each currency's rate of today (this month's, else the latest earlier month's) becomes
its quoting rate again. The next migration (0003) deletes the quotations' table.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import migrations

RATE_PERMISSIONS = ("add_exchangerate", "change_exchangerate", "delete_exchangerate", "view_exchangerate")
NOTE = "quoting rate"  # the note of a row carried over from the quotations' rates
MAX_QUOTING_RATE = Decimal("999999.999999")  # the quotations' column held 12 digits, 6 of them decimals


def carry_quoting_rates(rows: Iterable[tuple[str, Decimal]], target: Any, month: dt.date) -> int:
    """Store each (currency, rate) as `target`'s rate of `month` unless it has one for that currency and month
    already. Returns how many were stored."""
    taken = set(target.objects.filter(month=month).values_list("currency", flat=True))
    made = [
        target(currency=currency, month=month, rate=rate, note=NOTE)
        for currency, rate in rows
        if currency != "CNY" and currency not in taken and rate and rate > 0
    ]
    target.objects.bulk_create(made)
    return len(made)


def rates_of_today(source: Any, month: dt.date) -> list[tuple[str, Decimal]]:
    """Each currency's rate of `month` in `source` (core's monthly rates), else its latest earlier month's."""
    found: dict[str, Decimal] = {}
    for currency, rate in source.objects.filter(month__lte=month).order_by("currency", "-month").values_list(
        "currency", "rate"
    ):
        found.setdefault(currency, rate)
    return sorted(found.items())


def move_permission(apps: Any, codename: str, source: Any, target: Any) -> None:
    """Move the permission `codename` from content type `source` to `target`, with every group and user holding it
    (merged into `target`'s when that exists already)."""
    if source is None:
        return
    permission = apps.get_model("auth", "Permission")
    old = permission.objects.filter(content_type=source, codename=codename).first()
    if old is None:
        return
    new = permission.objects.filter(content_type=target, codename=codename).first()
    if new is None:
        permission.objects.filter(pk=old.pk).update(content_type=target)
        return
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for through, owner in (
        (apps.get_model("auth", "Group").permissions.through, "group_id"),
        (user_model.user_permissions.through, "user_id"),
    ):
        holders = set(through.objects.filter(permission_id=new.pk).values_list(owner, flat=True))
        through.objects.bulk_create(
            [
                through(**{owner: holder, "permission_id": new.pk})
                for holder in through.objects.filter(permission_id=old.pk).values_list(owner, flat=True)
                if holder not in holders
            ]
        )
    old.delete()


def _month() -> dt.date:
    from gendan.core import clock

    return clock.today().replace(day=1)


def forward(apps: Any, schema_editor: Any) -> None:
    old_model = apps.get_model("quotations", "ExchangeRate")
    new_model = apps.get_model("core", "ExchangeRate")
    carry_quoting_rates(old_model.objects.order_by("currency").values_list("currency", "rate"), new_model, _month())
    content_type = apps.get_model("contenttypes", "ContentType")
    old_type = content_type.objects.filter(app_label="quotations", model="exchangerate").first()
    if old_type is None:  # a new database: no content type or permission yet
        return
    core_type = content_type.objects.get_or_create(app_label="core", model="exchangerate")[0]
    for codename in RATE_PERMISSIONS:
        move_permission(apps, codename, old_type, core_type)


def backward(apps: Any, schema_editor: Any) -> None:
    old_model = apps.get_model("quotations", "ExchangeRate")
    new_model = apps.get_model("core", "ExchangeRate")
    old_model.objects.bulk_create(
        [
            old_model(currency=currency, rate=rate)
            for currency, rate in rates_of_today(new_model, _month())
            if rate <= MAX_QUOTING_RATE and not old_model.objects.filter(currency=currency).exists()
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_exchangerate"),
        ("quotations", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
