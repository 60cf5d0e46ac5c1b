"""The REST API's conventions, shared by every app's endpoints under /api/v1/.

- `authentication`: `Authorization: Token <key>` (API keys with scopes) and the desk's session.
- `permissions`: a token needs the endpoint's scope; a session user needs one of its roles.
- `throttling`: requests per key (or user) per period, `API_THROTTLE_RATE`.
- `errors`: one error body, `{"error": {"code", "message", "fields"}}`; never a 500 for bad input.
- `pagination`: cursor pagination for long lists.
- `idempotency`: `Idempotency-Key` on creates.
- `views.ApiView`: the base of every endpoint, which puts all of the above together and
  renders every time in UTC.
"""
