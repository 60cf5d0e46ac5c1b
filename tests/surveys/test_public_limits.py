"""The survey page counts its requests in the shared limiter (Redis): one address past
SURVEYS_RATE_LIMIT gets the friendly 429 page with Retry-After, whatever server process
answers, and the count holds however the requests interleave."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from surveys.services import invite_to_survey, survey_path


@pytest.fixture
def url(ticket):
    invitation = invite_to_survey(
        conversation=ticket, customer=ticket.customer, channel="email", agent=ticket.assignee
    )
    return survey_path(invitation)


@pytest.mark.django_db
def test_the_refusal_says_when_to_try_again(client, url, settings):
    settings.SURVEYS_RATE_LIMIT = 2
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.SURVEYS_RATE_WINDOW_SECONDS


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_get_exactly_the_limit(url, settings):
    settings.SURVEYS_RATE_LIMIT = 5

    def get(_):
        try:
            return Client().get(url).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(get, range(30)))
    assert codes.count(200) == 5 and codes.count(429) == 25, codes
