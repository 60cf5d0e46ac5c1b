"""What a breach (or a warning) of a target does, as each channel app declares it.

`helpdesk` knows no channel: a channel app registers its reactions here, usually in its
`AppConfig.ready()`, and the SLA services call them once the breach or warning is committed:

    from helpdesk import sla_registry

    @sla_registry.on_breach("chat.first_response")
    def offer_callback(clock): ...

    sla_registry.register_breach_handler("complaints", send_holding_letter)

A key is a whole target name (`chat.first_response`), a section (`chat`, or `chat.`, for every
target of that section) or `*` for every target. A handler receives the `Clock` and is called
once per clock and event, after commit; an exception in one handler is logged and does not stop
the others. A handler that needs more work than a few queries should enqueue its own task.
"""

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk.models import Clock

logger = logging.getLogger(__name__)

ClockHandler = Callable[["Clock"], object]

BREACH = "breach"
WARNING = "warning"

_handlers: dict[str, dict[str, list[ClockHandler]]] = {BREACH: {}, WARNING: {}}


def _normalise(key: str) -> str:
    key = key.strip()
    if not key:
        raise ValueError("a handler needs a target, a section or '*'")
    return key.removesuffix(".")


def _register(event: str, key: str, func: ClockHandler) -> ClockHandler:
    handlers = _handlers[event].setdefault(_normalise(key), [])
    if func not in handlers:  # registering twice (ready() run twice) must not call twice
        handlers.append(func)
    return func


def register_breach_handler(key: str, func: ClockHandler) -> ClockHandler:
    """Call `func(clock)` after a breach of a target matching `key` is recorded."""
    return _register(BREACH, key, func)


def register_warning_handler(key: str, func: ClockHandler) -> ClockHandler:
    """Call `func(clock)` after the warning of a target matching `key` is recorded."""
    return _register(WARNING, key, func)


def on_breach(key: str) -> Callable[[ClockHandler], ClockHandler]:
    """Decorator form of `register_breach_handler`."""
    return lambda func: register_breach_handler(key, func)


def on_warning(key: str) -> Callable[[ClockHandler], ClockHandler]:
    """Decorator form of `register_warning_handler`."""
    return lambda func: register_warning_handler(key, func)


def unregister(key: str, func: ClockHandler) -> None:
    """Remove `func` from both events for `key` (for tests and reloads)."""
    for by_key in _handlers.values():
        handlers = by_key.get(_normalise(key), [])
        if func in handlers:
            handlers.remove(func)


def handlers_for(event: str, target: str) -> list[ClockHandler]:
    """The handlers of `event` for `target`: exact name first, then its section, then '*'."""
    by_key = _handlers[event]
    section = target.split(".", 1)[0]
    found: list[ClockHandler] = []
    for key in (target, section, "*"):
        for func in by_key.get(key, ()):
            if func not in found:
                found.append(func)
    return found


def dispatch(event: str, clock: "Clock") -> None:
    """Call every handler of `event` for the clock's target; log, never raise, their errors."""
    for func in handlers_for(event, clock.target):
        try:
            func(clock)
        except Exception:
            logger.exception("SLA %s handler %r failed for clock %s", event, func, clock.pk)
