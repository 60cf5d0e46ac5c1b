"""The customer's survey page: accessible form, friendly refusals, CSRF, rate and size limits."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from surveys.models import SurveyResponse
from surveys.services import invite_to_survey, survey_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(ticket):
    return invite_to_survey(
        conversation=ticket, customer=ticket.customer, channel="email", agent=ticket.assignee
    )


@pytest.fixture
def url(invitation):
    return survey_path(invitation)


def test_the_form_asks_the_policys_question_in_fieldsets(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<legend>Did we answer your question today?</legend>" in html
    assert html.count('name="answered"') == 2
    assert html.count('name="score"') == 5  # scale = 5
    assert html.count("<fieldset") == 2
    assert 'name="viewport"' in html
    assert "csrfmiddlewaretoken" in html
    # Every input has a label pointing at it.
    for input_id in re.findall(r'<input type="radio"[^>]* id="([^"]+)"', html):
        assert f'<label for="{input_id}">' in html
    assert '<label for="id_comment">' in html
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_submitting_saves_and_thanks(client, url):
    response = client.post(url, {"answered": "yes", "score": "4", "comment": "Quick"})
    assert response.status_code == 302 and response["Location"] == "/survey/thanks/"
    saved = SurveyResponse.objects.get()
    assert (saved.answered, saved.score, saved.comment) == (True, 4, "Quick")
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_a_second_submission_gets_a_friendly_409(client, url):
    client.post(url, {"answered": "yes", "score": "4"})
    again = client.post(url, {"answered": "no", "score": "1"})
    assert again.status_code == 409
    assert "already" in again.content.decode()
    assert client.get(url).status_code == 409
    assert SurveyResponse.objects.count() == 1


def test_an_expired_link_gets_410(client, url, invitation, time_machine):
    time_machine.move_to(invitation.expires_at + timedelta(minutes=1))
    response = client.get(url)
    assert response.status_code == 410
    assert "closed" in response.content.decode()
    assert client.post(url, {"answered": "yes", "score": "4"}).status_code == 410


def test_a_tampered_link_gets_404(client, url):
    response = client.get(url.replace("/survey/", "/survey/x"))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_missing_answers_show_the_form_again_with_errors(client, url):
    response = client.post(url, {"comment": "hello"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please choose yes or no." in html and "Please choose a score." in html
    assert 'role="alert"' in html
    assert "hello" in html  # what was typed is kept
    assert not SurveyResponse.objects.exists()


def test_out_of_scale_score_is_refused(client, url):
    assert client.post(url, {"answered": "yes", "score": "9"}).status_code == 400
    assert not SurveyResponse.objects.exists()


def test_csrf_is_enforced(url):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"answered": "yes", "score": "4"})
    assert response.status_code == 403
    assert not SurveyResponse.objects.exists()


def test_size_limited(client, url, settings):
    settings.SURVEYS_MAX_REQUEST_BYTES = 1024
    response = client.post(url, {"answered": "yes", "score": "4", "comment": "x" * 2000})
    assert response.status_code == 413
    too_long = client.post(
        url, {"answered": "yes", "score": "4", "comment": "x" * 2001}, REMOTE_ADDR="10.0.0.9"
    )
    assert too_long.status_code in (400, 413)
    assert not SurveyResponse.objects.exists()


def test_comment_over_the_limit_is_refused(client, url):
    response = client.post(url, {"answered": "yes", "score": "4", "comment": "x" * 2001})
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_rate_limited_per_ip(client, url, settings):
    settings.SURVEYS_RATE_LIMIT = 3
    for _ in range(3):
        assert client.get(url).status_code == 200
    limited = client.get(url)
    assert limited.status_code == 429
    assert "try again" in limited.content.decode().lower()
    # Another address is not held up.
    assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_only_get_and_post(client, url):
    assert client.put(url).status_code == 405
