"""Real-time events for every app: one way to name a Channels group, one way to send to groups.

Group names. Every app names its groups through its own `AppGroups(<app label>)`, and every
name it builds is "<app label>." followed by parts that hold no dot: two apps' names differ
before the first dot, so a group of one app can never be a group of another, and a socket of
one app never hears the events of another (which it has no handler for, and would close on).

Sending. `group_send_on_commit(groups, message)` sends `message` to each group through the
channel layer (Redis) once the current transaction commits (at once outside one), and never
breaks the request that caused it: a channel layer that is down or slow is logged and given up
after SEND_TIMEOUT seconds.
"""

import asyncio
import logging
import os
import re
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

SEND_TIMEOUT = 2.0  # seconds
MAX_GROUP_NAME = 99  # Channels refuses a group name of 100 characters or more
_APP_LABEL = re.compile(r"[a-z][a-z0-9_]*")
_PART = re.compile(r"[A-Za-z0-9_-]+")  # what Channels accepts, less the dot that separates
_claimed: set[str] = set()


@dataclass(frozen=True)
class AppGroups:
    """The group names of one app: `AppGroups("chat").name("agent", 7)` is "chat.agent.7".

    A part is an int or a string of letters, digits, "-" and "_"; anything else is a
    ValueError, as is a label that is not an app label."""

    app_label: str

    def __post_init__(self):
        if not _APP_LABEL.fullmatch(self.app_label):
            raise ValueError(f"{self.app_label!r} is not an app label")
        _claimed.add(self.app_label)

    def name(self, *parts: str | int) -> str:
        texts = [str(part) for part in parts]
        if not texts or not all(_PART.fullmatch(text) for text in texts):
            raise ValueError(f"not a group name's parts: {parts!r}")
        group = f"{self.app_label}.{'.'.join(texts)}"
        if len(group) > MAX_GROUP_NAME:
            raise ValueError(f"group name too long: {group[:40]}...")
        return group


def claimed_app_labels() -> tuple[str, ...]:
    """The labels of the apps that name groups (for the check that each is an installed app)."""
    return tuple(sorted(_claimed))


def group_send_on_commit(groups: Iterable[str], message: dict) -> None:
    """Send `message` (its "type" names the consumers' handler) to each of `groups` once the
    current transaction commits; never raises, neither now nor then (see `send_to_groups`)."""
    transaction.on_commit(partial(send_to_groups, tuple(groups), message), robust=True)


def send_to_groups(groups: tuple[str, ...], message: dict) -> bool:
    """Send `message` to each group now; False (logged) when the channel layer failed or took
    longer than SEND_TIMEOUT."""
    layer = get_channel_layer()
    if layer is None:
        return False

    async def send_all():
        async with asyncio.timeout(SEND_TIMEOUT):
            for group in groups:
                await layer.group_send(group, message)

    try:
        _run(send_all)
    except Exception:
        logger.warning(
            "real-time event %s not sent to %s", message.get("type"), groups, exc_info=True
        )
        return False
    return True


def _run(coroutine_function) -> None:
    """Run it to the end from synchronous code: here, or, when this thread itself runs an event
    loop (synchronous code called inside one), from a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # No loop here: run it on this thread's own loop, kept for the next event (a new loop
        # and thread per event, as async_to_sync makes outside a server, cost more than the
        # send itself, and a kept loop keeps the channel layer's connection too).
        _thread_loop().run_until_complete(coroutine_function())
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(async_to_sync(coroutine_function)).result(timeout=SEND_TIMEOUT + 1)


_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop for sends (a new one in a forked child)."""
    pid = os.getpid()
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed() or _local.pid != pid:
        loop = _local.loop = asyncio.new_event_loop()
        _local.pid = pid
    return loop
