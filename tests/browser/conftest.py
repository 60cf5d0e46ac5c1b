"""Browser tests: Debian's Chromium driven by Playwright against the real ASGI server."""

import os

import pytest

from tests.support.browser import CHROMIUM, launch_chromium
from tests.support.servers import asgi_server

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe
# because they run before and after the browser acts, never inside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and a later non-browser test that uses async_to_sync would fail.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: apt-get install -y chromium (make test installs it)")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def live_asgi(transactional_db, tmp_path):
    """The project's ASGI server (daphne) on the test database; yields its base URL."""
    with asgi_server(tmp_path) as url:
        yield url
