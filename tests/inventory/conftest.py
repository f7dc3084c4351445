"""Service messages of the inventory tests in English (they match on them); pages and the API follow each user's
own language."""

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield
