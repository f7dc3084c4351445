"""Fixtures shared by the whole suite: users of every role, API clients with bearer tokens, a frozen clock."""

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from gendan.core import clock
from gendan.core.choices import Role
from gendan.core.models import User
from gendan.core.services import create_token
from tests.factories import UserFactory

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _frozen_today() -> Iterator[None]:
    """Every test runs on 2026-11-24 (company time) unless it freezes another day."""
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(role: str = Role.MERCHANDISER, **kw: object) -> User:
        return UserFactory(role=role, **kw)

    return make


@pytest.fixture
def merchandiser(make_user: Callable[..., User]) -> User:
    return make_user(Role.MERCHANDISER, username="mer1")


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user(Role.MANAGER, username="boss")


class ApiClient:
    """A Django test client that sends `Authorization: Bearer <token>` and JSON bodies."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        self.user = user
        if user is not None:
            _token, key = create_token(user=user, name="tests")
            self.headers["Authorization"] = f"Bearer {key}"

    def _call(self, method: str, path: str, data: object = None, **params: object):  # noqa: ANN202
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        fn = getattr(self.client, method)
        if method in {"get", "delete"}:
            return fn(url, data=params or None, headers=self.headers)
        return fn(url, data=data if data is not None else {}, content_type="application/json", headers=self.headers)

    def get(self, path: str, **params: object):  # noqa: ANN201
        return self._call("get", path, **params)

    def post(self, path: str, data: object = None):  # noqa: ANN201
        return self._call("post", path, data)

    def patch(self, path: str, data: object = None):  # noqa: ANN201
        return self._call("patch", path, data)

    def put(self, path: str, data: object = None):  # noqa: ANN201
        return self._call("put", path, data)

    def delete(self, path: str):  # noqa: ANN201
        return self._call("delete", path)


@pytest.fixture
def api_as(db: None) -> Callable[[User | None], ApiClient]:
    """`api_as(user)` gives an API client authenticated as that user (None: anonymous)."""
    return ApiClient


@pytest.fixture
def page_as(db: None) -> Callable[[User], Client]:
    """`page_as(user)` gives a Django test client logged in as that user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
