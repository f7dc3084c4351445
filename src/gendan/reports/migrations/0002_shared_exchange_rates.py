"""The reports' monthly exchange rates move to core's one table (`core.ExchangeRate`), which quotations read too.

Forward: every `reports.ExchangeRate` row is copied to core's table (a row core already has for that currency and
month takes the reports' rate: the monthly rate kept by finance wins over a carried-over quoting rate); the audit
records of each rate follow it; the reports' rights to maintain the rates become core's
(`core.*_exchangerate`, with every group and user that held them), and `reports.view_reports` /
`reports.view_all_reports` move to the table-less model `ReportAccess` that carries them from now on.
Backward: core's rows are copied back into the reports' table (recreated by undoing 0003) and the two reports
permissions return to it. The next migration (0003) deletes the reports' table.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import migrations, models

RATE_COLUMNS = ("id", "currency", "month", "rate", "note", "updated_by_id", "version", "created_at", "updated_at")
REPORT_PERMISSIONS = ("view_reports", "view_all_reports")
RATE_PERMISSIONS = ("add_exchangerate", "change_exchangerate", "delete_exchangerate", "view_exchangerate")


def copy_monthly_rates(rows: Iterable[dict[str, Any]], target: Any) -> dict[int, int]:
    """Copy monthly rates (dicts of RATE_COLUMNS) into the `target` model, one row per currency and month: a row the
    target already has for that currency and month takes the copied values. Keeps who changed each rate, its
    version and its time stamps. Returns {copied row's id: target row's id}."""
    moved: dict[int, int] = {}
    for row in rows:
        values = {
            "rate": row["rate"],
            "note": row["note"] or "",
            "updated_by_id": row["updated_by_id"],
            "version": row["version"] or 1,
        }
        existing = target.objects.filter(currency=row["currency"], month=row["month"]).first()
        if existing is None:
            existing = target.objects.create(currency=row["currency"], month=row["month"], **values)
        else:
            values["version"] = max(values["version"], existing.version + 1)
            target.objects.filter(pk=existing.pk).update(**values)
        # auto_now(_add) stamp the copy with today: give it the original's times
        target.objects.filter(pk=existing.pk).update(created_at=row["created_at"], updated_at=row["updated_at"])
        moved[row["id"]] = existing.pk
    return moved


def _content_type(apps: Any, app_label: str, model: str, *, create: bool) -> Any:
    content_type = apps.get_model("contenttypes", "ContentType")
    if create:
        return content_type.objects.get_or_create(app_label=app_label, model=model)[0]
    return content_type.objects.filter(app_label=app_label, model=model).first()


def follow_audit(apps: Any, moved: dict[int, int], source: Any, target: Any) -> None:
    """The audit records of each moved rate now point at its new row (content types `source` → `target`)."""
    if source is None or not moved:
        return
    change = apps.get_model("core", "ObjectChange")
    for old_id, new_id in moved.items():
        change.objects.filter(content_type=source, object_id=old_id).update(content_type=target, object_id=new_id)


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


def forward(apps: Any, schema_editor: Any) -> None:
    old_model = apps.get_model("reports", "ExchangeRate")
    new_model = apps.get_model("core", "ExchangeRate")
    moved = copy_monthly_rates(old_model.objects.order_by("month", "currency").values(*RATE_COLUMNS), new_model)
    old_type = _content_type(apps, "reports", "exchangerate", create=False)
    if old_type is None:  # a new database: no content type, permission or audit record yet
        return
    core_type = _content_type(apps, "core", "exchangerate", create=True)
    follow_audit(apps, moved, old_type, core_type)
    for codename in RATE_PERMISSIONS:
        move_permission(apps, codename, old_type, core_type)
    access_type = _content_type(apps, "reports", "reportaccess", create=True)
    for codename in REPORT_PERMISSIONS:
        move_permission(apps, codename, old_type, access_type)


def backward(apps: Any, schema_editor: Any) -> None:
    old_model = apps.get_model("reports", "ExchangeRate")
    new_model = apps.get_model("core", "ExchangeRate")
    moved = copy_monthly_rates(new_model.objects.order_by("month", "currency").values(*RATE_COLUMNS), old_model)
    core_type = _content_type(apps, "core", "exchangerate", create=False)
    access_type = _content_type(apps, "reports", "reportaccess", create=False)
    if core_type is None and access_type is None:
        return
    old_type = _content_type(apps, "reports", "exchangerate", create=True)
    follow_audit(apps, moved, core_type, old_type)
    for codename in REPORT_PERMISSIONS:
        move_permission(apps, codename, access_type, old_type)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_exchangerate"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportAccess",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ],
            options={
                "verbose_name": "report access",
                "verbose_name_plural": "report access",
                "permissions": [
                    ("view_reports", "Can see the statistics of their own orders, invoices and deliveries"),
                    ("view_all_reports", "Can see the statistics of every customer and merchandiser"),
                ],
                "managed": False,
                "default_permissions": (),
            },
        ),
        migrations.RunPython(forward, backward),
    ]
