"""The ASGI server processes bench/chat_load.py starts on loopback (Daphne or uvicorn serving
`config.asgi`), and how it waits for, measures and stops them."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

HOST = "127.0.0.1"


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            sys.exit(f"error: server exited with {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"error: nothing listens on port {port}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


SERVERS = {
    "daphne": lambda port: [
        str(Path(sys.executable).parent / "daphne"),
        "-e",
        f"tcp:port={port}:interface={HOST}:backlog=2048",
        "config.asgi:application",
    ],
    "uvicorn": lambda port: [
        sys.executable,
        "-m",
        "uvicorn",
        "config.asgi:application",
        f"--host={HOST}",
        f"--port={port}",
        "--backlog=2048",
        "--loop=uvloop",
        "--http=httptools",
        "--ws=websockets",
        "--log-level=warning",
        "--no-access-log",
    ],
}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
