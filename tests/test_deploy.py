"""The production settings pass Django's deployment checklist, and refuse to start without
their secrets."""

import subprocess
import sys

from tests.support.servers import ROOT

PRODUCTION = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x7#production-like-secret-key-with-enough-length-and-variety-0123456789",
    "ALLOWED_HOSTS": "desk.example.com",
    "DATABASE_URL": "sqlite:////tmp/helpdesk-deploy-check.sqlite3",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
