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
    monkeypatch.setattr(
        sla_registry, "_batch_handlers", {sla_registry.BREACH: {}, sla_registry.WARNING: {}}
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


def test_a_batch_handler_gets_its_clocks_at_once_and_its_failure_stops_no_one(registered):
    """The sweep dispatches a batch's breaches together: a batch handler is called once with
    the clocks of its targets, then each per-clock handler once per clock."""
    batches, each = [], []

    def failing(clocks):
        raise RuntimeError("down")

    sla_registry.register_batch_handler("breach", "chat", batches.append)
    sla_registry.register_batch_handler("breach", "*", failing)
    registered("breach", "*", each.append)
    clocks = [
        SimpleNamespace(pk=1, target="chat.first_response"),
        SimpleNamespace(pk=2, target="email.first_response"),
        SimpleNamespace(pk=3, target="chat.resolution"),
    ]

    sla_registry.dispatch_many("breach", clocks)

    assert [[c.pk for c in batch] for batch in batches] == [[1, 3]]
    assert [c.pk for c in each] == [1, 2, 3]
    assert sla_registry.has_handlers("breach", "email.first_response")
    assert not sla_registry.has_handlers("warning", "chat.first_response")
