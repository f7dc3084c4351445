"""The finance tests read messages in English."""

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def finance(make_user):  # noqa: ANN001, ANN201
    from gendan.core.choices import Role

    return make_user(Role.FINANCE, username="fin1")
