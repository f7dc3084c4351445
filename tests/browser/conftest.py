"""Playwright in Debian's headless Chromium against pytest-django's live server."""

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:  # noqa: ANN001
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def login(page: Page, username: str, password: str = "pass-1234-word") -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def new_page(browser: Browser, live_server, locale: str = "en-US") -> Page:  # noqa: ANN001
    """A page in a browser context of its own (no cookies shared with the test's `page`)."""
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def page_of(browser: Browser, live_server, username: str) -> Page:  # noqa: ANN001
    """A second person at their own browser, logged in."""
    page = new_page(browser, live_server)
    login(page, username)
    return page
