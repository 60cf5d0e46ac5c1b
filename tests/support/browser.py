"""Debian's Chromium launched by Playwright, robust to a busy machine.

On a loaded machine (a full `make test` next to other work) Chromium once took longer than
Playwright's default 30 s to start, and the whole run failed on it. A launch now gets a generous
time and is tried again, so only a browser that really cannot start fails the tests.
"""

import os
import shutil

from tests.support.servers import SERVER_START_TIMEOUT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ATTEMPTS = int(os.environ.get("TEST_BROWSER_LAUNCH_ATTEMPTS", "3"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(
    playwright,
    *,
    executable: str = CHROMIUM,
    attempts: int = LAUNCH_ATTEMPTS,
    timeout: float = SERVER_START_TIMEOUT,
):
    """Headless Chromium, `attempts` tries of up to `timeout` seconds each; the last failure
    is raised with the earlier ones' messages."""
    from playwright.sync_api import Error

    failures: list[str] = []
    for _ in range(attempts):
        try:
            return playwright.chromium.launch(
                executable_path=executable,
                headless=True,
                args=CHROMIUM_ARGS,
                timeout=timeout * 1000,
            )
        except Error as error:
            failures.append(str(error).splitlines()[0] if str(error) else repr(error))
    raise RuntimeError(
        f"Chromium ({executable}) did not start in {attempts} attempts: " + " | ".join(failures)
    )
