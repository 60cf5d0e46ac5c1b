"""Root fixtures shared by every test package."""

import os
import uuid

import pytest
from hypothesis import settings as hypothesis_settings

from tests.support.mail import smtp_listening

# Property tests draw the same examples on every run (`make test` is reproducible: a failure
# seen once is seen again), with no per-example deadline (a busy machine is not a bug).
# HYPOTHESIS_PROFILE=explore draws fresh examples, more of them, to look for new failures.
hypothesis_settings.register_profile(
    "suite", derandomize=True, max_examples=100, deadline=None, database=None
)
hypothesis_settings.register_profile(
    "explore", derandomize=False, max_examples=1000, deadline=None, database=None
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture(autouse=True)
def _own_rate_limits(settings):
    """Each test counts its rate limits (in the shared test Redis) under a namespace of its
    own, so no test is held up by another's requests. A server process a test starts
    inherits it through the environment."""
    namespace = f"t{uuid.uuid4().hex[:12]}"
    settings.RATELIMIT_NAMESPACE = namespace
    saved = os.environ.get("RATELIMIT_NAMESPACE")
    os.environ["RATELIMIT_NAMESPACE"] = namespace
    yield namespace
    if saved is None:
        os.environ.pop("RATELIMIT_NAMESPACE", None)
    else:
        os.environ["RATELIMIT_NAMESPACE"] = saved


@pytest.fixture(autouse=True)
def _privacy_policy_read_again():
    """The kinds of number masked are remembered per process (helpdesk.privacy.services); a
    version a test published is rolled back with it, so the next test reads the kinds again."""
    from helpdesk.privacy.services import forget_mask_kinds, policy_changes

    before = policy_changes()
    yield
    if policy_changes() != before:
        forget_mask_kinds()


@pytest.fixture
def celery_eager():
    """Tasks queued through Celery run at once in this process (the real call path, without a
    broker), their errors surfacing."""
    from config.celery import app

    app.loader.import_default_modules()  # register every app's tasks, as a worker does
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on loopback, and Django's SMTP backend pointed at it."""
    with smtp_listening() as (port, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
        yield handler
