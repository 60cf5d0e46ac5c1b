"""The tickets list's time filters take any ISO 8601 time: turned to UTC before the query, so
an offset PostgreSQL refuses is no 500, and one out of range once in UTC is a 400."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("param", ["due_before", "updated_since"])
def test_filter_times_the_database_cannot_take_as_written(api, ticket, param):
    client = api("manager")
    # An offset PostgreSQL refuses (over 15:59) is turned to UTC first: an answer, not a 500.
    response = client.get("/api/v1/tickets/", {param: "5955-07-03T09:19:50-20:12"})
    assert response.status_code == 200, response.content
    # A time past year 9999 once in UTC is a 400 naming the filter.
    response = client.get("/api/v1/tickets/", {param: "9999-12-31T23:00:00-05:00"})
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [param]
