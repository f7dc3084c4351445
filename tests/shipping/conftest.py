"""The shipping tests read messages in English; a shipping clerk and orders to ship."""

from collections.abc import Callable, Iterator

import pytest
from django.utils import translation

from gendan.core.choices import Role
from gendan.core.models import User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def clerk(make_user: Callable[..., User]) -> User:
    return make_user(Role.SHIPPING, username="ship1")
