"""Fixtures of the office tests: English messages, a manager who assigns, a merchandiser who does, a confirmed order
with its T&A plan, a subcontract factory with a contact that has an e-mail address."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation

from gendan.core.calendar import company_calendar
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.office import services
from gendan.office.models import Notice, Task
from gendan.partners.models import Customer, Supplier
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from tests.conftest import TODAY
from tests.factories import ContactFactory, CustomerFactory, SupplierFactory
from tests.sales.factories import order_in


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def wd(n: int) -> dt.date:
    """The working day n working days from the tests' today (Tuesday 2026-11-24)."""
    return company_calendar().add(TODAY, n)


@pytest.fixture
def customer(db: None) -> Customer:
    return CustomerFactory(code="C-NW01", name="北风贸易", name_en="Northwind Trading", tier="key")


@pytest.fixture
def order(merchandiser: User, manager: User, customer: Customer) -> Order:
    return order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager, customer=customer)


@pytest.fixture
def buyer(make_user: Callable[..., User]) -> User:
    return make_user(Role.PURCHASING, username="buyer1", first_name="Sun")


@pytest.fixture
def qc(make_user: Callable[..., User]) -> User:
    return make_user(Role.QC, username="qc1", first_name="Zheng")


@pytest.fixture
def factory(db: None) -> Supplier:
    supplier = SupplierFactory(code="S-FA09", name="海宁缝制厂", kind="subcontract")
    ContactFactory(customer=None, supplier=supplier, name="张经理", email="zhang@haining.example", is_primary=True)
    return supplier


@pytest.fixture
def assign(manager: User, merchandiser: User) -> Callable[..., Task]:
    def make(by: User | None = None, **data: Any) -> Task:
        values = {
            "title": "Call Northwind about the carton marks",
            "assignee": merchandiser.username,
            "due_date": wd(2),
            "priority": "normal",
        }
        values.update(data)
        return services.create_task(by=by or manager, data=values)

    return make


@pytest.fixture
def send_notice(manager: User) -> Callable[..., Notice]:
    def make(by: User | None = None, **data: Any) -> Notice:
        values = {"kind": "notice", "title": "Holiday schedule", "body": "The plant closes on 1 January."}
        values.update(data)
        return services.create_notice(by=by or manager, data=values)

    return make
