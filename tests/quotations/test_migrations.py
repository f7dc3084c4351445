"""The migration that moves the quoting rates into core's one monthly table (quotations 0002), exercised through its
own functions: each current quoting rate becomes its currency's rate of the month the migration runs in unless core
has one for that month already; the rights to keep them become core's; backward, each currency's rate of today
becomes its quoting rate again. (The project has no migration-executor tests; the old table no longer exists in the
test database, so a small stand-in gives the old rows.)"""

import datetime as dt
import importlib
from decimal import Decimal as D
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import ExchangeRate

migration = importlib.import_module("gendan.quotations.migrations.0002_shared_exchange_rates")
pytestmark = pytest.mark.django_db
NOVEMBER = dt.date(2026, 11, 1)  # the month of the suite's today, 2026-11-24


class OldRates:
    """The quotations' old table as the migration reads it: `objects.order_by(...).values_list(...)`."""

    def __init__(self, rows: list[tuple[str, D]]) -> None:
        self.objects, self.rows = self, rows

    def order_by(self, *fields: str) -> "OldRates":
        return self

    def values_list(self, *fields: str) -> list[tuple[str, D]]:
        return list(self.rows)


class Apps:
    def __init__(self, old: OldRates) -> None:
        self.old = old

    def get_model(self, app_label: str, name: str | None = None) -> Any:
        if (app_label.lower(), (name or "").lower()) == ("quotations", "exchangerate"):
            return self.old
        return django_apps.get_model(app_label, name)


def test_each_quoting_rate_becomes_this_months_rate_unless_the_month_has_one(make_user) -> None:  # noqa: ANN001
    ExchangeRate.objects.create(currency="EUR", month=NOVEMBER, rate=D("7.70"), note="finance")
    ExchangeRate.objects.create(currency="USD", month=dt.date(2026, 10, 1), rate=D("7.05"))
    old_type = ContentType.objects.create(app_label="quotations", model="exchangerate")
    old_change = Permission.objects.create(content_type=old_type, codename="change_exchangerate", name="Can change")
    clerk = make_user(Role.SALES)
    clerk.user_permissions.add(old_change)

    migration.forward(Apps(OldRates([("EUR", D("7.5")), ("USD", D("7.1")), ("GBP", D("9.05"))])), None)

    rows = {(r.currency, r.month): (r.rate, r.note) for r in ExchangeRate.objects.all()}
    assert rows == {
        ("EUR", NOVEMBER): (D("7.70"), "finance"),  # the month's own rate wins
        ("USD", dt.date(2026, 10, 1)): (D("7.05"), ""),  # an earlier month is left alone
        ("USD", NOVEMBER): (D("7.1"), "quoting rate"),
        ("GBP", NOVEMBER): (D("9.05"), "quoting rate"),
    }
    assert not Permission.objects.filter(content_type=old_type).exists()
    assert type(clerk).objects.get(pk=clerk.pk).has_perm("core.change_exchangerate")


def test_the_month_is_that_of_the_day_the_migration_runs(db: None) -> None:
    with clock.frozen(dt.date(2027, 2, 3)):
        migration.forward(Apps(OldRates([("USD", D("7.3"))])), None)
    assert list(ExchangeRate.objects.values_list("currency", "month")) == [("USD", dt.date(2027, 2, 1))]


def test_backward_takes_each_currencys_rate_of_today(db: None) -> None:
    for currency, month, rate in (
        ("USD", dt.date(2026, 10, 1), "7.05"),
        ("USD", NOVEMBER, "7.12"),
        ("USD", dt.date(2026, 12, 1), "7.2"),  # a later month is not today's
        ("EUR", dt.date(2026, 3, 1), "7.7"),
    ):
        ExchangeRate.objects.create(currency=currency, month=month, rate=D(rate))
    assert migration.rates_of_today(ExchangeRate, NOVEMBER) == [("EUR", D("7.7")), ("USD", D("7.12"))]
