"""A real SMTP server (aiosmtpd) on loopback for tests that send email."""

from contextlib import contextmanager

from tests.support.servers import SERVER_START_TIMEOUT, free_port


class EnvelopeCollector:
    """An aiosmtpd handler that keeps every envelope it is given."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK: queued"


@contextmanager
def smtp_listening():
    """An SMTP server on a free loopback port; yields (port, collector)."""
    from aiosmtpd.controller import Controller

    handler = EnvelopeCollector()
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), ready_timeout=SERVER_START_TIMEOUT
    )
    controller.start()
    try:
        yield controller.port, handler
    finally:
        controller.stop()
