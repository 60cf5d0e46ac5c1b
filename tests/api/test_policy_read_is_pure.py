"""Reading the policy never publishes it: a GET on a database where nothing is published
answers 404 saying so, and leaves it unpublished (issue #12, "a pure read of the policy in
force")."""

import pytest

from helpdesk.models import PolicyVersion


@pytest.fixture
def manager(api):
    return api("manager")


def test_a_get_of_the_policy_publishes_nothing(manager, db):
    response = manager.get("/api/v1/policy/")

    assert response.status_code == 404
    assert "No policy version has been published" in response.json()["error"]["message"]
    assert PolicyVersion.objects.count() == 0


def test_a_deadline_asked_before_any_publication_publishes_nothing(manager, db):
    query = "target=email.first_response&start=2026-11-20T17:00:00%2B00:00"

    response = manager.get(f"/api/v1/policy/deadline/?{query}")

    assert response.status_code == 404
    assert PolicyVersion.objects.count() == 0
