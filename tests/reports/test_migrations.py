"""The migration that moves the reports' monthly exchange rates into core's one table (reports 0002), exercised through
its own functions: the rows copied (a month core already has takes the reports' rate), who changed them, their
version and time stamps kept, their audit records following them, and the rights to keep them becoming core's with
every group and user that held them. (The project has no migration-executor tests; the old table no longer exists
in the test database, so a small stand-in gives the old rows.)"""

import datetime as dt
import importlib
from decimal import Decimal as D
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from gendan.core.choices import Role
from gendan.core.models import ExchangeRate, ObjectChange

migration = importlib.import_module("gendan.reports.migrations.0002_shared_exchange_rates")
pytestmark = pytest.mark.django_db


class OldRates:
    """The reports' old table as the migration reads it: `objects.order_by(...).values(...)`."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.objects, self.rows = self, rows

    def order_by(self, *fields: str) -> "OldRates":
        return self

    def values(self, *fields: str) -> list[dict[str, Any]]:
        return [{f: row[f] for f in fields} for row in self.rows]


class Apps:
    """The project's models, with the stand-in for the deleted `reports.ExchangeRate`."""

    def __init__(self, old: OldRates) -> None:
        self.old = old

    def get_model(self, app_label: str, name: str | None = None) -> Any:
        if (app_label.lower(), (name or "").lower()) == ("reports", "exchangerate"):
            return self.old
        return django_apps.get_model(app_label, name)


def row(pk: int, currency: str, month: dt.date, rate: str, **kw: Any) -> dict[str, Any]:
    stamp = dt.datetime(2026, 3, 4, 1, 30, tzinfo=dt.UTC)
    values = {"note": "", "updated_by_id": None, "version": 1, "created_at": stamp, "updated_at": stamp}
    return {"id": pk, "currency": currency, "month": month, "rate": D(rate), **values, **kw}


def test_every_monthly_rate_is_copied_and_a_month_core_has_takes_the_reports_rate(make_user) -> None:  # noqa: ANN001
    keeper = make_user(Role.FINANCE)
    # the quotations' migration ran first: USD's quoting rate is already November's row
    carried = ExchangeRate.objects.create(currency="USD", month=dt.date(2026, 11, 1), rate=D(7), note="quoting rate")
    old = [
        row(11, "USD", dt.date(2026, 10, 1), "7.1", note="bank", updated_by_id=keeper.pk, version=3),
        row(12, "USD", dt.date(2026, 11, 1), "7.12"),
        row(13, "EUR", dt.date(2026, 10, 1), "7.8"),
    ]
    moved = migration.copy_monthly_rates(OldRates(old).values(*migration.RATE_COLUMNS), ExchangeRate)
    rates = {(r.currency, r.month): r for r in ExchangeRate.objects.all()}
    assert len(rates) == 3
    october = rates[("USD", dt.date(2026, 10, 1))]
    assert (october.rate, october.note, october.updated_by, october.version) == (D("7.1"), "bank", keeper, 3)
    assert october.created_at == old[0]["created_at"]
    november = rates[("USD", dt.date(2026, 11, 1))]
    assert november.pk == carried.pk  # one row per currency and month
    assert (november.rate, november.note, november.version) == (D("7.12"), "", 2)
    assert moved == {11: october.pk, 12: carried.pk, 13: rates[("EUR", dt.date(2026, 10, 1))].pk}
    # copied twice (the migration run again after being undone): still one row per currency and month
    migration.copy_monthly_rates(OldRates(old).values(*migration.RATE_COLUMNS), ExchangeRate)
    assert ExchangeRate.objects.count() == 3


def test_forward_moves_the_audit_records_and_the_rights_with_their_holders(make_user) -> None:  # noqa: ANN001
    keeper = make_user(Role.FINANCE)
    clerk = make_user(Role.SHIPPING)
    # an existing database: the old model's content type, its permissions held by a group and a user, an audit record
    old_type = ContentType.objects.create(app_label="reports", model="exchangerate")
    old_change = Permission.objects.create(content_type=old_type, codename="change_exchangerate", name="Can change")
    old_view_all = Permission.objects.create(content_type=old_type, codename="view_all_reports", name="Can see all")
    desk = Group.objects.create(name="fx desk")
    desk.permissions.add(old_change)
    clerk.user_permissions.add(old_change, old_view_all)
    ObjectChange.objects.create(
        time=timezone.now(), user=keeper, action="create", content_type=old_type, object_id=21, object_repr="USD"
    )
    forward = Apps(OldRates([row(21, "USD", dt.date(2026, 9, 1), "7.0", updated_by_id=keeper.pk)]))
    migration.forward(forward, None)

    rate = ExchangeRate.objects.get()
    record = ObjectChange.objects.get(object_repr="USD")
    assert (record.content_type.app_label, record.content_type.model, record.object_id) == (
        "core", "exchangerate", rate.pk
    )  # fmt: skip
    # the old permissions are gone, merged into core's and the table-less ReportAccess's
    assert not Permission.objects.filter(content_type=old_type).exists()
    clerk = type(clerk).objects.get(pk=clerk.pk)  # a fresh user: permissions are cached
    assert clerk.has_perm("core.change_exchangerate")
    assert clerk.has_perm("reports.view_all_reports")
    assert Permission.objects.get(content_type__app_label="core", codename="change_exchangerate") in (
        desk.permissions.all()
    )
    assert Permission.objects.get(codename="view_all_reports").content_type.model == "reportaccess"


def test_a_permission_core_does_not_have_yet_is_moved_whole(make_user) -> None:  # noqa: ANN001
    clerk = make_user(Role.SHIPPING)
    old_type = ContentType.objects.create(app_label="reports", model="exchangerate")
    new_type = ContentType.objects.create(app_label="reports", model="elsewhere")
    permission = Permission.objects.create(content_type=old_type, codename="check_rates", name="Can check")
    clerk.user_permissions.add(permission)
    migration.move_permission(django_apps, "check_rates", old_type, new_type)
    permission.refresh_from_db()
    assert permission.content_type == new_type
    assert list(clerk.user_permissions.filter(codename="check_rates")) == [permission]


def test_a_new_database_has_nothing_to_move(db: None) -> None:
    migration.forward(Apps(OldRates([])), None)
    assert not ExchangeRate.objects.exists()
    assert not ContentType.objects.filter(app_label="reports", model="exchangerate").exists()
