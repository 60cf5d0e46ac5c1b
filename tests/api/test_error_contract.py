"""Every answer under /api/ is the documented JSON error body, whoever refuses: Django's CSRF
check, an unknown path (any method), a method the endpoint does not take (405), a body too large
(413), a body that is not JSON or nests too deep (400), a content type the API does not read
(415), and a bug (a JSON 500 without a traceback)."""

import json

import pytest
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "get"])
def test_an_unknown_api_path_is_a_json_404_for_every_method(method, staff):
    # A signed-in desk user's browser sends its session cookie: Django's CSRF check used to
    # answer an unknown path with an HTML 403.
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["manager"])
    for url in ("/api/v1/no-such-thing/", "/api/v1/tickets/%C2%84/reply/", "/api/v2/tickets/"):
        if method == "get":
            response = client.get(url)
        else:
            response = getattr(client, method)(url, data="{}", content_type="application/json")
        assert_error(response, 404, "not_found")


def test_a_post_without_a_csrf_token_is_a_json_403(staff, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["manager"])
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/notes/", {"text": "x"}, content_type="application/json"
    )
    error = assert_error(response, 403)
    assert "CSRF" in error["message"]


def test_a_method_the_endpoint_does_not_take_is_a_405_not_a_403(api):
    for who in ("token:*", "manager"):
        response = api(who).put("/api/v1/policy/", {}, format="json")
        assert_error(response, 405, "method_not_allowed")
        assert "GET" in response["Allow"]
    # Even for a key without any scope: the method is wrong whoever asks.
    response = api("token:tickets:read").delete("/api/v1/reports/sla/")
    assert_error(response, 405)


def test_a_body_over_the_limit_is_a_json_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = json.dumps({"subject": "x" * 2000, "customer": {"email": "a@example.org"}})
    client = api("token:tickets:write")
    response = client.post("/api/v1/tickets/", big, content_type="application/json")
    assert_error(response, 413, "request_too_large")


def test_deeply_nested_json_on_a_write_is_a_400(api, policy):
    body = '{"subject": "x", "customer": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = api("token:tickets:write").post(
        "/api/v1/tickets/", body, content_type="application/json"
    )
    error = assert_error(response, 400, "parse_error")
    assert "nested deeper" in error["message"]


def test_json_that_is_not_json_or_not_finite_is_a_400(api, policy):
    client = api("token:customers:write")
    for body in ("{", '{"name": NaN, "email": "a@example.org"}', b"\xff\xfe"):
        response = client.post("/api/v1/customers/", body, content_type="application/json")
        assert_error(response, 400, "parse_error")


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"],
)
def test_a_body_the_api_does_not_read_is_a_json_415(api, policy, content_type):
    response = api("token:customers:write").post(
        "/api/v1/customers/", "name=Ann", content_type=content_type
    )
    assert_error(response, 415, "unsupported_media_type")


def _boom(request):
    raise RuntimeError("secret detail of a bug")


urlpatterns = [path("api/v1/boom/", _boom)]


def test_a_bug_is_a_json_500_without_a_traceback(settings, client):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = True  # even with the technical error page on, the API answers JSON
    client.raise_request_exception = False
    response = client.get("/api/v1/boom/")
    error = assert_error(response, 500, "server_error")
    assert "secret detail" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert error["message"]


def test_the_schema_and_docs_keep_their_own_formats(client):
    assert client.get("/api/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")
    assert client.get("/api/docs/")["Content-Type"].startswith("text/html")


# -- what the schema promises, the server holds to (found by Schemathesis) -------------------


@pytest.mark.parametrize(
    "query",
    [
        "updated_since=",  # an empty time used to be ignored: every ticket
        "breached=null",  # a boolean that is not true/false used to be ignored
        "team=1.5",  # an id is a whole number
        "team=0",
        "team=1e60",
        "page_size=null",  # used to fall back to 50 silently
        "page_size=0",
        "page_size=201",
    ],
)
def test_list_parameters_the_schema_refuses_are_a_400(api, ticket, query):
    response = api("token:tickets:read").get(f"/api/v1/tickets/?{query}")
    error = assert_error(response, 400, "invalid")
    assert query.split("=")[0] in error["fields"]


def test_an_unknown_id_in_a_filter_is_an_empty_page(api, ticket):
    response = api("token:tickets:read").get("/api/v1/tickets/?team=999999")
    assert response.status_code == 200 and response.json()["results"] == []


def test_empty_period_parameters_are_a_400(api, staff):
    client = api("token:reports:read")
    assert_error(client.get("/api/v1/reports/sla/?start="), 400)
    client = api("token:surveys:read")
    assert_error(client.get("/api/v1/surveys/aggregates/?from="), 400)


def test_a_number_where_text_is_expected_is_a_400(api, ticket):
    response = api("token:tickets:write").post(
        f"/api/v1/tickets/{ticket.pk}/notes/", {"text": -214}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert "text" in error["fields"]
    assert not ticket.messages.exists()


def test_a_number_where_a_boolean_is_expected_is_a_400(api):
    body = {"url": "https://crm.example.com/h", "events": ["*"], "is_active": 0}
    response = api("token:webhooks:manage").post("/api/v1/webhooks/", body, format="json")
    error = assert_error(response, 400, "invalid")
    assert "is_active" in error["fields"]


def test_an_invalid_cursor_is_a_documented_json_404(api, ticket):
    response = api("token:tickets:read").get("/api/v1/tickets/?cursor=not-ours")
    assert_error(response, 404)


def test_every_error_is_documented_in_the_schema(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for url, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"401", "403", "405", "429"} <= codes, (method, url)
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            if "{" in url or "cursor" in names:
                assert "404" in codes, (method, url)
            if "cursor" in names:
                assert "cursor" in operation["responses"]["404"]["description"]
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= codes, (method, url)
                assert list(operation["requestBody"]["content"]) == ["application/json"]
            for code, answer in operation["responses"].items():
                if code.startswith(("4", "5")):
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Error"), (method, url, code)
