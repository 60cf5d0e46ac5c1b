"""The policy endpoints show a long list of policy problems capped, as the command and the admin
do: the first 20 and a count of the rest."""

import pytest

pytestmark = pytest.mark.django_db

DOCUMENT = """
[document]
title = "T"
company = "C"
version = "1"
effective = 2026-01-01
approved_by = "A"

[calendar]
timezone = "Europe/London"
working_days = ["mon"]

[calendar.hours]
mon = [HOURS]
"""


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/policy/",
        "/api/v1/policy/deadline/?target=email.resolution&start=2026-11-20T17:00:00%2B00:00",
    ],
)
def test_an_unreadable_policy_file_is_a_capped_400(api, settings, tmp_path, url):
    # Nothing published yet: the endpoints read the project's policy file, here with 500 problems.
    path = tmp_path / "policy.toml"
    path.write_text(DOCUMENT.replace("HOURS", ", ".join(["1"] * 500)))
    settings.SERVICE_POLICY_FILE = str(path)

    response = api("manager").get(url)

    assert response.status_code == 400
    shown = response.json()["error"]["fields"]["non_field_errors"]
    assert len(shown) == 21
    assert shown[0] == 'calendar.hours.mon[0]: 1 is not an interval "HH:MM-HH:MM"'
    assert shown[-1] == "... and 480 more errors"
