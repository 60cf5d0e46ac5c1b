"""The threads that store chat messages, off the one thread Channels gives every other database
call of a process. A chat's messages always go to the same thread (its id picks one of
`CHAT_MESSAGE_THREADS`), so within a process they are stored and published in the order of
their numbers; different chats are stored side by side. Each thread keeps its own database
connection for `CONN_MAX_AGE` seconds and closes it past that (with the default 0: after each
message), as Django's request threads do. The close is our own: Channels' test communicator
turns off the one in `database_sync_to_async`, which would leave these threads' connections
open past a test."""

from concurrent.futures import ThreadPoolExecutor
from functools import cache, wraps

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections


@cache
def _threads() -> tuple[ThreadPoolExecutor, ...]:
    return tuple(
        ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"chat-messages-{i}")
        for i in range(max(1, settings.CHAT_MESSAGE_THREADS))
    )


def in_chat_thread(session_id: int, func):
    """`func` as a coroutine function run in the message thread of chat `session_id`."""
    threads = _threads()

    @wraps(func)
    def run(*args, **kwargs):
        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(run, thread_sensitive=False, executor=threads[session_id % len(threads)])
