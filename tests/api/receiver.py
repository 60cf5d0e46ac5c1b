"""A real HTTP receiver of webhooks on loopback: verifies each delivery's signature as an
integrator would, records it, and answers with the status codes it is told to."""

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SECRET = "a-long-shared-secret-for-tests"  # the subscriptions' secret in the tests


@dataclass
class Received:
    event: str
    timestamp: str
    signature_ok: bool
    body: dict
    headers: dict


@dataclass
class Receiver:
    secret: str
    url: str = ""
    answers: list[int] = field(default_factory=list)  # status codes to answer, in order
    received: list[Received] = field(default_factory=list)


def verify(secret: str, timestamp: str, raw: bytes, signature: str) -> bool:
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256)
    return hmac.compare_digest(f"sha256={expected.hexdigest()}", signature)


def start_receiver(secret: str):
    """(receiver, server): call `server.shutdown()` when done."""
    receiver = Receiver(secret=secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            timestamp = self.headers.get("X-Helpdesk-Timestamp", "")
            ok = verify(secret, timestamp, raw, self.headers.get("X-Helpdesk-Signature", ""))
            receiver.received.append(
                Received(
                    event=self.headers.get("X-Helpdesk-Event", ""),
                    timestamp=timestamp,
                    signature_ok=ok,
                    body=json.loads(raw),
                    headers=dict(self.headers),
                )
            )
            code = receiver.answers.pop(0) if receiver.answers else 200
            if not ok:
                code = 401
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server


@pytest.fixture
def receiver():
    """A receiver on loopback for the test, checking signatures with SECRET."""
    receiver, server = start_receiver(SECRET)
    yield receiver
    server.shutdown()
    server.server_close()
