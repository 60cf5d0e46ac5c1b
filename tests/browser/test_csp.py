"""Each main page in Chromium under its Content-Security-Policy, served by the real ASGI server:
the page must load and work with no violation reported (an inline script, handler or style the
policy blocks, a script or style from elsewhere, a socket the policy refuses).

Set CSP_SCREENSHOTS=<dir> to keep a screenshot of each page there.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.helpdesk.test_security_headers import PUBLIC_PAGES, main_pages

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# What each page shows once its scripts have run: proof that they ran under the policy.
READY = {
    "desk": "#queue-rows",
    "ticket": "body[data-live='connected']",
    "deadlines": "h1",
    "chat console": "#console",
    "customer chat": "#prechat-name",
    "api docs": ".swagger-ui .information-container",
    "admin publish policy": "#id_document_text",
}


@pytest.fixture(autouse=True)
def static_from_apps(monkeypatch):
    """The server (started after this) serves the apps' static files without collectstatic."""
    monkeypatch.setenv("WHITENOISE_USE_FINDERS", "true")


def violations_of(page) -> list[str]:
    """Every CSP violation the page reports: the console's "Refused to ..." lines and the
    document's securitypolicyviolation events."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', function (e) {"
        "  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });"
    )
    return found


def test_no_page_reports_a_csp_violation(live_asgi, browser):
    paths, manager = main_pages()
    client = Client()
    client.force_login(manager)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    shots = os.environ.get("CSP_SCREENSHOTS")
    failures: dict[str, list[str]] = {}
    for name, path in paths.items():
        context = browser.new_context()
        if name not in PUBLIC_PAGES:
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_asgi}]
            )
        page = context.new_page()
        page.set_default_timeout(15_000)
        console = violations_of(page)
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))

        response = page.goto(f"{live_asgi}{path}")
        assert response.status == 200, name
        assert response.headers.get("content-security-policy"), name
        page.wait_for_load_state("load")
        if name in READY:
            page.locator(READY[name]).first.wait_for()
        reported = page.evaluate("window.__csp")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
        context.close()
        if console or reported or errors:
            failures[name] = console + reported + errors
    assert failures == {}
