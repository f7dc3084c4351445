"""Fixtures of the samples tests: English messages, a confirmed order with its T&A plan, a courier, a sample maker."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation

from gendan.core.calendar import company_calendar
from gendan.core.models import User
from gendan.partners.models import Contact, Customer, Supplier
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from gendan.samples import services
from gendan.samples.models import Sample
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
    return CustomerFactory(code="C-NW01", name="北风贸易", name_en="Northwind Trading", address="1 Harbour Rd\nHamburg")


@pytest.fixture
def contact(customer: Customer) -> Contact:
    return ContactFactory(customer=customer, name="Anna Berg", phone="+49 40 123456", is_primary=True)


@pytest.fixture
def courier(db: None) -> Supplier:
    return SupplierFactory(code="DHL", name="DHL Express", kind="courier")


@pytest.fixture
def maker(db: None) -> Supplier:
    return SupplierFactory(code="F-SZ", name="苏州样衣厂", kind="subcontract")


@pytest.fixture
def order(merchandiser: User, manager: User, customer: Customer) -> Order:
    """A confirmed order with its T&A plan (PPS planned 30 working days before its ex-factory date)."""
    return order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager, customer=customer)


@pytest.fixture
def request_sample(merchandiser: User, customer: Customer) -> Callable[..., Sample]:
    def make(by: User | None = None, **data: Any) -> Sample:
        values = {
            "kind": "development",
            "customer_id": customer.pk,
            "description": "Tote bag, 12oz canvas, natural",
            "quantity": "2",
            "required_date": wd(10),
        }
        values.update(data)
        return services.create_sample(by=by or merchandiser, data=values)

    return make


def walk(sample: Sample, by: User, *actions: str, **extra: Any) -> Sample:
    """Move a sample through the named actions (a rejection's comment is given)."""
    for action in actions:
        comment = "Handle too short" if action == "reject" else ""
        sample = services.transition(sample=sample, action=action, by=by, comment=comment, **extra)
    sample.refresh_from_db()
    return sample


@pytest.fixture
def tight_order(merchandiser: User, manager: User, customer: Customer) -> Order:
    """A confirmed order due ex-factory in 30 working days with its materials already in house: on track, with the
    PP sample approval (PPS, due today) the only slack left — a rejection today makes it late."""
    from gendan.followup.services import complete_milestone

    order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager, customer=customer, ex_factory_date=wd(30))
    for code in ("MO", "MIH"):
        complete_milestone(order_id=order.pk, code=code, day=TODAY, note="in stock", by=merchandiser)
    order.refresh_from_db()
    return order
