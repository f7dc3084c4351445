"""Fixtures of the follow-up tests: confirmed orders with their T&A plans."""

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation

from gendan.core.choices import Role
from gendan.core.models import User
from gendan.followup.models import Milestone
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order
from tests.sales.factories import order_in


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Service messages in English (the tests match on them); pages follow each user's own language."""
    with translation.override("en"):
        yield


@pytest.fixture
def buyer(make_user: Callable[..., User]) -> User:
    return make_user(Role.PURCHASING, username="buyer1")


@pytest.fixture
def confirmed_order(merchandiser: User, manager: User, buyer: User) -> Callable[..., Order]:
    """`confirmed_order(ex_factory_date=..., customer=...)`: an order of mer1 confirmed, with its plan."""

    def make(**kw: Any) -> Order:
        kw.setdefault("ex_factory_date", dt.date(2027, 2, 15))
        order = order_in(OrderStatus.CONFIRMED, by=merchandiser, manager=manager, **kw)
        order.refresh_from_db()
        return order

    return make


def plan(order: Order) -> dict[str, Milestone]:
    return {m.code: m for m in Milestone.objects.filter(order=order).order_by("position")}
