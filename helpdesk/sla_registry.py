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
A reaction that can be done for many clocks at once registers with `register_batch_handler`
and receives, once per batch of the sweep, the list of its clocks (the webhook events do).

A target can also be *kept when it falls due* instead of breaching: an acknowledgement promised
"within D" is kept by sending the automatic one at D. The channel app that keeps it registers
one due handler for the whole target name:

    @sla_registry.on_due("email.acknowledge")
    def acknowledge(clock, now) -> bool: ...

The SLA services call it inside their transaction, with the clock locked, once, when the
pending clock's due time has come (the `check_clock` task at the due time, or the sweep after
a worker restart). It does what was promised (writes the acknowledgement, whose sending goes
after commit) and returns True: the clock stops as met. False (nothing could be done, e.g.
the case has gone) or an exception (logged, its writes undone): the clock breaches as any
other. `NotNow` (the case is locked by another transaction, say an agent's reply going out):
the clock stays pending and the next sweep comes back to it. Keep it short: it runs in the
sweep's batch.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from helpdesk.models import Clock

logger = logging.getLogger(__name__)

ClockHandler = Callable[["Clock"], object]
DueHandler = Callable[["Clock", "datetime"], bool]

BREACH = "breach"
WARNING = "warning"

_handlers: dict[str, dict[str, list[ClockHandler]]] = {BREACH: {}, WARNING: {}}


class NotNow(Exception):
    """Raised by a due handler whose case is busy (locked by another transaction): the clock
    stays pending and the next sweep looks at it again. Lock the case with `nowait=True` and
    raise this on its error, never wait: the clock is locked already, and whoever holds the
    case may be waiting for the clock."""


# One keeper per target: two would keep one promise twice (two acknowledgements).
_due_handlers: dict[str, DueHandler] = {}


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


# Handlers called once per batch with all its clocks of their targets: for a reaction that can
# be done for many clocks in a few queries (the webhook events), so that a sweep breaching a
# thousand clocks does not pay a thousand times.
BatchHandler = Callable[[list["Clock"]], object]
_batch_handlers: dict[str, dict[str, list[BatchHandler]]] = {BREACH: {}, WARNING: {}}


def register_batch_handler(event: str, key: str, func: BatchHandler) -> BatchHandler:
    """Call `func(clocks)` after commit, once per call of the SLA services (a sweep's batch, a
    task's clock), with every clock of `event` (BREACH or WARNING) whose target matches `key`."""
    handlers = _batch_handlers[event].setdefault(_normalise(key), [])
    if func not in handlers:
        handlers.append(func)
    return func


def unregister(key: str, func: ClockHandler) -> None:
    """Remove `func` from both events for `key`, per clock or per batch (tests, reloads)."""
    for by_key in (*_handlers.values(), *_batch_handlers.values()):
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


def _matching(by_key: dict[str, list], target: str) -> list:
    section = target.split(".", 1)[0]
    found: list = []
    for key in (target, section, "*"):
        for func in by_key.get(key, ()):
            if func not in found:
                found.append(func)
    return found


def batch_handlers_for(event: str, target: str) -> list[BatchHandler]:
    """The batch handlers of `event` for `target`, in the order of `handlers_for`."""
    return _matching(_batch_handlers[event], target)


def has_handlers(event: str, target: str) -> bool:
    """Whether anything (per clock or per batch) reacts to `event` for `target`."""
    return bool(handlers_for(event, target) or batch_handlers_for(event, target))


def dispatch_many(event: str, clocks: list["Clock"]) -> None:
    """Call each batch handler of `event` once with its clocks, then every per-clock handler
    for each clock; log, never raise, their errors."""
    batches: dict[BatchHandler, list[Clock]] = {}
    for clock in clocks:
        for func in batch_handlers_for(event, clock.target):
            batches.setdefault(func, []).append(clock)
    for func, batch in batches.items():
        try:
            func(batch)
        except Exception:
            logger.exception(
                "SLA %s batch handler %r failed for %d clocks", event, func, len(batch)
            )
    for clock in clocks:
        dispatch(event, clock)


def dispatch(event: str, clock: "Clock") -> None:
    """Call every handler of `event` for the clock's target; log, never raise, their errors."""
    for func in handlers_for(event, clock.target):
        try:
            func(clock)
        except Exception:
            logger.exception("SLA %s handler %r failed for clock %s", event, func, clock.pk)


def register_due_handler(target: str, func: DueHandler) -> DueHandler:
    """Keep `target` (a whole target name) with `func(clock, now)` when its clock falls due
    (see the module's docstring). One per target: registering the same function again changes
    nothing, another one raises ValueError."""
    target = _normalise(target)
    if "." not in target:
        raise ValueError(f"a due handler keeps one target ('{target}.acknowledge'), not '{target}'")
    current = _due_handlers.setdefault(target, func)
    if current is not func:
        raise ValueError(f"{target} is kept already by {current!r}")
    return func


def on_due(target: str) -> Callable[[DueHandler], DueHandler]:
    """Decorator form of `register_due_handler`."""
    return lambda func: register_due_handler(target, func)


def unregister_due_handler(target: str) -> None:
    """Remove the due handler of `target` (for tests and reloads)."""
    _due_handlers.pop(_normalise(target), None)


def due_handler_for(target: str) -> DueHandler | None:
    """The function that keeps `target` when it falls due, if any."""
    return _due_handlers.get(target)


# -- where a case opens: the link of its SLA notifications ------------------------------------

_case_urls: dict[str, Callable[[int], str]] = {}


def register_case_url(model: str, func: Callable[[int], str]) -> None:
    """`func(case_id)` is the page that opens a case of `model` ("app_label.model", e.g.
    "helpdesk.policyversion"): the SLA's warnings and escalations about its clocks link there."""
    _case_urls[model.lower()] = func


def case_url(model: str, case_id: int) -> str:
    """The page of a case of `model`, or "" when its app registered none."""
    func = _case_urls.get(model.lower())
    return func(case_id) if func is not None else ""


# -- what a case is called: its label and its page, many at once -----------------------------


@dataclass(frozen=True)
class CaseLink:
    """A case as people name it ("Ticket #1000", "Chat with Tom Baker") and the page that opens
    it ("" when none does)."""

    label: str
    url: str = ""


CaseDescriber = Callable[[list[int]], dict[int, CaseLink]]
_case_describers: dict[str, CaseDescriber] = {}


def register_case(model: str, describe: CaseDescriber) -> None:
    """`describe(case_ids)` names the cases of `model` ("app_label.model") and links their
    pages, all in one or two queries (a desk page lists hundreds of clocks). A case it leaves
    out (deleted) falls back to "<model> #<id>"."""
    _case_describers[model.lower()] = describe


def describe_cases(model: str, case_ids: list[int]) -> dict[int, CaseLink]:
    """Each case's label and link: as its app describes it, else "<model> #<id>" with the
    page `register_case_url` gives, if any."""
    model = model.lower()
    ids = list(dict.fromkeys(case_ids))
    describe = _case_describers.get(model)
    found = describe(ids) if describe is not None and ids else {}
    kind = model.rsplit(".", 1)[-1]
    return {
        pk: found.get(pk) or CaseLink(f"{kind.capitalize()} #{pk}", case_url(model, pk))
        for pk in ids
    }
