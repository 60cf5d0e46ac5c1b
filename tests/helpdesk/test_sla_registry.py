"""The registry of what a breach or a warning of a target does (helpdesk/sla_registry.py)."""

from types import SimpleNamespace

import pytest

from helpdesk import sla_registry


@pytest.fixture(autouse=True)
def only_these_handlers(monkeypatch):
    """Each test sees only the handlers it registers (not the apps' own, e.g. webhooks)."""
    monkeypatch.setattr(
        sla_registry, "_handlers", {sla_registry.BREACH: {}, sla_registry.WARNING: {}}
    )


@pytest.fixture
def registered():
    added = []

    def add(kind, key, func):
        register = {
            "breach": sla_registry.register_breach_handler,
            "warning": sla_registry.register_warning_handler,
        }[kind]
        register(key, func)
        added.append((key, func))
        return func

    yield add
    for key, func in added:
        sla_registry.unregister(key, func)


def test_handlers_match_by_name_section_and_star(registered):
    def exact(clock): ...
    def section(clock): ...
    def every(clock): ...
    def other(clock): ...

    registered("breach", "chat.first_response", exact)
    registered("breach", "chat.", section)
    registered("breach", "*", every)
    registered("breach", "email", other)

    assert sla_registry.handlers_for("breach", "chat.first_response") == [exact, section, every]
    assert sla_registry.handlers_for("breach", "chat.resolution") == [section, every]
    assert sla_registry.handlers_for("breach", "complaints.acknowledge") == [every]
    assert sla_registry.handlers_for("warning", "chat.first_response") == []


def test_registering_twice_calls_once(registered):
    calls = []
    registered("breach", "chat", calls.append)
    registered("breach", "chat", calls.append)
    registered("breach", "chat.first_response", calls.append)
    sla_registry.dispatch("breach", SimpleNamespace(pk=1, target="chat.first_response"))
    assert len(calls) == 1


def test_the_decorators_register(registered):
    @sla_registry.on_warning("phone")
    def warned(clock): ...

    try:
        assert sla_registry.handlers_for("warning", "phone.first_response") == [warned]
    finally:
        sla_registry.unregister("phone", warned)


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError):
        sla_registry.register_breach_handler(" ", print)
