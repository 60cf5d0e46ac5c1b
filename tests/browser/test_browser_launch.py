"""The browser tests' Chromium is tried again when a launch fails (a busy machine), and a
Chromium that cannot start at all fails with every attempt's reason."""

import os
import stat

import pytest

from tests.support.browser import CHROMIUM, launch_chromium

pytestmark = pytest.mark.browser


def flaky_chromium(tmp_path, *, failures: int) -> tuple[str, object]:
    """A Chromium that exits at once on its first `failures` launches, then starts for real;
    returns its path and the file counting its launches."""
    launches = tmp_path / "launches"
    launches.write_text("")
    script = tmp_path / "chromium"
    script.write_text(
        "#!/bin/sh\n"
        f'echo x >> "{launches}"\n'
        f'if [ "$(wc -l < "{launches}")" -le {failures} ]; then\n'
        '  echo "chromium: could not start (test)" >&2; exit 1\n'
        "fi\n"
        f'exec "{CHROMIUM}" "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), launches


@pytest.fixture
def playwright():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: apt-get install -y chromium (make test installs it)")
    with sync_playwright() as running:
        yield running


def test_a_failed_launch_is_tried_again(playwright, tmp_path):
    executable, launches = flaky_chromium(tmp_path, failures=2)

    browser = launch_chromium(playwright, executable=executable, attempts=3)
    try:
        page = browser.new_page()
        page.set_content("<h1>started</h1>")
        assert page.inner_text("h1") == "started"
    finally:
        browser.close()
    assert len(launches.read_text().splitlines()) == 3


def test_a_chromium_that_never_starts_fails_with_each_reason(playwright, tmp_path):
    executable, launches = flaky_chromium(tmp_path, failures=99)

    with pytest.raises(RuntimeError, match="did not start in 2 attempts") as failure:
        launch_chromium(playwright, executable=executable, attempts=2)

    assert str(failure.value).count("|") == 1  # both attempts' reasons
    assert len(launches.read_text().splitlines()) == 2
