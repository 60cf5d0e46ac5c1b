"""Every HTML page carries a Content-Security-Policy that lets no inline script run: scripts come
from the help desk's own static files (or carry the request's nonce), and no page has inline
event handlers or style attributes, which the policy would block. tests/browser/test_csp.py
loads the same pages in Chromium and fails on any violation it reports."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk.models import PolicyVersion, Role
from helpdesk.services.policy import ensure_policy_in_force
from surveys.services import invite_to_survey, survey_path
from tests.helpdesk.factories import AgentFactory, CustomerFactory, UserFactory
from tickets.services import open_ticket

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"

# Pages anyone may open.
PUBLIC_PAGES = ["login", "customer chat", "embed demo", "survey", "api docs"]


def main_pages() -> tuple[dict[str, str], object]:
    """Each main page by name -> its path, with what it shows made; and the manager (a
    superuser with the manager's role) who may open every staff page."""
    ensure_policy_in_force()
    manager = AgentFactory(
        user=UserFactory(username="csp-manager", is_staff=True, is_superuser=True),
        role=Role.MANAGER,
    ).user
    manager.set_password(PASSWORD)
    manager.save()
    customer = CustomerFactory(name="Ann Smith", email="ann@example.org")
    ticket = open_ticket(customer=customer, subject="Kettle", channel="email", assignee=manager)
    invitation = invite_to_survey(
        conversation=ticket, customer=customer, channel="email", agent=manager
    )
    version = PolicyVersion.objects.get()
    pages = {
        "login": reverse("login"),
        "desk": reverse("tickets:queue"),
        "ticket": reverse("tickets:ticket", args=[ticket.number]),
        "deadlines": reverse("desk:home"),
        "callbacks": reverse("tickets:phone-callbacks"),
        "log a call": reverse("tickets:phone-log-call"),
        "chat console": reverse("chat:console"),
        "customer chat": reverse("chat:page"),
        "embed demo": reverse("chat:embed-demo"),
        "survey": survey_path(invitation),
        "surveys desk": reverse("surveys:desk"),
        "log a complaint": reverse("complaints:log"),
        "admin": reverse("admin:index"),
        "admin publish policy": reverse("admin:helpdesk_policyversion_add"),
        "admin policy version": reverse("admin:helpdesk_policyversion_change", args=[version.pk]),
        "admin complaints": reverse("admin:complaints_complaint_changelist"),
        "admin complaint review": reverse("admin:complaints_review"),
        "api docs": reverse("api-docs"),
    }
    return pages, manager


def directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {name: values for name, *values in parts}


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)


def assert_strict_policy(response):
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy"
    policy = directives(header)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for kind in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[kind] and "'unsafe-eval'" not in policy[kind]
        assert not any(source.startswith(("http:", "https:", "*")) for source in policy[kind])


@pytest.fixture
def pages():
    return main_pages()


@pytest.mark.parametrize(
    "name",
    [
        "login",
        "desk",
        "ticket",
        "deadlines",
        "callbacks",
        "log a call",
        "chat console",
        "customer chat",
        "embed demo",
        "survey",
        "surveys desk",
        "log a complaint",
        "admin",
        "admin publish policy",
        "admin policy version",
        "admin complaints",
        "admin complaint review",
        "api docs",
    ],
)
def test_every_main_page_has_a_strict_policy_and_nothing_it_would_block(pages, name):
    paths, manager = pages
    client = Client()
    if name not in PUBLIC_PAGES:
        client.force_login(manager)

    response = client.get(paths[name])

    assert response.status_code == 200, name
    assert response["Content-Type"].startswith("text/html")
    assert_strict_policy(response)
    html = response.content.decode()
    # Inline scripts only as JSON data (json_script) or with this response's nonce.
    for attributes in INLINE_SCRIPT.findall(html):
        assert "application/json" in attributes, f"{name}: inline <script{attributes}>"
    nonces = set(re.findall(r'\snonce="([^"]+)"', html))
    assert nonces <= {
        n.strip("'").removeprefix("nonce-")
        for n in directives(response["Content-Security-Policy"])["script-src"]
    }, f"{name}: a nonce that is not the policy's"
    assert not EVENT_HANDLER.search(html), f"{name}: {EVENT_HANDLER.search(html).group()}"
    assert not STYLE_ATTRIBUTE.search(html), f"{name}: {STYLE_ATTRIBUTE.search(html).group()}"


def test_each_response_has_its_own_nonce(pages):
    paths, manager = pages
    client = Client()

    first, second = (client.get(paths["login"]) for _ in range(2))

    nonce = re.compile(r"'nonce-([^']+)'")
    assert nonce.search(first["Content-Security-Policy"])
    assert nonce.search(first["Content-Security-Policy"]).group(1) != nonce.search(
        second["Content-Security-Policy"]
    ).group(1)


@pytest.mark.parametrize(
    ("path", "status"),
    [("/desk/no-such-page/", 404), ("/accounts/login/?next=/desk/", 200)],
)
def test_error_pages_and_forms_have_the_policy_too(client, path, status):
    response = client.get(path)

    assert response.status_code == status
    assert_strict_policy(response)


def test_a_form_error_page_has_the_policy(client):
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})

    assert response.status_code == 200
    assert_strict_policy(response)
