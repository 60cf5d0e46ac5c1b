"""`make run` (scripts/run.sh) keeps the logs of earlier runs: a crash seen after a restart
can still be read in var/log/."""

import re
from pathlib import Path

RUN = Path(__file__).resolve().parent.parent / "scripts" / "run.sh"


def test_make_run_appends_to_its_logs_instead_of_wiping_them():
    script = RUN.read_text()
    into_logs = re.findall(r"(>>?)\s*var/log/\w+\.log", script)
    assert into_logs, "run.sh writes its servers' logs under var/log/"
    assert set(into_logs) == {">>"}, "a plain > truncates the previous run's log"
